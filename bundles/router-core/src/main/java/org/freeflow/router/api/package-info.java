/**
 * The FreeFlow router (FFR) as other bundles and operators see it: the
 * virtual NICs it serves, one per container, and what they hold.
 */
@org.osgi.annotation.versioning.Version("2.2.0")
package org.freeflow.router.api;
