package org.freeflow.router.internal.vnic;

import static org.freeflow.fastpath.api.Verbs.*;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.freeflow.router.api.transport.Acknowledgements;
import org.freeflow.router.api.transport.Connection;
import org.freeflow.router.api.transport.DatagramSink;
import org.freeflow.router.api.transport.Destination;
import org.freeflow.router.api.transport.InPlaceSink;
import org.freeflow.router.api.transport.Outcome;
import org.freeflow.router.api.transport.Payload;
import org.freeflow.router.api.transport.Responder;
import org.freeflow.router.api.transport.Transport;
import org.freeflow.router.api.transport.WorkRequest;

/**
 * A transport that answers later, as one across a network does, driven by
 * the test (READ data and atomic values travel back in buffers of its own,
 * which the requester places): posts wait in a queue (up to {@link #capacity}, then BUSY) until
 * {@link DeferredConnection#deliver} carries those the requester flushed to the responder, which
 * executes each sequence number once (a duplicate is acknowledged again, an
 * atomic's duplicate answered from what it did; after a refusal it drops what
 * follows until the refused number comes again) and reports back.  Messages
 * can be lost, and acknowledgements too.
 */
final class DeferredTransport implements Transport {

    private final QpDirectory directory;
    final List<DeferredConnection> connections = new ArrayList<>();
    int capacity = Integer.MAX_VALUE;
    /** Connections hold the data of SENDs and WRITEs (as a zero-copy transport does) instead of copying it. */
    boolean holdData;

    DeferredTransport(QpDirectory directory) {
        this.directory = directory;
    }

    @Override
    public String name() {
        return "deferred";
    }

    @Override
    public int priority() {
        return 0;
    }

    private Optional<Responder> find(Destination destination) {
        QueuePair qp = directory.get(destination.qpn());
        return qp == null || qp.destroyed() || qp.vnic.lid() != destination.lid() ? Optional.empty()
                : Optional.ofNullable(qp.receive().responder());
    }

    @Override
    public Optional<Connection> connect(Destination responder, Destination requester, Acknowledgements acks) {
        return find(responder).map(r -> {
            DeferredConnection c = new DeferredConnection(r, requester, acks);
            connections.add(c);
            return c;
        });
    }

    @Override
    public Optional<DatagramSink> datagrams(Destination destination) {
        return find(destination).map(r -> r);
    }

    /** The last connection QP {@code requesterQpn} made (requesters connect at RTR, both ends of a pair). */
    DeferredConnection lastOf(int requesterQpn) {
        for (int i = connections.size() - 1; i >= 0; i--) {
            if (connections.get(i).requester().qpn() == requesterQpn) {
                return connections.get(i);
            }
        }
        throw new AssertionError("QP " + requesterQpn + " made no connection");
    }

    /** One posted work request as it travels: its fields and its data (SEND, WRITE) or room for what it fetches. */
    private record Message(long psn, int opcode, long remoteAddress, int rkey, int imm, long compareAdd, long swap,
            boolean solicited, ByteBuffer[] data, long length, Payload.Hold hold) implements Payload {

        /** {@code holding}: SEND and WRITE data stays in the requester's memory, held, not copied. */
        static Message of(WorkRequest wr, boolean holding) {
            Payload p = wr.payload();
            boolean fetches = wr.opcode() == WR_RDMA_READ || wr.opcode() == WR_ATOMIC_CMP_AND_SWP
                    || wr.opcode() == WR_ATOMIC_FETCH_AND_ADD;
            Payload.Hold hold = holding && !fetches ? p.hold() : null;
            ByteBuffer[] data = new ByteBuffer[fetches ? 1 : p.segments()];
            if (fetches) {
                data[0] = ByteBuffer.allocate((int) p.length()); // what the responder reads lands here first
            }
            for (int i = 0; !fetches && i < data.length; i++) {
                ByteBuffer seg = p.segment(i);
                data[i] = hold != null ? seg.duplicate()
                        : ByteBuffer.allocate(seg.remaining()).put(seg.duplicate()).flip();
            }
            return new Message(wr.psn(), wr.opcode(), wr.remoteAddress(), wr.rkey(), wr.immediate(),
                    wr.compareAdd(), wr.swap(), wr.solicited(), data, p.length(), hold);
        }

        /** Done with it: answered, lost or forgotten. */
        void release() {
            if (hold != null) {
                hold.release();
            }
        }

        @Override
        public int segments() {
            return data.length;
        }

        @Override
        public ByteBuffer segment(int i) {
            return data[i].duplicate();
        }
    }

    final class DeferredConnection implements Connection {

        final Responder responder;
        final Destination requester;
        private final Acknowledgements acks;
        private final ArrayDeque<Message> queue = new ArrayDeque<>();
        /** The last messages of {@link #queue} that were posted and not flushed yet: they do not travel. */
        private int unflushed;
        /** The responder's side: the next number it executes, and what it did with the atomics. */
        private long expected;
        private final Map<Long, Long> atomicResults = new HashMap<>();
        final List<Long> posted = new ArrayList<>();
        /** When set, the READs posted give their memory to be answered in place ({@link #sinks}). */
        boolean takeSinks;
        final List<InPlaceSink> sinks = new ArrayList<>();
        int executed;
        boolean closed;
        boolean ackLost;

        DeferredConnection(Responder responder, Destination requester, Acknowledgements acks) {
            this.responder = responder;
            this.requester = requester;
            this.acks = acks;
        }

        /** The requester QP that made it. */
        Destination requester() {
            return requester;
        }

        @Override
        public Outcome post(WorkRequest wr) {
            int before = queue.size();
            queue.removeIf(m -> {
                boolean again = m.psn() >= wr.psn();
                if (again) {
                    m.release();
                }
                return again;
            }); // posting a number again starts again from there
            unflushed -= Math.min(unflushed, before - queue.size()); // the tail went, flushed or not
            if (queue.size() >= capacity) {
                return Outcome.BUSY;
            }
            posted.add(wr.psn());
            if (takeSinks) {
                sinks.add(wr.sinkInPlace());
            }
            queue.add(Message.of(wr, holdData));
            unflushed++;
            return Outcome.PENDING;
        }

        /** What was posted may travel now: a post waits for the requester's flush, as over a network. */
        @Override
        public void flush() {
            unflushed = 0;
        }

        @Override
        public int minRnrTimer() {
            return responder.minRnrTimer();
        }

        @Override
        public void close() {
            closed = true;
            queue.forEach(Message::release);
            queue.clear();
        }

        int queued() {
            return queue.size();
        }

        /** Carries up to {@code n} flushed messages to the responder, which answers each. */
        void deliver(int n) {
            for (int i = 0; i < n && queue.size() > unflushed; i++) {
                Message m = queue.poll();
                if (m.psn() < expected) {
                    Long result = atomicResults.get(m.psn());
                    if (result != null) { // a duplicate atomic gets the original value it read the first time
                        m.data()[0].order(ByteOrder.LITTLE_ENDIAN).putLong(0, result);
                    } else if (m.opcode() == WR_RDMA_READ) {
                        responder.read(m, m.remoteAddress(), m.rkey(), requester); // a READ is read again
                    }
                    answer(m, Outcome.OK); // a duplicate: done before
                } else if (m.psn() == expected) {
                    Outcome o = execute(m);
                    if (o == Outcome.OK) {
                        expected++;
                        executed++;
                    }
                    answer(m, o);
                }
                // beyond the expected number: dropped, as after a refusal
                m.release();
            }
        }

        /** Where this connection reports: the requester's side. */
        Acknowledgements acks() {
            return acks;
        }

        /** Part of the answer to {@code psn} is on its way (a long READ's data coming in). */
        void arriving(long psn) {
            acks.arriving(psn);
        }

        /** Loses the next {@code n} messages on the way. */
        void lose(int n) {
            for (int i = 0; i < n && queue.size() > unflushed; i++) {
                queue.poll().release();
            }
        }

        private void answer(Message m, Outcome o) {
            if (ackLost) {
                return;
            }
            boolean fetches = m.opcode() == WR_RDMA_READ || m.opcode() == WR_ATOMIC_CMP_AND_SWP
                    || m.opcode() == WR_ATOMIC_FETCH_AND_ADD;
            if (o == Outcome.OK && fetches) {
                ByteBuffer data = m.data()[0];
                acks.fetched(m.psn(), ByteBuffer.allocate(data.capacity()).put(0, data, 0, data.capacity()));
            } else if (o == Outcome.OK) {
                acks.acknowledged(m.psn());
            } else {
                acks.refused(m.psn(), o, responder.minRnrTimer());
            }
        }

        private Outcome execute(Message m) {
            return switch (m.opcode()) {
                case WR_SEND, WR_SEND_WITH_IMM -> responder.send(m, requester, m.opcode() == WR_SEND_WITH_IMM,
                        m.imm(), m.solicited());
                case WR_RDMA_WRITE, WR_RDMA_WRITE_WITH_IMM -> responder.write(m, m.remoteAddress(), m.rkey(),
                        requester, m.opcode() == WR_RDMA_WRITE_WITH_IMM, m.imm(), m.solicited());
                case WR_RDMA_READ -> responder.read(m, m.remoteAddress(), m.rkey(), requester);
                default -> atomic(m);
            };
        }

        private Outcome atomic(Message m) {
            Outcome o = m.opcode() == WR_ATOMIC_CMP_AND_SWP
                    ? responder.compareAndSwap(m, m.remoteAddress(), m.rkey(), m.compareAdd(), m.swap(), requester)
                    : responder.fetchAndAdd(m, m.remoteAddress(), m.rkey(), m.compareAdd(), requester);
            if (o == Outcome.OK) {
                atomicResults.put(m.psn(), m.data()[0].order(ByteOrder.LITTLE_ENDIAN).getLong(0));
            }
            return o;
        }
    }
}
