package org.freeflow.router.internal.vnic;

/**
 * A verbs object that others hold (a PD by MRs, QPs and SRQs; a CQ or an
 * SRQ by QPs) and that cannot be destroyed while held (EBUSY).  Control
 * thread only.
 */
abstract class InUse {

    private int users;

    void retain() {
        users++;
    }

    void release() {
        users--;
    }

    boolean inUse() {
        return users > 0;
    }
}
