package org.freeflow.router.internal.vnic;

/** A protection domain of one verbs context; MRs and QPs hold it. */
final class ProtectionDomain {

    final int handle;
    private int users;

    ProtectionDomain(int handle) {
        this.handle = handle;
    }

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
