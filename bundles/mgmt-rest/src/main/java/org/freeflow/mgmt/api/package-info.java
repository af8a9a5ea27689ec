/**
 * The management plane's SPI: components that have figures to show register
 * a {@link MetricsSource}; the shell, and later REST and telemetry routes,
 * collect them.
 */
@org.osgi.annotation.versioning.Version("1.0.0")
package org.freeflow.mgmt.api;
