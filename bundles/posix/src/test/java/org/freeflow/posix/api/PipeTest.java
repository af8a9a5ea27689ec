package org.freeflow.posix.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.FileInputStream;
import java.io.FileOutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/**
 * The end this process uses never blocks, whatever the holder of the other
 * end does to its descriptor: here that holder is this test, with the very
 * descriptor it would have received (same open file description).
 */
class PipeTest {

    private static final Duration NEVER_BLOCKS = Duration.ofSeconds(10);

    @Test
    void aWriterNeverBlocksOnAPeerThatClearedONonblockAndNeverReads() throws Exception {
        try (Pipe pipe = Pipe.forWriting()) {
            FileDescriptors.setNonBlocking(pipe.readFd(), false);
            assertFalse(FileDescriptors.isNonBlocking(pipe.readFd()));
            assertTrue(FileDescriptors.isNonBlocking(pipe.writeFd()));
            long written = assertTimeoutPreemptively(NEVER_BLOCKS, () -> {
                long n = 0;
                while (pipe.writeByte()) {
                    n++;
                }
                return n;
            });
            assertTrue(written >= 4096, "a pipe holds at least a page: " + written);
            assertFalse(pipe.writeByte(), "full: the byte is lost, the writer goes on");
        }
    }

    @Test
    void thePeerCannotMakeTheWriterBlockThroughProc() throws Exception {
        try (Pipe pipe = Pipe.forWriting();
                FileOutputStream reopened = new FileOutputStream("/proc/self/fd/" + pipe.readFd())) {
            // the reading end reopened for writing is a new open file description: its flags are the peer's own
            byte[] junk = new byte[4096];
            while (pipe.writeByte()) {
                reopened.write(junk, 0, 1);
            }
            assertTimeoutPreemptively(NEVER_BLOCKS, () -> assertFalse(pipe.writeByte()));
        }
    }

    @Test
    void bytesWrittenAreReadByThePeer() throws Exception {
        try (Pipe pipe = Pipe.forWriting();
                FileInputStream peer = new FileInputStream("/proc/self/fd/" + pipe.readFd())) {
            assertTrue(pipe.writeByte());
            assertTrue(pipe.writeByte());
            assertEquals(1, peer.read());
            assertEquals(1, peer.read());
        }
    }

    @Test
    void aReaderDrainsWithoutBlockingWhateverThePeerDid() throws Exception {
        try (Pipe pipe = Pipe.forReading()) {
            FileDescriptors.setNonBlocking(pipe.writeFd(), false);
            assertTimeoutPreemptively(NEVER_BLOCKS, () -> assertEquals(0, pipe.drain()));
            try (FileOutputStream peer = new FileOutputStream("/proc/self/fd/" + pipe.writeFd())) {
                peer.write(new byte[] {1, 1, 1});
            }
            assertEquals(3, pipe.drain());
            assertEquals(0, pipe.drain());
        }
    }

    @Test
    void aPeerFloodingThePipeCannotHoldADrainForever() throws Exception {
        try (Pipe pipe = Pipe.forReading()) {
            assertTrue(pipe.capacity(1 << 20) || pipe.capacity(1 << 16));
            Thread flooder = new Thread(() -> {
                try (FileOutputStream peer = new FileOutputStream("/proc/self/fd/" + pipe.writeFd())) {
                    byte[] block = new byte[65536];
                    while (!Thread.currentThread().isInterrupted()) {
                        peer.write(block);
                    }
                } catch (Exception e) {
                    // interrupted or the pipe went away: the flood ends
                }
            });
            flooder.setDaemon(true);
            flooder.start();
            try {
                long drained = assertTimeoutPreemptively(NEVER_BLOCKS, pipe::drain);
                assertTrue(drained <= 1 << 18, "bounded: " + drained);
            } finally {
                flooder.interrupt();
                pipe.drain();
            }
        }
    }

    @Test
    void fileStatusTellsAPipeEndFromAMemfd() throws Exception {
        try (Pipe pipe = Pipe.forWriting()) {
            FileStatus read = FileStatus.of(pipe.readFd());
            FileStatus write = FileStatus.of(pipe.writeFd());
            assertTrue(read.isFifo());
            assertEquals(FileStatus.O_RDONLY, read.accessMode());
            assertEquals(FileStatus.O_WRONLY, write.accessMode());
            assertFalse(read.isTmpfsFile());
        }
        int memfd = MemFd.create("status");
        try {
            FileStatus s = FileStatus.of(memfd);
            assertTrue(s.isTmpfsFile(), "a memfd lives on tmpfs: " + Long.toHexString(s.filesystem()));
            assertEquals(FileStatus.O_RDWR, s.accessMode());
            assertFalse(s.isFifo());
        } finally {
            FileDescriptors.close(memfd);
        }
    }

    @Test
    void fileStatusKnowsANetworkNamespace() throws Exception {
        Path netns = Path.of("/proc/self/ns/net");
        int fd = FileDescriptors.openReadOnly(netns);
        try {
            FileStatus s = FileStatus.of(fd);
            assertTrue(s.isNamespace(), Long.toHexString(s.filesystem()));
            assertEquals(Files.getAttribute(netns, "unix:ino"), s.inode());
            assertEquals(Files.getAttribute(netns, "unix:dev"), s.device());
        } finally {
            FileDescriptors.close(fd);
        }
    }
}
