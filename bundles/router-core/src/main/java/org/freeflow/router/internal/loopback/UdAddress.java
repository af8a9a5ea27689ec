package org.freeflow.router.internal.loopback;

/**
 * The address vector of an ibv_ah as the FFL copies it into a UD send WQE.
 *
 * @param dgid null when the address handle is not global
 */
public record UdAddress(int dlid, byte[] dgid, int sl, int trafficClass, int flowLabel, int hopLimit) {

    /** Addressed by LID, no GRH. */
    public static UdAddress lid(int dlid) {
        return new UdAddress(dlid, null, 0, 0, 0, 0);
    }
}
