package org.freeflow.posix.api;

import com.sun.jna.Memory;
import com.sun.jna.Native;
import com.sun.jna.Pointer;
import java.io.Closeable;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import org.freeflow.posix.internal.LibC;
import org.freeflow.posix.internal.MessageHeaders;
import org.freeflow.posix.internal.SocketAddresses;
import org.freeflow.posix.internal.Syscalls;

/**
 * A Unix {@code SOCK_SEQPACKET} socket: connection-oriented, one datagram per
 * send, with file descriptors carried as {@code SCM_RIGHTS}.  Descriptors are
 * close-on-exec.  Not thread-safe: one thread sends and receives at a time.
 */
public final class SeqpacketSocket implements Closeable {

    private static final LibC C = LibC.INSTANCE;

    private final int fd;
    private final Path boundPath;
    private boolean closed;

    private SeqpacketSocket(int fd, Path boundPath) {
        this.fd = fd;
        this.boundPath = boundPath;
    }

    /**
     * Binds a listening socket at {@code path} with permission bits {@code mode}
     * (e.g. 0600).  A stale file at the path is replaced.  The socket is bound
     * under a temporary name, given its mode, then renamed into place, so no
     * client ever sees it with other permissions.  Closing it removes the path.
     */
    public static SeqpacketSocket listen(Path path, int mode, int backlog) throws IOException {
        return listen(path, mode, -1, -1, backlog);
    }

    /**
     * As {@link #listen(Path, int, int)}, the socket file owned by {@code uid}
     * and {@code gid} (-1: unchanged), set before it is renamed into place.
     */
    public static SeqpacketSocket listen(Path path, int mode, int uid, int gid, int backlog) throws IOException {
        Path tmp = path.resolveSibling("." + path.getFileName() + ".tmp");
        Memory addr = SocketAddresses.unix(tmp.toAbsolutePath());
        SocketAddresses.unix(path.toAbsolutePath());
        if (Files.isDirectory(path, LinkOption.NOFOLLOW_LINKS)) {
            throw new IOException("a directory is in the way of socket " + path);
        }
        Files.deleteIfExists(tmp);
        int fd = Syscalls.check(C.socket(LibC.AF_UNIX, LibC.SOCK_SEQPACKET | LibC.SOCK_CLOEXEC, 0), "socket");
        try {
            Syscalls.check(C.bind(fd, addr, SocketAddresses.SIZE), "bind(" + tmp + ")");
            if (uid != -1 || gid != -1) {
                Syscalls.check(C.chown(tmp.toString(), uid, gid), "chown(" + tmp + ")");
            }
            Syscalls.check(C.chmod(tmp.toString(), mode), "chmod(" + tmp + ")");
            Syscalls.check(C.listen(fd, backlog), "listen(" + tmp + ")");
            Files.move(tmp, path, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException | RuntimeException e) {
            C.close(fd);
            Files.deleteIfExists(tmp);
            throw e;
        }
        return new SeqpacketSocket(fd, path);
    }

    /** Connects to the listening socket at {@code path}. */
    public static SeqpacketSocket connect(Path path) throws PosixException {
        Memory addr = SocketAddresses.unix(path);
        int fd = Syscalls.check(C.socket(LibC.AF_UNIX, LibC.SOCK_SEQPACKET | LibC.SOCK_CLOEXEC, 0), "socket");
        if (C.connect(fd, addr, SocketAddresses.SIZE) < 0) {
            int errno = Syscalls.lastErrno();
            C.close(fd);
            throw new PosixException("connect(" + path + ")", errno);
        }
        return new SeqpacketSocket(fd, null);
    }

    /** Two connected sockets (socketpair). */
    public static SeqpacketSocket[] pair() throws PosixException {
        int[] sv = new int[2];
        Syscalls.check(C.socketpair(LibC.AF_UNIX, LibC.SOCK_SEQPACKET | LibC.SOCK_CLOEXEC, 0, sv), "socketpair");
        return new SeqpacketSocket[] {new SeqpacketSocket(sv[0], null), new SeqpacketSocket(sv[1], null)};
    }

    /**
     * Accepts one connection.  Returns null when the socket is non-blocking and
     * nobody is waiting.
     */
    public SeqpacketSocket accept() throws PosixException {
        int client = C.accept4(fd, null, null, LibC.SOCK_CLOEXEC);
        if (client < 0) {
            int errno = Syscalls.lastErrno();
            if (Syscalls.transientErrno(errno)) {
                return null;
            }
            throw new PosixException("accept", errno);
        }
        return new SeqpacketSocket(client, null);
    }

    /** Switches O_NONBLOCK. */
    public void setNonBlocking(boolean nonBlocking) throws PosixException {
        FileDescriptors.setNonBlocking(fd, nonBlocking);
    }

    /**
     * Sends {@code data}'s position..limit as one datagram, with {@code fds}
     * attached.  The buffer's position does not move; the descriptors stay
     * open in this process (the peer gets duplicates).
     */
    public void send(ByteBuffer data, int... fds) throws PosixException {
        int length = data.remaining();
        Pointer ptr;
        Object owner;
        if (data.isDirect()) {
            ptr = Native.getDirectBufferPointer(data).share(data.position());
            owner = data;
        } else {
            Memory copy = new Memory(Math.max(1, length));
            byte[] bytes = new byte[length];
            data.duplicate().get(bytes);
            copy.write(0, bytes, 0, length);
            ptr = copy;
            owner = copy;
        }
        MessageHeaders.Message msg = MessageHeaders.build(ptr, owner, length, fds, 0);
        try {
            while (true) {
                long n = C.sendmsg(fd, msg.header(), LibC.MSG_NOSIGNAL);
                if (n >= 0) {
                    return;
                }
                int errno = Syscalls.lastErrno();
                if (errno != Errno.EINTR) {
                    throw new PosixException("sendmsg", errno);
                }
            }
        } finally {
            msg.keepUntilHere();
        }
    }

    /**
     * Receives one datagram into the direct buffer {@code into}, from index 0
     * up to its capacity; on return position is 0 and limit the bytes stored.
     * Up to {@code maxFds} descriptors are accepted.  Returns null when the
     * socket is non-blocking and nothing is queued.
     */
    public Datagram receive(ByteBuffer into, int maxFds) throws PosixException {
        if (!into.isDirect()) {
            throw new IllegalArgumentException("receive needs a direct buffer");
        }
        Pointer ptr = Native.getDirectBufferPointer(into);
        MessageHeaders.Message msg = MessageHeaders.build(ptr, into, into.capacity(), null, maxFds);
        long n;
        int flags;
        int[] fds;
        try {
            while (true) {
                n = C.recvmsg(fd, msg.header(), LibC.MSG_TRUNC | LibC.MSG_CMSG_CLOEXEC);
                if (n >= 0) {
                    break;
                }
                int errno = Syscalls.lastErrno();
                if (errno == Errno.EAGAIN) {
                    return null;
                }
                if (errno != Errno.EINTR) {
                    throw new PosixException("recvmsg", errno);
                }
            }
            flags = MessageHeaders.flags(msg.header());
            fds = MessageHeaders.receivedFds(msg.header());
        } finally {
            msg.keepUntilHere();
        }
        into.clear();
        into.limit((int) Math.min(n, into.capacity()));
        return new Datagram((int) Math.min(n, Integer.MAX_VALUE), (flags & LibC.MSG_TRUNC) != 0,
                (flags & LibC.MSG_CTRUNC) != 0, fds);
    }

    /** Who connected (SO_PEERCRED). */
    public PeerCredentials peerCredentials() throws PosixException {
        Memory cred = new Memory(12);
        Memory len = new Memory(4);
        len.setInt(0, 12);
        Syscalls.check(C.getsockopt(fd, LibC.SOL_SOCKET, LibC.SO_PEERCRED, cred, len), "getsockopt(SO_PEERCRED)");
        return new PeerCredentials(cred.getInt(0), cred.getInt(4), cred.getInt(8));
    }

    /** The descriptor, for {@link PollSet}. */
    public int fd() {
        return fd;
    }

    /** The path a listening socket is bound to, or null. */
    public Path path() {
        return boundPath;
    }

    /** Closes the socket (idempotent); a listening socket also removes its path. */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        C.close(fd);
        if (boundPath != null) {
            try {
                Files.deleteIfExists(boundPath);
            } catch (IOException e) {
                // the directory went away or is read-only: nothing left to clean
            }
        }
    }

    @Override
    public String toString() {
        return "SeqpacketSocket[fd=" + fd + (boundPath != null ? ", " + boundPath : "") + "]";
    }
}
