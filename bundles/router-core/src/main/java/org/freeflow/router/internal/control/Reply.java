package org.freeflow.router.internal.control;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.function.Supplier;
import org.freeflow.fastpath.api.Abi;
import org.freeflow.posix.api.FileDescriptors;

/**
 * The reply being built: header echoing op and seq, status, payload written
 * at offsets relative to the end of the header, and the descriptors that ride
 * along, in order: ones the router made for this reply (closed once sent) and
 * ones it keeps (shared).  Reused by the control thread.
 */
public final class Reply {

    private final ByteBuffer buffer = ByteBuffer.allocateDirect(Abi.MSG_MAX).order(ByteOrder.LITTLE_ENDIAN);
    private int op;
    private int seq;
    private int status;
    private static final int MAX_FDS = 4;

    private final int[] fds = new int[MAX_FDS];
    private final boolean[] owned = new boolean[MAX_FDS];
    private int length;
    private int fdCount;

    private Supplier<DeferredReply> deferral;
    private boolean deferred;

    void begin(int op, int seq) {
        begin(op, seq, null);
    }

    /** A new reply to {@code op}/{@code seq}; {@code deferral} makes its {@link DeferredReply} (null: none). */
    void begin(int op, int seq, Supplier<DeferredReply> deferral) {
        this.deferral = deferral;
        this.deferred = false;
        this.op = op;
        this.seq = seq;
        this.status = 0;
        this.length = 0;
        this.fdCount = 0;
        buffer.clear();
        for (int i = 0; i < Abi.MSG_MAX; i += 8) {
            buffer.putLong(i, 0L);
        }
    }

    /** Longest reason a failed reply carries, its NUL included. */
    static final int MAX_REASON = Abi.MSG_REASON_MAX;

    /** Fails the request with {@code errno}: empty payload, no descriptors. */
    public void fail(int errno) {
        status = errno;
        length = 0;
        closeFd();
    }

    /**
     * Fails the request with {@code errno} and says why: the payload is the
     * reason, UTF-8, NUL-terminated, cut to {@link #MAX_REASON} bytes (ff_abi.h:
     * a failed reply's payload, when there is one).  No descriptors.
     */
    public void fail(int errno, String reason) {
        fail(errno);
        if (reason != null && !reason.isEmpty()) {
            for (int i = 0; i < MAX_REASON; i++) {
                buffer.put(Abi.Hdr.SIZE + i, (byte) 0);
            }
            byte[] bytes = reason.getBytes(StandardCharsets.UTF_8);
            int n = Math.min(bytes.length, MAX_REASON - 1);
            while (n > 0 && n < bytes.length && (bytes[n] & 0xC0) == 0x80) {
                n--; // do not cut a UTF-8 sequence in two
            }
            buffer.put(Abi.Hdr.SIZE, bytes, 0, n);
            length = n + 1;
        }
    }

    /**
     * This request is answered later, through the returned handle, from any
     * thread (the answer is written on the control thread); nothing written
     * into this reply is sent.  Until then the connection is not read.
     *
     * @throws IllegalStateException when this reply cannot be deferred
     */
    public DeferredReply defer() {
        if (deferral == null || deferred) {
            throw new IllegalStateException("this reply cannot be deferred");
        }
        closeFd();
        deferred = true;
        return deferral.get();
    }

    /** True once {@link #defer()} was called for this request. */
    boolean deferred() {
        return deferred;
    }

    /** Sets the payload size (the struct of the reply). */
    public void length(int size) {
        length = size;
    }

    /** Attaches a router-made descriptor; the server closes it after sending. */
    public void attach(int descriptor) {
        add(descriptor, true);
    }

    /** Attaches a descriptor the router keeps open (the peer gets a duplicate). */
    public void share(int descriptor) {
        add(descriptor, false);
    }

    private void add(int descriptor, boolean own) {
        if (fdCount == MAX_FDS) {
            throw new IllegalStateException("more than " + MAX_FDS + " descriptors in one reply");
        }
        fds[fdCount] = descriptor;
        owned[fdCount] = own;
        fdCount++;
    }

    public void putInt(int offset, int value) {
        buffer.putInt(Abi.Hdr.SIZE + offset, value);
    }

    public void putLong(int offset, long value) {
        buffer.putLong(Abi.Hdr.SIZE + offset, value);
    }

    public void putShort(int offset, int value) {
        buffer.putShort(Abi.Hdr.SIZE + offset, (short) value);
    }

    public void putByte(int offset, int value) {
        buffer.put(Abi.Hdr.SIZE + offset, (byte) value);
    }

    public void putBytes(int offset, byte[] bytes) {
        buffer.put(Abi.Hdr.SIZE + offset, bytes);
    }

    /** Writes {@code text} NUL-terminated into a {@code size}-byte field (cut to fit). */
    public void putString(int offset, int size, String text) {
        byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
        int n = Math.min(bytes.length, size - 1);
        buffer.put(Abi.Hdr.SIZE + offset, bytes, 0, n);
        buffer.put(Abi.Hdr.SIZE + offset + n, (byte) 0);
    }

    /** The buffer (absolute offsets), for struct writers. */
    public ByteBuffer buffer() {
        return buffer;
    }

    int status() {
        return status;
    }

    /** Writes the header; the buffer then holds exactly the datagram. */
    ByteBuffer finish() {
        buffer.putInt(Abi.Hdr.MAGIC, Abi.ABI_MAGIC);
        buffer.putShort(Abi.Hdr.VERSION, (short) Abi.ABI_VERSION);
        buffer.putShort(Abi.Hdr.OP, (short) op);
        buffer.putInt(Abi.Hdr.SEQ, seq);
        buffer.putInt(Abi.Hdr.STATUS, status);
        buffer.putInt(Abi.Hdr.LEN, length);
        buffer.putInt(Abi.Hdr.RESERVED, 0);
        buffer.position(0).limit(Abi.Hdr.SIZE + length);
        return buffer;
    }

    int[] fds() {
        return java.util.Arrays.copyOf(fds, fdCount);
    }

    /** Closes the attached descriptors the router made for this reply, and forgets the shared ones. */
    void closeFd() {
        for (int i = 0; i < fdCount; i++) {
            if (owned[i]) {
                FileDescriptors.closeQuietly(fds[i]);
            }
        }
        fdCount = 0;
    }
}
