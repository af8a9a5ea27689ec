package org.freeflow.router.internal.vnic;

/**
 * What a queue pair is made on: its container's virtual NIC, its protection
 * domain (null for an XRC target), its completion queues (no receive CQ for
 * XRC QPs), its shared receive queue and its XRC domain (an XRC target's), or
 * null where it has none.
 */
record QpResources(VirtualNic vnic, ProtectionDomain pd, CompletionQueue sendCq, CompletionQueue recvCq,
        SharedReceiveQueue srq, XrcDomain.Opened xrcd) {
}
