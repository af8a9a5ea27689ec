package org.freeflow.router.internal.vnic;

/** What the control operations hand back to the FFL. */
public final class Grants {

    private Grants() {
    }

    /**
     * A registered memory region.
     *
     * @param handle MR handle
     * @param key    lkey == rkey
     */
    public record Mr(int handle, int key) {
    }

    /**
     * A completion queue.
     *
     * @param handle  CQ handle
     * @param entries ring slots
     * @param shmSize bytes of the ring memfd
     * @param fd      the ring memfd: send it, then close it
     */
    public record Cq(int handle, int entries, long shmSize, int fd) {
    }

    /**
     * A queue pair.
     *
     * @param handle  QP handle
     * @param qpn     queue-pair number
     * @param caps    capacities granted
     * @param shmSize bytes of the ring memfd
     * @param fd      the ring memfd: send it, then close it
     */
    public record Qp(int handle, int qpn, QpCaps caps, long shmSize, int fd) {
    }

    /**
     * A shared receive queue.
     *
     * @param handle  SRQ handle
     * @param srqn    SRQ number
     * @param maxWr   receives it holds (ring slots)
     * @param maxSge  SGEs per receive
     * @param shmSize bytes of the ring memfd
     * @param fd      the ring memfd: send it, then close it
     */
    public record Srq(int handle, int srqn, int maxWr, int maxSge, long shmSize, int fd) {
    }
}
