package org.freeflow.router.internal.vnic;

/** A protection domain of one verbs context; MRs, QPs and SRQs hold it. */
final class ProtectionDomain extends InUse {

    final int handle;

    ProtectionDomain(int handle) {
        this.handle = handle;
    }
}
