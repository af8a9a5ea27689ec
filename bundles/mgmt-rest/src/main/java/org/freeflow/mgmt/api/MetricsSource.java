package org.freeflow.mgmt.api;

import java.util.Map;

/**
 * A component's counters and gauges.  Names are Prometheus-style
 * ({@code freeflow_<component>_<what>_<unit>}); values are read without locks
 * and may be slightly stale.
 */
public interface MetricsSource {

    /** Current values, by metric name. */
    Map<String, Number> metrics();
}
