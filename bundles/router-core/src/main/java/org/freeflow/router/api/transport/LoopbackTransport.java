package org.freeflow.router.api.transport;

/**
 * A transport between two endpoints in this process ({@link Transport#loopback}): what it connects to it
 * carries along the whole path of the transport it was made from, and its other endpoint executes on the
 * responders it was given.  Closing it closes both endpoints and whatever they opened.
 * @since 2.7
 */
public interface LoopbackTransport extends Transport, AutoCloseable {

    @Override
    void close();
}
