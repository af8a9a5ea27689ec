package org.freeflow.router.internal.testing;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import org.freeflow.fastpath.api.Abi;
import org.freeflow.posix.api.Datagram;
import org.freeflow.posix.api.PosixException;
import org.freeflow.posix.api.SeqpacketSocket;

/** Speaks the control protocol as the FFL or ffctl would. */
public final class WireClient implements AutoCloseable {

    /**
     * A reply.
     *
     * @param op      echoed op
     * @param seq     echoed seq
     * @param status  0 or errno
     * @param payload the payload (little-endian, from index 0)
     * @param fds     descriptors that came with it
     */
    public record Response(int op, int seq, int status, ByteBuffer payload, int[] fds) {
    }

    private final SeqpacketSocket socket;
    private int seq = 1000;

    public WireClient(Path path) throws PosixException {
        socket = SeqpacketSocket.connect(path);
    }

    public Response call(int op, ByteBuffer payload, int... fds) throws PosixException {
        send(op, payload, fds);
        return receive();
    }

    /** Sends a request without waiting for its reply ({@link #receive} it later). */
    public void send(int op, ByteBuffer payload, int... fds) throws PosixException {
        int length = payload == null ? 0 : payload.remaining();
        ByteBuffer out = ByteBuffer.allocateDirect(Abi.Hdr.SIZE + length).order(ByteOrder.LITTLE_ENDIAN);
        out.putInt(Abi.Hdr.MAGIC, Abi.ABI_MAGIC);
        out.putShort(Abi.Hdr.VERSION, (short) Abi.ABI_VERSION);
        out.putShort(Abi.Hdr.OP, (short) op);
        out.putInt(Abi.Hdr.SEQ, ++seq);
        out.putInt(Abi.Hdr.LEN, length);
        if (payload != null) {
            out.put(Abi.Hdr.SIZE, payload, payload.position(), length);
        }
        socket.send(out, fds);
    }

    public Response receive() throws PosixException {
        ByteBuffer in = ByteBuffer.allocateDirect(Abi.MSG_MAX).order(ByteOrder.LITTLE_ENDIAN);
        Datagram d = socket.receive(in, 4);
        if (d.endOfStream()) {
            return null;
        }
        ByteBuffer payload = ByteBuffer.allocate(in.getInt(Abi.Hdr.LEN)).order(ByteOrder.LITTLE_ENDIAN);
        payload.put(0, in, Abi.Hdr.SIZE, payload.capacity());
        return new Response(Short.toUnsignedInt(in.getShort(Abi.Hdr.OP)), in.getInt(Abi.Hdr.SEQ),
                in.getInt(Abi.Hdr.STATUS), payload, d.fds());
    }

    /** Sends bytes as they are (for garbage). */
    public void sendRaw(ByteBuffer datagram) throws PosixException {
        socket.send(datagram);
    }

    /** True when the router closed this connection. */
    public boolean closedByPeer() throws PosixException {
        return socket.receive(ByteBuffer.allocateDirect(Abi.MSG_MAX), 4).endOfStream();
    }

    public int lastSeq() {
        return seq;
    }

    /** A payload buffer of {@code size} zero bytes. */
    public static ByteBuffer payload(int size) {
        return ByteBuffer.allocate(size).order(ByteOrder.LITTLE_ENDIAN);
    }

    /** Writes a NUL-terminated string into a payload. */
    public static void putString(ByteBuffer payload, int offset, String text) {
        payload.put(offset, text.getBytes(StandardCharsets.UTF_8));
    }

    /** Reads a NUL-terminated string out of a payload. */
    public static String string(ByteBuffer payload, int offset, int size) {
        int n = 0;
        while (n < size && payload.get(offset + n) != 0) {
            n++;
        }
        byte[] bytes = new byte[n];
        payload.get(offset, bytes);
        return new String(bytes, StandardCharsets.UTF_8);
    }

    @Override
    public void close() {
        socket.close();
    }
}
