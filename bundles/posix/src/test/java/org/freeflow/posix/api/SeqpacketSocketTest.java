package org.freeflow.posix.api;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SeqpacketSocketTest {

    @TempDir
    Path dir;

    @Test
    void pairCarriesOneDatagramAndAnFd() throws Exception {
        SeqpacketSocket[] pair = SeqpacketSocket.pair();
        int memfd = MemFd.create("round-trip");
        MemFd.truncate(memfd, 4096);
        try (SeqpacketSocket a = pair[0]; SeqpacketSocket b = pair[1];
                MappedRegion mine = MappedRegion.map(memfd, 0, 4096, true)) {
            mine.chunk(0).putLong(8, 0x1122334455667788L);
            a.send(ByteBuffer.wrap("hello".getBytes(StandardCharsets.US_ASCII)), memfd);

            ByteBuffer in = ByteBuffer.allocateDirect(64);
            Datagram d = b.receive(in, 4);
            assertEquals(5, d.length());
            assertFalse(d.truncated());
            assertEquals(5, in.remaining());
            byte[] text = new byte[5];
            in.get(text);
            assertArrayEquals("hello".getBytes(StandardCharsets.US_ASCII), text);
            assertEquals(1, d.fds().length);
            int received = d.fds()[0];
            assertNotEquals(memfd, received);
            assertEquals(4096, MemFd.size(received));
            try (MappedRegion theirs = MappedRegion.map(received, 0, 4096, true)) {
                assertEquals(0x1122334455667788L, theirs.chunk(0).getLong(8));
            }
            FileDescriptors.close(received);
        } finally {
            FileDescriptors.close(memfd);
        }
    }

    /**
     * The msghdr's iovec and control area are native blocks only the header
     * holder references from Java: datagrams with descriptors, sent and
     * received while collections run, must all arrive intact (when the
     * collector freed those blocks during recvmsg, the kernel wrote the
     * control message into freed memory and the JVM aborted, "malloc_consolidate():
     * unaligned fastbin chunk detected").
     */
    @Test
    void datagramsWithDescriptorsSurviveGarbageCollections() throws Exception {
        SeqpacketSocket[] pair = SeqpacketSocket.pair();
        int memfd = MemFd.create("gc");
        Thread churn = new Thread(() -> {
            while (!Thread.currentThread().isInterrupted()) {
                System.gc();
            }
        });
        churn.setDaemon(true);
        churn.start();
        try (SeqpacketSocket a = pair[0]; SeqpacketSocket b = pair[1]) {
            ByteBuffer in = ByteBuffer.allocateDirect(64);
            for (int i = 0; i < 3000; i++) {
                a.send(ByteBuffer.wrap(new byte[] {(byte) i, 2, 3}), memfd, memfd);
                Datagram d = b.receive(in, 4);
                assertEquals(3, d.length());
                assertEquals((byte) i, in.get(0));
                assertEquals(2, d.fds().length, "datagram " + i);
                for (int fd : d.fds()) {
                    assertEquals(0, MemFd.size(fd));
                    FileDescriptors.close(fd);
                }
            }
        } finally {
            churn.interrupt();
            churn.join();
            FileDescriptors.close(memfd);
        }
    }

    @Test
    void oversizedDatagramIsReportedTruncated() throws Exception {
        SeqpacketSocket[] pair = SeqpacketSocket.pair();
        try (SeqpacketSocket a = pair[0]; SeqpacketSocket b = pair[1]) {
            a.send(ByteBuffer.allocateDirect(100));
            a.send(ByteBuffer.allocateDirect(3));
            ByteBuffer in = ByteBuffer.allocateDirect(16);
            Datagram big = b.receive(in, 0);
            assertTrue(big.truncated());
            assertEquals(100, big.length());
            assertEquals(16, in.remaining());
            Datagram next = b.receive(in, 0);
            assertFalse(next.truncated(), "the rest of a truncated datagram is dropped, not delivered");
            assertEquals(3, next.length());
        }
    }

    @Test
    void closedPeerReadsAsEndOfStreamAndEmptyNonBlockingReadAsNull() throws Exception {
        SeqpacketSocket[] pair = SeqpacketSocket.pair();
        try (SeqpacketSocket b = pair[1]) {
            b.setNonBlocking(true);
            assertNull(b.receive(ByteBuffer.allocateDirect(8), 0));
            pair[0].close();
            assertTrue(b.receive(ByteBuffer.allocateDirect(8), 0).endOfStream());
        }
    }

    @Test
    void listenerHasItsModeAndAcceptsConnections() throws Exception {
        Path path = dir.resolve("admin.sock");
        try (SeqpacketSocket listener = SeqpacketSocket.listen(path, 0600, 8)) {
            assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(path)));
            try (SeqpacketSocket client = SeqpacketSocket.connect(path);
                    SeqpacketSocket server = listener.accept()) {
                assertEquals(ProcessHandle.current().pid(), server.peerCredentials().pid());
                server.send(ByteBuffer.wrap(new byte[] {42}));
                ByteBuffer in = ByteBuffer.allocateDirect(4);
                assertEquals(1, client.receive(in, 0).length());
                assertEquals(42, in.get(0));
            }
        }
        assertFalse(Files.exists(path), "closing the listener removes its path");
    }

    @Test
    void listenReplacesAStaleSocketFile() throws Exception {
        Path path = dir.resolve("c.sock");
        SeqpacketSocket first = SeqpacketSocket.listen(path, 0666, 8);
        try (SeqpacketSocket second = SeqpacketSocket.listen(path, 0666, 8)) {
            assertEquals("rw-rw-rw-", PosixFilePermissions.toString(Files.getPosixFilePermissions(path)));
            try (SeqpacketSocket client = SeqpacketSocket.connect(path)) {
                second.setNonBlocking(true);
                try (SeqpacketSocket accepted = second.accept()) {
                    assertTrue(accepted != null);
                }
            }
        } finally {
            first.close();
        }
    }

    @Test
    void connectToNothingFailsWithErrno() {
        PosixException e = assertThrows(PosixException.class,
                () -> SeqpacketSocket.connect(dir.resolve("nobody.sock")));
        assertEquals(Errno.ENOENT, e.errno());
    }

    @Test
    void tooLongPathIsRejected() {
        Path path = dir.resolve("x".repeat(120));
        assertThrows(IllegalArgumentException.class, () -> SeqpacketSocket.connect(path));
    }
}
