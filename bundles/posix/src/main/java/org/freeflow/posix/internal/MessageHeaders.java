package org.freeflow.posix.internal;

import com.sun.jna.Memory;
import com.sun.jna.Pointer;
import java.lang.ref.Reference;

/**
 * Native {@code struct msghdr}, {@code struct iovec} and {@code SCM_RIGHTS}
 * control messages (LP64 Linux layout).
 */
public final class MessageHeaders {

    private static final int MSGHDR_SIZE = 56;
    private static final int MSG_IOV = 16;
    private static final int MSG_IOVLEN = 24;
    private static final int MSG_CONTROL = 32;
    private static final int MSG_CONTROLLEN = 40;
    private static final int MSG_FLAGS = 48;
    private static final int CMSG_HDR = 16;

    private MessageHeaders() {
    }

    /** CMSG_SPACE for {@code n} descriptors. */
    public static int controlSpace(int n) {
        return n == 0 ? 0 : CMSG_HDR + align8(4 * n);
    }

    /**
     * A msghdr with one iovec over {@code data} and room for (or carrying)
     * {@code fds}.  When {@code fdsToSend} is null, the control area is sized
     * for {@code maxFds} received descriptors.  The msghdr points at native
     * blocks that only the returned {@link Message} references from Java:
     * keep it reachable until the system call returned
     * ({@link Message#keepUntilHere()}), or the garbage collector may free
     * them while the kernel writes into them.
     *
     * @param dataOwner what keeps {@code data} allocated (its Memory or buffer)
     */
    public static Message build(Pointer data, Object dataOwner, long length, int[] fdsToSend, int maxFds) {
        Memory iov = new Memory(16);
        iov.setPointer(0, data);
        iov.setLong(8, length);
        int fdCount = fdsToSend != null ? fdsToSend.length : maxFds;
        Memory msg = new Memory(MSGHDR_SIZE);
        msg.clear();
        msg.setPointer(MSG_IOV, iov);
        msg.setLong(MSG_IOVLEN, 1);
        Memory control = null;
        if (fdCount > 0) {
            control = new Memory(controlSpace(fdCount));
            control.clear();
            if (fdsToSend != null) {
                control.setLong(0, CMSG_HDR + 4L * fdCount);
                control.setInt(8, LibC.SOL_SOCKET);
                control.setInt(12, LibC.SCM_RIGHTS);
                control.write(CMSG_HDR, fdsToSend, 0, fdCount);
            }
            msg.setPointer(MSG_CONTROL, control);
            msg.setLong(MSG_CONTROLLEN, control.size());
        }
        return new Message(msg, iov, control, dataOwner);
    }

    /** A msghdr and every native block it points to. */
    public static final class Message {
        private final Memory msg;
        private final Memory iov;
        private final Memory control;
        private final Object dataOwner;

        private Message(Memory msg, Memory iov, Memory control, Object dataOwner) {
            this.msg = msg;
            this.iov = iov;
            this.control = control;
            this.dataOwner = dataOwner;
        }

        /** The struct msghdr, for sendmsg / recvmsg. */
        public Pointer header() {
            return msg;
        }

        /** Keeps the header, its iovec, control area and data allocated at least until this call. */
        public void keepUntilHere() {
            Reference.reachabilityFence(this);
            Reference.reachabilityFence(iov);
            Reference.reachabilityFence(control);
            Reference.reachabilityFence(dataOwner);
        }
    }

    /** The msg_flags a recvmsg left. */
    public static int flags(Pointer msg) {
        return msg.getInt(MSG_FLAGS);
    }

    /** Every SCM_RIGHTS descriptor in the control area of a received msghdr. */
    public static int[] receivedFds(Pointer msg) {
        long controlLen = msg.getLong(MSG_CONTROLLEN);
        Pointer control = msg.getPointer(MSG_CONTROL);
        if (control == null || controlLen < CMSG_HDR) {
            return new int[0];
        }
        int[] fds = new int[0];
        long off = 0;
        while (off + CMSG_HDR <= controlLen) {
            long len = control.getLong(off);
            if (len < CMSG_HDR || off + len > controlLen) {
                break;
            }
            if (control.getInt(off + 8) == LibC.SOL_SOCKET && control.getInt(off + 12) == LibC.SCM_RIGHTS) {
                int n = (int) ((len - CMSG_HDR) / 4);
                int[] more = control.getIntArray(off + CMSG_HDR, n);
                int[] all = new int[fds.length + n];
                System.arraycopy(fds, 0, all, 0, fds.length);
                System.arraycopy(more, 0, all, fds.length, n);
                fds = all;
            }
            off += align8((int) len);
        }
        return fds;
    }

    private static int align8(int n) {
        return (n + 7) & ~7;
    }
}
