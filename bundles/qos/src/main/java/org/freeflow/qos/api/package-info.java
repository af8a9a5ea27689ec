/**
 * Quality of service: control-plane quotas and data-plane rate limits that
 * the router enforces on every path, and the SPI for algorithms.
 */
@org.osgi.annotation.versioning.Version("1.1.0")
package org.freeflow.qos.api;
