package org.freeflow.router.api.transport;

/**
 * One work request of a connected requester as a {@link Connection} takes
 * it: its sequence number, what to do, and where.  A view the requester
 * reuses: a transport reads it during {@link Connection#post} and keeps no
 * reference to it, or to its {@link #payload()}'s segments, after the call.
 * @since 2.0
 */
public interface WorkRequest {

    /**
     * The sequence number: 0 for a connection's first work request, one more
     * for each next one.  A work request posted again (after an RNR, a
     * timeout or a transient refusal) keeps its number.
     */
    long psn();

    /** What it does: an enum ibv_wr_opcode value ({@code org.freeflow.fastpath.api.Verbs.WR_*}). */
    int opcode();

    /**
     * SEND and WRITE: the gathered local data; READ: where the data read
     * lands; atomics: the 8 bytes the original remote value lands in.
     */
    Payload payload();

    /** WRITE, READ and atomics: the remote virtual address. */
    long remoteAddress();

    /** WRITE, READ and atomics: the remote key. */
    int rkey();

    /** The immediate of SEND_WITH_IMM and RDMA_WRITE_WITH_IMM, as the application posted it. */
    int immediate();

    /** ATOMIC_CMP_AND_SWP's compare value, ATOMIC_FETCH_AND_ADD's addend. */
    long compareAdd();

    /** ATOMIC_CMP_AND_SWP's swap value. */
    long swap();

    /** IBV_SEND_SOLICITED: the receive completion raises a solicited event. */
    boolean solicited();

    /** {@link #xrcSrq()} of a work request that is not an XRC initiator's. */
    int NO_XRC_SRQ = -1;

    /**
     * The SRQ number an XRC initiator's work request names (its XRCETH), in
     * its target's XRC domain; {@link #NO_XRC_SRQ} otherwise.
     */
    int xrcSrq();

    /**
     * A READ's local memory (its SGEs, checked and held) for a transport that writes the answer into it
     * itself as it arrives; then it reports {@link Acknowledgements#fetchedInPlace}.  The transport
     * {@link InPlaceSink#release releases} it once done with it, whether it placed the answer or not.
     * Null (the default) for a requester that takes answers as {@link Acknowledgements#fetched} only, for
     * any other operation, or memory that cannot be held.
     * @since 2.5
     */
    default InPlaceSink sinkInPlace() {
        return null;
    }
}
