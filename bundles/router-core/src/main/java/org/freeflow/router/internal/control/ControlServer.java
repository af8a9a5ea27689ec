package org.freeflow.router.internal.control;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.function.Consumer;
import org.freeflow.fastpath.api.Abi;
import org.freeflow.fastpath.api.OwnerTasks;
import org.freeflow.posix.api.Datagram;
import org.freeflow.posix.api.Errno;
import org.freeflow.posix.api.EventFd;
import org.freeflow.posix.api.FileDescriptors;
import org.freeflow.posix.api.PollSet;
import org.freeflow.posix.api.PosixException;
import org.freeflow.posix.api.SeqpacketSocket;
import org.freeflow.router.api.ContainerIdentity;
import org.freeflow.router.internal.vnic.VerbsException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The control thread: one poll(2) loop over the listening sockets, their
 * connections and a wake-up eventfd.  One request per readable connection,
 * answered before the next (the FFL waits for each reply).  Garbage closes
 * that connection only.  Listeners, connections and every session run on this
 * thread; other threads hand it work through {@link #call} and {@link #post}.
 * <p>
 * A session whose answer needs a slow service (the orchestrator) defers its
 * reply ({@link Reply#defer}): the connection is not read again until that
 * reply is sent, and every other connection is served meanwhile.
 */
public final class ControlServer implements Runnable {

    private static final Logger LOG = LoggerFactory.getLogger(ControlServer.class);
    private static final int MAX_FDS = 4;

    private final EventFd wakeup;
    private final OwnerTasks tasks = new OwnerTasks("the control thread");
    private final Queue<Runnable> posted = new ConcurrentLinkedQueue<>();
    private final Runnable wake = this::wake;
    private final List<Listener> listeners = new ArrayList<>();
    private final List<Connection> connections = new ArrayList<>();
    private final ByteBuffer in = ByteBuffer.allocateDirect(Abi.MSG_MAX).order(ByteOrder.LITTLE_ENDIAN);
    private final Reply reply = new Reply();
    private final PollSet pollSet = new PollSet(16);
    private volatile boolean running;
    private volatile Thread thread;

    public ControlServer() throws PosixException {
        wakeup = EventFd.create(EventFd.EFD_NONBLOCK);
    }

    public synchronized void start(String name) {
        running = true;
        thread = new Thread(this, name);
        thread.setDaemon(true);
        tasks.owner(thread);
        thread.start();
    }

    /** Stops the thread, then closes every connection and listener. */
    public synchronized void stop() throws InterruptedException {
        Thread t = thread;
        running = false;
        if (t != null) {
            wake();
            t.join();
        }
        thread = null;
        tasks.owner(null);
        for (Connection c : new ArrayList<>(connections)) {
            close(c);
        }
        for (Listener l : new ArrayList<>(listeners)) {
            l.socket.close();
        }
        listeners.clear();
        tasks.cancelPending();
        posted.clear();
        wakeup.close();
    }

    /** True on the control thread. */
    public boolean onControlThread() {
        return tasks.onOwner();
    }

    /** Runs {@code task} on the control thread (inline when called on it) and returns its result. */
    public <T> T call(Callable<T> task) {
        return tasks.call(task, wake);
    }

    /**
     * Runs {@code task} on the control thread soon, without waiting for it
     * (dropped once the server stopped).  Its exceptions are logged.
     */
    public void post(Runnable task) {
        posted.add(task);
        wake();
    }

    private void runPosted() {
        Runnable task;
        while ((task = posted.poll()) != null) {
            try {
                task.run();
            } catch (RuntimeException e) {
                LOG.error("control thread: a posted task failed", e);
            }
        }
    }

    /** The admin socket at {@code path}: root only; each connection gets a session of {@code factory}. */
    public Listener listenAdmin(Path path, SessionFactory factory) throws IOException {
        return listen(path, SocketAccess.rootOnly(), "admin", factory);
    }

    /** A container's socket at {@code path}, admitting the processes of {@code identity} only. */
    public Listener listenContainer(Path path, ContainerIdentity identity, String label, SessionFactory factory)
            throws IOException {
        return listen(path, SocketAccess.forContainer(identity), label, factory);
    }

    private Listener listen(Path path, SocketAccess access, String label, SessionFactory factory)
            throws IOException {
        try {
            return call(() -> {
                SeqpacketSocket socket = SeqpacketSocket.listen(path, access.mode(), access.uid(), access.gid(), 64);
                try {
                    socket.setNonBlocking(true);
                } catch (PosixException e) {
                    socket.close();
                    throw e;
                }
                Listener listener = new Listener(socket, label, factory, access);
                listeners.add(listener);
                return listener;
            });
        } catch (CompletionException e) {
            if (e.getCause() instanceof IOException io) {
                throw io;
            }
            throw e;
        }
    }

    /** Closes the listener (removing its path) and every connection it accepted. */
    public void close(Listener listener) {
        call(() -> {
            listeners.remove(listener);
            for (Connection c : new ArrayList<>(connections)) {
                if (c.listener == listener) {
                    close(c);
                }
            }
            listener.socket.close();
            return null;
        });
    }

    /** Open connections accepted by {@code listener}. */
    public int connections(Listener listener) {
        return call(() -> (int) connections.stream().filter(c -> c.listener == listener).count());
    }

    @Override
    public void run() {
        while (running) {
            Listener[] ls = listeners.toArray(new Listener[0]);
            Connection[] cs = connections.toArray(new Connection[0]);
            pollSet.clear();
            pollSet.add(wakeup.fd(), PollSet.POLLIN);
            for (Listener l : ls) {
                pollSet.add(l.socket.fd(), PollSet.POLLIN);
            }
            for (Connection c : cs) {
                // awaiting its deferred reply, a connection is watched for hang-ups only
                pollSet.add(c.socket.fd(), c.awaitingReply() ? 0 : PollSet.POLLIN);
            }
            try {
                pollSet.poll(-1);
                if (pollSet.revents(0) != 0) {
                    wakeup.drain();
                }
            } catch (PosixException e) {
                LOG.error("control loop: poll failed", e);
                continue;
            }
            tasks.runPending();
            runPosted();
            for (int i = 0; i < ls.length; i++) {
                if (pollSet.revents(1 + i) != 0 && listeners.contains(ls[i])) {
                    accept(ls[i]);
                }
            }
            for (int i = 0; i < cs.length; i++) {
                short events = pollSet.revents(1 + ls.length + i);
                if (events != 0 && !cs[i].closed) {
                    serve(cs[i], events);
                }
            }
        }
    }

    private void accept(Listener listener) {
        try {
            SeqpacketSocket socket;
            while ((socket = listener.socket.accept()) != null) {
                socket.setNonBlocking(true);
                connections.add(new Connection(socket, listener, admit(listener, socket)));
            }
        } catch (PosixException | RuntimeException e) {
            LOG.error("{}: accept failed", listener.label, e);
        }
    }

    /** The session of a new connection: the listener's, or a refusal when its peer is not admitted. */
    private static Session admit(Listener listener, SeqpacketSocket socket) throws PosixException {
        PeerProcess peer = PeerProcess.of(socket.peerCredentials());
        if (!listener.access.admits().test(peer)) {
            listener.countRefusal();
            LOG.error("{}: refused a connection from {}: the socket admits {}", listener.label, peer,
                    listener.access.description());
            return new RefusedSession(peer + " is not " + listener.access.description());
        }
        LOG.debug("{}: connection from {} accepted", listener.label, peer);
        return listener.factory.open();
    }

    private void serve(Connection c, short events) {
        if ((events & PollSet.POLLIN) == 0) {
            close(c);
            return;
        }
        Datagram datagram;
        try {
            datagram = c.socket.receive(in, MAX_FDS);
        } catch (PosixException e) {
            LOG.debug("{}: receive failed, closing the connection", c.listener.label, e);
            close(c);
            return;
        }
        if (datagram == null) {
            return;
        }
        try {
            if (datagram.endOfStream()) {
                close(c);
                return;
            }
            String problem = Framing.problem(in, datagram);
            if (problem != null) {
                LOG.error("{}: garbage on the control socket ({}); closing that connection", c.listener.label,
                        problem);
                close(c);
                return;
            }
            answer(c, new Request(in, datagram.fds()));
        } finally {
            FileDescriptors.closeQuietly(datagram.fds());
        }
    }

    private void answer(Connection c, Request request) {
        int op = request.op();
        int seq = request.seq();
        reply.begin(op, seq, () -> new DeferredReply(fill -> post(() -> completeDeferred(c, op, seq, fill)), op, seq));
        try {
            c.session.handle(request, reply);
            if (reply.deferred()) {
                c.awaitReply();
                return;
            }
        } catch (VerbsException e) {
            LOG.debug("{}: op {} refused ({}): {}", c.listener.label, request.op(), Errno.name(e.errno()),
                    e.getMessage());
            failWith(c, e);
        } catch (RuntimeException e) {
            LOG.error("{}: op {} failed", c.listener.label, request.op(), e);
            reply.fail(Errno.EIO);
        }
        send(c);
    }

    /**
     * A deferred reply's turn (on this thread): {@code fill} writes it (or
     * throws {@link VerbsException} to fail it), then it is sent and the
     * connection read again.  Dropped when the connection closed meanwhile.
     */
    void completeDeferred(Connection c, int op, int seq, Consumer<Reply> fill) {
        if (c.closed) {
            LOG.debug("{}: the peer left before the reply of op {}", c.listener.label, op);
            return;
        }
        c.replied();
        reply.begin(op, seq);
        try {
            fill.accept(reply);
        } catch (VerbsException e) {
            LOG.debug("{}: op {} refused ({}): {}", c.listener.label, op, Errno.name(e.errno()), e.getMessage());
            failWith(c, e);
        } catch (RuntimeException e) {
            LOG.error("{}: op {} failed", c.listener.label, op, e);
            reply.fail(Errno.EIO);
        }
        send(c);
    }

    private void failWith(Connection c, VerbsException e) {
        if (c.session.explainsFailures()) {
            reply.fail(e.errno(), e.getMessage());
        } else {
            reply.fail(e.errno());
        }
    }

    private void send(Connection c) {
        try {
            c.socket.send(reply.finish(), reply.fds());
        } catch (PosixException e) {
            LOG.debug("{}: reply failed, closing the connection", c.listener.label, e);
            close(c);
        } finally {
            reply.closeFd();
        }
        if (c.session.endsAfterReply()) {
            close(c);
        }
    }

    private void close(Connection c) {
        if (c.closed) {
            return;
        }
        c.closed = true;
        connections.remove(c);
        c.socket.close();
        try {
            c.session.close();
        } catch (RuntimeException e) {
            LOG.error("{}: closing a session failed", c.listener.label, e);
        }
        LOG.debug("{}: connection closed", c.listener.label);
    }

    private void wake() {
        try {
            wakeup.signal(1);
        } catch (PosixException e) {
            LOG.error("cannot wake the control thread", e);
        }
    }
}
