package org.freeflow.router.internal.vnic;

import static org.freeflow.fastpath.api.Verbs.*;

import java.nio.ByteBuffer;
import java.util.Arrays;
import org.freeflow.fastpath.api.Abi.SendWqe;
import org.freeflow.router.api.transport.Datagram;
import org.freeflow.router.api.transport.DatagramSink;
import org.freeflow.router.api.transport.Destination;
import org.freeflow.router.api.transport.Outcome;
import org.freeflow.router.internal.RouterDefaults;

/**
 * The requester side of a UD QP: each SEND names its destination (the
 * address vector the FFL copied from the address handle, a QPN and a Q_Key)
 * and goes out once.  Local checks as for RC, and a message no longer than
 * the port's MTU (else IBV_WC_LOC_LEN_ERR, which moves the QP to ERR as any
 * error completion); then one delivery attempt through the transport.  No
 * acknowledgement, no retry, no RNR: a datagram that nobody receives (no
 * such destination, wrong Q_Key, no receive posted) completes successfully,
 * as on an HCA, and counts as dropped, not sent; so does one to a responder
 * whose receive CQ is full: no receiver holds up a sender.  The last
 * destination's responder is kept, so a stream of datagrams to one peer
 * resolves it once.
 */
final class UdRequester extends Requester implements Datagram {

    /** IBA 8.3: the GRH's next header for an IBA transport header. */
    private static final int NEXT_HEADER_IBA = 0x1b;
    /** Bytes of an IB UD packet after the GRH besides the payload: BTH, DETH and ICRC. */
    private static final int UD_HEADERS = 12 + 8 + 4;
    private static final int IMM_BYTES = 4;
    /** A Q_Key with this bit set in a work request means "the QP's own Q_Key". */
    private static final int QKEY_OWN = 0x80000000;

    /** Network byte order, as ByteBuffer.allocate makes it. */
    private final ByteBuffer grh = ByteBuffer.allocate(GRH_BYTES);
    private final byte[] dgid = new byte[16];
    private boolean global;
    private int qkey;
    private int sl;

    private DatagramSink cached;
    private int cachedLid;
    private int cachedQpn;
    private boolean cachedGlobal;
    private final byte[] cachedGid = new byte[16];

    UdRequester(QueuePair qp, SendSide send, QpState state) {
        super(qp, send, state);
    }

    @Override
    void peerChanged() {
        cached = null;
    }

    /** A datagram fits in one packet: the port's MTU. */
    @Override
    int checkLength(long length) {
        return length > RouterDefaults.PORT_MTU_BYTES ? WC_LOC_LEN_ERR : WC_SUCCESS;
    }

    @Override
    boolean transmit(int slot, long wrId, int opcode, int wcOpcode, int flags, long length, long now) {
        boolean withImm = opcode == WR_SEND_WITH_IMM;
        load(slot, (int) length + UD_HEADERS + (withImm ? IMM_BYTES : 0));
        // a datagram sent while the port is down is lost, as on a dead link
        DatagramSink responder = !qp.vnic.portActive() ? null
                : resolve(shm.getShort(slot + SendWqe.DLID) & 0xffff, shm.getInt(slot + SendWqe.REMOTE_QPN) & 0xffffff);
        Outcome outcome = responder == null ? Outcome.DROPPED
                : responder.sendDatagram(gather, this, withImm, shm.getInt(slot + SendWqe.IMM_DATA),
                        (flags & SEND_SOLICITED) != 0);
        gather.clear();
        if (outcome == Outcome.OK) {
            qp.counters().sent(length);
        } else {
            qp.counters().sendDropped();
            if (responder == null) {
                cached = null; // the destination may be gone: resolve it again next time
            }
        }
        return finish(wrId, wcOpcode, WC_SUCCESS, (int) length, flags);
    }

    /** Reads the datagram's Q_Key, SL and GRH from the entry at {@code slot}. */
    private void load(int slot, int grhPayloadLength) {
        int wrQkey = shm.getInt(slot + SendWqe.REMOTE_QKEY);
        qkey = (wrQkey & QKEY_OWN) != 0 ? qp.attrs().qkey : wrQkey;
        sl = shm.get(slot + SendWqe.SL) & 0xf;
        global = shm.get(slot + SendWqe.IS_GLOBAL) != 0;
        if (!global) {
            return;
        }
        shm.get(slot + SendWqe.DGID, dgid);
        int trafficClass = shm.get(slot + SendWqe.TRAFFIC_CLASS) & 0xff;
        int flowLabel = shm.getInt(slot + SendWqe.FLOW_LABEL) & 0xfffff;
        grh.putInt(0, 6 << 28 | trafficClass << 20 | flowLabel);
        grh.putShort(4, (short) grhPayloadLength);
        grh.put(6, (byte) NEXT_HEADER_IBA);
        grh.put(7, shm.get(slot + SendWqe.HOP_LIMIT));
        grh.put(8, qp.vnic.gid());
        grh.put(24, dgid);
    }

    /** Where datagrams to (dlid or, with LID 0, dgid; qpn) go: the cached sink when the address is the last one's. */
    private DatagramSink resolve(int dlid, int qpn) {
        if (cached != null && cachedLid == dlid && cachedQpn == qpn && cachedGlobal == global
                && (!global || Arrays.equals(cachedGid, dgid))) {
            return cached;
        }
        DatagramSink found = qp.datagramsTo(new Destination(dlid, global ? dgid.clone() : null, qpn));
        cached = found;
        cachedLid = dlid;
        cachedQpn = qpn;
        cachedGlobal = global;
        System.arraycopy(dgid, 0, cachedGid, 0, dgid.length);
        return found;
    }

    @Override
    public Destination source() {
        return qp.self;
    }

    @Override
    public int qkey() {
        return qkey;
    }

    @Override
    public int serviceLevel() {
        return sl;
    }

    @Override
    public ByteBuffer grh() {
        return global ? grh : null;
    }
}
