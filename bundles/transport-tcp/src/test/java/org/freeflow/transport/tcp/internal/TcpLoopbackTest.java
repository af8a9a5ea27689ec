package org.freeflow.transport.tcp.internal;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.channels.SocketChannel;
import java.util.List;
import java.util.Optional;
import org.freeflow.fastpath.api.PollerMode;
import org.freeflow.fastpath.internal.PollerGroup;
import org.freeflow.fastpath.internal.PollerSettings;
import org.freeflow.router.api.transport.Connection;
import org.freeflow.router.api.transport.Destination;
import org.freeflow.router.api.transport.LocalResponders;
import org.freeflow.router.api.transport.LoopbackTransport;
import org.junit.jupiter.api.Test;

/** The transport's loopback: two endpoints of its own that carry work requests to the responders given. */
class TcpLoopbackTest {

    private static final Destination REQUESTER = new Destination(1, null, 10);

    @Test
    void workRequestsTakeTheLoopbackToTheRespondersGivenAndClosingItClosesItsSockets() throws Exception {
        PollerSettings settings = PollerSettings.defaults().withMode(PollerMode.ADAPTIVE).withPollers(1);
        try (PollerGroup pollers = new PollerGroup("loopback-test", settings)) {
            TcpTransport transport = new TcpTransport(d -> Optional.empty(), pollers, 0, "127.0.0.1", 1, 8L << 20);
            MemoryResponder responder = new MemoryResponder(7, 20);
            responder.post(3);
            LocalResponders responders = d -> d.lid() == 7 && d.qpn() == 20 ? Optional.of(responder)
                    : Optional.empty();
            Recorder acks = new Recorder();
            try (LoopbackTransport loopback = transport.loopback(responders).orElseThrow()) {
                assertEquals("tcp", loopback.name());
                Connection c = loopback.connect(new Destination(7, null, 20), REQUESTER, acks).orElseThrow();
                int[] sizes = {100, 80 << 10, 3000};
                for (int i = 0; i < sizes.length; i++) {
                    c.post(Request.send(i, bytes(sizes[i], i)));
                    c.flush();
                }
                assertTrue(acks.awaitAcknowledged(2), "acknowledged through " + acks.acknowledged());
                assertEquals(List.of(), acks.refusals());
                List<byte[]> got = responder.received();
                assertEquals(sizes.length, got.size());
                for (int i = 0; i < sizes.length; i++) {
                    assertArrayEquals(bytes(sizes[i], i), got.get(i), "SEND " + i);
                }
                assertTrue(transport.links().isEmpty(), "the transport it was made from dialed nothing");
                assertEquals(0, transport.openConnections());
                c.close();
            }
            transport.close();
        }
        assertEquals(0, Request.held(), "memory of a sent frame still held once the loopback closed");
    }

    @Test
    void itsRespondingEndpointListensOnTheLoopbackInterfaceOnlyUntilClosed() throws Exception {
        PollerSettings settings = PollerSettings.defaults().withMode(PollerMode.ADAPTIVE).withPollers(1);
        try (PollerGroup pollers = new PollerGroup("loopback-test", settings)) {
            TcpTransport transport = new TcpTransport(d -> Optional.empty(), pollers, 0, "127.0.0.1", 1, 8L << 20);
            TcpLoopback loopback = (TcpLoopback) transport.loopback(d -> Optional.empty()).orElseThrow();
            InetSocketAddress at = new InetSocketAddress(InetAddress.getLoopbackAddress(), loopback.respondingPort());
            try (SocketChannel reached = SocketChannel.open(at)) {
                assertTrue(reached.isConnected());
            }
            loopback.close();
            assertTrue(refusedWithin(at, 10_000), "still listening after close");
            transport.close();
        }
    }

    /** True once a connection to {@code at} is refused (the acceptor thread closes the socket when it wakes). */
    private static boolean refusedWithin(InetSocketAddress at, long millis) throws InterruptedException {
        long end = System.nanoTime() + millis * 1_000_000;
        do {
            try (SocketChannel reached = SocketChannel.open(at)) {
                Thread.sleep(10);
            } catch (IOException refused) {
                return true;
            }
        } while (System.nanoTime() < end);
        return false;
    }

    private static byte[] bytes(int length, int seed) {
        byte[] b = new byte[length];
        for (int k = 0; k < length; k++) {
            b[k] = (byte) (seed * 31 + k);
        }
        return b;
    }
}
