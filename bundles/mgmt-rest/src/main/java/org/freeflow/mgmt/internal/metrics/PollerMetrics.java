package org.freeflow.mgmt.internal.metrics;

import java.util.Map;

import org.freeflow.fastpath.api.PollerService;
import org.freeflow.mgmt.api.MetricsSource;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;

/**
 * The pollers' figures (rounds, work, sleeps, wake-ups, CPU, mode) as a
 * {@link MetricsSource}.  It lives here because fastpath sits below the
 * management plane and cannot depend on it.
 */
@Component(service = MetricsSource.class)
public final class PollerMetrics implements MetricsSource {

    private final PollerService pollers;

    @Activate
    public PollerMetrics(@Reference PollerService pollers) {
        this.pollers = pollers;
    }

    @Override
    public Map<String, Number> metrics() {
        return pollers.metrics();
    }
}
