package org.freeflow.router.internal.control;

/** Makes the session of each connection a listening socket accepts. */
@FunctionalInterface
public interface SessionFactory {

    Session open();
}
