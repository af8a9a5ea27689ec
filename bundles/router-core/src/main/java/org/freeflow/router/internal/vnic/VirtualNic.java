package org.freeflow.router.internal.vnic;

import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import org.freeflow.fastpath.api.Verbs;
import org.freeflow.ffo.api.ContainerRecord;
import org.freeflow.router.api.ContainerView;
import org.freeflow.router.api.QueuePairView;
import org.freeflow.router.internal.RouterDefaults;

/**
 * The virtual NIC of one container: its port address (LID, GID, virtual IP),
 * its memory-region keys, the state of its port, and the verbs contexts its
 * processes opened.  The contexts, the QP count and changes of the port state
 * belong to the control thread; the MR table to the poller thread, which
 * reads the port state on every message.
 */
public final class VirtualNic {

    private final ContainerRecord record;
    private final Path socketPath;
    private final byte[] gid;
    private final byte[] virtualIp;
    final MrTable mrTable = new MrTable(RouterDefaults.MAX_MR);
    private final Set<VerbsContext> contexts = new LinkedHashSet<>();
    private int queuePairs;
    private volatile boolean portActive = true;

    public VirtualNic(ContainerRecord record, Path socketPath) {
        this.record = record;
        this.socketPath = socketPath;
        this.gid = parseGid(record.gid());
        this.virtualIp = parseIpv4(record.virtualIp());
    }

    public String name() {
        return record.name();
    }

    public String tenant() {
        return record.tenant();
    }

    public int lid() {
        return record.lid();
    }

    /** GID index 0, 16 bytes (shared: do not modify). */
    public byte[] gid() {
        return gid;
    }

    /** Virtual IPv4 address, 4 bytes in network order. */
    public byte[] virtualIp() {
        return virtualIp.clone();
    }

    public int prefixLength() {
        return record.prefixLength();
    }

    public Path socketPath() {
        return socketPath;
    }

    public ContainerRecord record() {
        return record;
    }

    /** False while an operator holds the port down: no message leaves or reaches this container's QPs. */
    public boolean portActive() {
        return portActive;
    }

    /** enum ibv_port_state: IBV_PORT_ACTIVE, or IBV_PORT_DOWN while held down. */
    public int portState() {
        return portActive ? Verbs.PORT_ACTIVE : Verbs.PORT_DOWN;
    }

    /** The port's physical state: LinkUp, or Disabled while held down. */
    public int physState() {
        return portActive ? RouterDefaults.PHYS_STATE_LINK_UP : RouterDefaults.PHYS_STATE_DISABLED;
    }

    /**
     * Takes the port down or brings it up; every open context learns it by
     * IBV_EVENT_PORT_ERR or IBV_EVENT_PORT_ACTIVE.  Returns false (and raises
     * nothing) when the port already was in that state.
     */
    public boolean setPortActive(boolean active) {
        if (portActive == active) {
            return false;
        }
        portActive = active;
        for (VerbsContext c : contexts) {
            c.portChanged(active);
        }
        return true;
    }

    void opened(VerbsContext context) {
        contexts.add(context);
    }

    void closed(VerbsContext context) {
        contexts.remove(context);
    }

    /** Every open context (a copy). */
    public List<VerbsContext> contexts() {
        return new ArrayList<>(contexts);
    }

    int queuePairs() {
        return queuePairs;
    }

    void queuePairAdded() {
        queuePairs++;
    }

    void queuePairRemoved() {
        queuePairs--;
    }

    /** What the shell shows. */
    public ContainerView view(String device) {
        int pds = 0;
        int mrs = 0;
        int cqs = 0;
        int qps = 0;
        for (VerbsContext c : contexts) {
            pds += c.protectionDomains();
            mrs += c.memoryRegions();
            cqs += c.completionQueues();
            qps += c.queuePairs();
        }
        return new ContainerView(name(), tenant(), record.virtualIp(), lid(), record.gid(), device,
                socketPath.toString(), contexts.size(), pds, mrs, cqs, qps,
                portActive ? ContainerView.PORT_ACTIVE : ContainerView.PORT_DOWN);
    }

    /** Views of every QP of this container. */
    public List<QueuePairView> queuePairViews() {
        List<QueuePairView> views = new ArrayList<>();
        for (VerbsContext c : contexts) {
            c.addQueuePairViews(views);
        }
        return views;
    }

    private static byte[] parseGid(String text) {
        if (text == null || !text.contains(":")) {
            return new byte[16];
        }
        try {
            InetAddress address = InetAddress.getByName(text);
            return address instanceof Inet6Address ? address.getAddress() : new byte[16];
        } catch (UnknownHostException e) {
            return new byte[16];
        }
    }

    private static byte[] parseIpv4(String text) {
        byte[] bytes = new byte[4];
        if (text == null) {
            return bytes;
        }
        String[] parts = text.split("\\.");
        if (parts.length != 4) {
            return bytes;
        }
        try {
            for (int i = 0; i < 4; i++) {
                bytes[i] = (byte) Integer.parseInt(parts[i]);
            }
        } catch (NumberFormatException e) {
            return new byte[4];
        }
        return bytes;
    }
}
