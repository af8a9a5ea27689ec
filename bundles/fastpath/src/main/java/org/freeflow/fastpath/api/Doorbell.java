package org.freeflow.fastpath.api;

/**
 * The doorbell of one verbs context: a pipe whose writing end the FFL gets
 * (it writes a byte to wake a sleeping poller) and whose reading end only
 * the pollers hold.  Nothing the FFL does with its end can make a poller
 * block: the pollers read their end without blocking, and at most a bounded
 * amount per wake-up.  Closing it ends the FFL's wake-ups; the other
 * contexts' doorbells are not affected.
 *
 * @since 3.0
 */
public interface Doorbell extends AutoCloseable {

    /** The writing end, for the OPEN reply; kept open until {@link #close()}. */
    int ringerFd();

    /** Stops watching the doorbell and closes both ends; idempotent. */
    @Override
    void close();
}
