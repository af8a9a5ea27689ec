package org.freeflow.router.internal.loopback;

/** One completion as ibv_poll_cq would return it. */
public record Completion(long wrId, int status, int opcode, int byteLen, int imm, int qpNum, int srcQp, int wcFlags,
        int slid) {
}
