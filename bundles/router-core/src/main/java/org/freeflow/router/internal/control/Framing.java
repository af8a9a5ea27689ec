package org.freeflow.router.internal.control;

import java.nio.ByteBuffer;
import org.freeflow.fastpath.api.Abi;
import org.freeflow.posix.api.Datagram;

/** What makes a received datagram garbage (bad framing closes the connection). */
final class Framing {

    private Framing() {
    }

    /** Null for a well-formed message in {@code in}, else what is wrong with it. */
    static String problem(ByteBuffer in, Datagram datagram) {
        if (datagram.truncated()) {
            return "datagram of " + datagram.length() + " bytes exceeds FF_MSG_MAX (" + Abi.MSG_MAX + ")";
        }
        if (datagram.fdsTruncated()) {
            return "too many file descriptors";
        }
        if (datagram.length() < Abi.Hdr.SIZE) {
            return "datagram of " + datagram.length() + " bytes is shorter than a header";
        }
        int magic = in.getInt(Abi.Hdr.MAGIC);
        if (magic != Abi.ABI_MAGIC) {
            return "bad magic 0x" + Integer.toHexString(magic);
        }
        int version = Short.toUnsignedInt(in.getShort(Abi.Hdr.VERSION));
        if (version != Abi.ABI_VERSION) {
            return "ABI version " + version + ", this router speaks " + Abi.ABI_VERSION;
        }
        long declared = Integer.toUnsignedLong(in.getInt(Abi.Hdr.LEN));
        if (declared != datagram.length() - Abi.Hdr.SIZE) {
            return "header announces " + declared + " payload bytes, datagram has "
                    + (datagram.length() - Abi.Hdr.SIZE);
        }
        return null;
    }
}
