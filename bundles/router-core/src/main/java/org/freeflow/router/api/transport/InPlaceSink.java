package org.freeflow.router.api.transport;

/**
 * Registered memory that a transport writes into itself, on its own thread, as the data arrives from
 * the network (an HCA's DMA): a WRITE's target at the responder ({@link Responder.InPlaceWrite}), a
 * READ's local memory at the requester ({@link WorkRequest#sinkInPlace}).  Held mapped until
 * {@link #release}.  Each write into {@link #target} is bracketed by {@link #beginWrite} and
 * {@link #endWrite}, short and non-blocking (one socket read): the memory's deregistration waits for a
 * write under way and, once it began, makes {@link #beginWrite} false, so that no byte lands after
 * ibv_dereg_mr returned.
 * @since 2.5
 */
public interface InPlaceSink {

    /** Where the data goes: writable views, in order, of the memory. */
    Payload target();

    /** Before a write into {@link #target}: false once the memory is deregistered (write nothing then). */
    boolean beginWrite();

    /** After that write. */
    void endWrite();

    /** Ends the hold on the memory, once (later calls do nothing). */
    void release();
}
