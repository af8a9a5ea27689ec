package org.freeflow.transport.tcp.internal;

import java.io.DataInputStream;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Another router as far as the wire shows: it accepts one connection,
 * answers HELLO, records the PSN of every REQUEST that comes in and answers
 * only what a test tells it to ({@link #send}): what a transport sends, and
 * how often, is seen frame by frame.
 */
final class ListeningRouter implements AutoCloseable {

    private final ServerSocket server;
    private final Thread reader;
    private final List<Long> psns = new ArrayList<>();
    private volatile Socket socket;
    private volatile long connection = -1;

    ListeningRouter(String address, int port) throws IOException {
        server = new ServerSocket(port, 1, InetAddress.getByName(address));
        reader = new Thread(this::run, "listening-router");
        reader.setDaemon(true);
        reader.start();
    }

    private void run() {
        try (Socket s = server.accept(); DataInputStream in = new DataInputStream(s.getInputStream())) {
            socket = s;
            byte[] header = new byte[Wire.HEADER];
            while (true) {
                in.readFully(header);
                ByteBuffer h = ByteBuffer.wrap(header);
                byte[] body = new byte[h.getInt(8)];
                in.readFully(body);
                int type = h.get(5) & 0xff;
                if (type == Wire.HELLO) {
                    send(Wire.hello(0x5eed, Wire.Hello.of(ByteBuffer.wrap(body)).index(), "hb"));
                } else if (type == Wire.REQUEST) {
                    ByteBuffer b = ByteBuffer.wrap(body);
                    connection = b.getLong(Requests.CONNECTION);
                    synchronized (psns) {
                        psns.add(b.getLong(Requests.PSN));
                        psns.notifyAll();
                    }
                }
            }
        } catch (IOException | Wire.ProtocolException e) {
            // closed
        }
    }

    /** Writes {@code frame} (flipped) to the transport. */
    synchronized void send(ByteBuffer frame) throws IOException {
        socket.getOutputStream().write(frame.array(), frame.arrayOffset() + frame.position(), frame.remaining());
        socket.getOutputStream().flush();
    }

    /** The requester connection the last REQUEST came from. */
    long connection() {
        return connection;
    }

    /** The PSNs of the REQUESTs received, once there are {@code n} of them (or after 30 s). */
    List<Long> awaitRequests(int n) throws InterruptedException {
        long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        synchronized (psns) {
            while (psns.size() < n && System.nanoTime() < end) {
                psns.wait(100);
            }
            return List.copyOf(psns);
        }
    }

    @Override
    public void close() throws IOException {
        server.close();
        Socket s = socket;
        if (s != null) {
            s.close();
        }
    }
}
