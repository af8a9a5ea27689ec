package org.freeflow.router.internal.vnic;

import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.freeflow.fastpath.api.Verbs;
import org.freeflow.ffo.api.ContainerRecord;
import org.freeflow.ffo.api.MemoryRegionRecord;
import org.freeflow.ffo.api.OrchestratorAdminService;
import org.freeflow.ffo.api.QueuePairRecord;
import org.freeflow.posix.api.Errno;
import org.freeflow.router.api.ContainerView;
import org.freeflow.router.api.QueuePairView;
import org.freeflow.router.internal.RouterDefaults;

/**
 * The virtual NIC of one container: its port address (LID, GID, virtual IP),
 * its memory-region keys, the state of its port, the verbs contexts its
 * processes opened, and the XRC domains and SRQ numbers they share.  The
 * contexts, the QP count, the domains, the numbers and changes of the port
 * state belong to the control thread; the MR table to the poller thread,
 * which reads the port state on every message.
 */
public final class VirtualNic {

    private static final int MAX_SRQ_NUMBER = (1 << 24) - 1;

    private final ContainerRecord record;
    private final Path socketPath;
    private final byte[] gid;
    private final byte[] virtualIp;
    final MrTable mrTable = new MrTable(RouterDefaults.MAX_MR);
    private final Set<VerbsContext> contexts = new LinkedHashSet<>();
    private final Map<XrcDomain.FileKey, XrcDomain> xrcDomains = new HashMap<>();
    private final Set<Integer> srqNumbers = new HashSet<>();
    private int nextSrqNumber = 1;
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

    /**
     * Opens the XRC domain of {@code file} (shared by every process of the
     * container that opens it), making it when {@code create} and it has
     * none; {@code file} null: a new private domain.  As Linux: EINVAL when
     * the file has none and not {@code create}, or has one and
     * {@code exclusive}.
     */
    XrcDomain openXrcDomain(XrcDomain.FileKey file, boolean create, boolean exclusive) {
        XrcDomain domain = file == null ? null : xrcDomains.get(file);
        if (domain == null && !create) {
            throw new VerbsException(Errno.EINVAL, "no XRC domain for the file, and no O_CREAT");
        }
        if (domain != null && create && exclusive) {
            throw new VerbsException(Errno.EINVAL, "the file has an XRC domain already (O_EXCL)");
        }
        if (domain == null) {
            domain = new XrcDomain(file);
            if (file != null) {
                xrcDomains.put(file, domain);
            }
        }
        domain.opened();
        return domain;
    }

    /** One close of {@code domain}: the last one forgets it. */
    void closeXrcDomain(XrcDomain domain) {
        if (domain.closed() && domain.file != null) {
            xrcDomains.remove(domain.file, domain);
        }
    }

    /** A free SRQ number of this container (24 bits, not 0). */
    int allocateSrqNumber() {
        if (srqNumbers.size() >= MAX_SRQ_NUMBER) {
            throw new VerbsException(Errno.ENOMEM, "no free SRQ number");
        }
        while (nextSrqNumber == 0 || srqNumbers.contains(nextSrqNumber)) {
            nextSrqNumber = (nextSrqNumber + 1) & MAX_SRQ_NUMBER;
        }
        int srqn = nextSrqNumber;
        nextSrqNumber = (nextSrqNumber + 1) & MAX_SRQ_NUMBER;
        srqNumbers.add(srqn);
        return srqn;
    }

    void releaseSrqNumber(int srqn) {
        srqNumbers.remove(srqn);
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

    /** The QPS rows of every QP of this container, as of now. */
    public List<QueuePairRecord> queuePairRecords() {
        List<QueuePairRecord> records = new ArrayList<>();
        for (VerbsContext c : contexts) {
            c.addQueuePairRecords(records);
        }
        return records;
    }

    /**
     * Writes this container's MEMORY_MAPS and QPS rows again (a cluster that
     * restarted whole has none of them); on the control thread, so that they
     * are queued before any later change of the same region or QP.  Failures
     * are logged: QPs are written again by the next full refresh, regions by
     * the next re-registration of this host.
     */
    public void republish(OrchestratorAdminService orchestrator) {
        List<MemoryRegionRecord> regions = new ArrayList<>();
        for (VerbsContext c : contexts) {
            c.addMemoryRegionRecords(regions);
        }
        for (MemoryRegionRecord r : regions) {
            ClusterRecords.quietly(orchestrator.publishMemoryRegion(r), name() + "'s region " + r.rkey()
                    + " not written back");
        }
        List<QueuePairRecord> qps = queuePairRecords();
        if (!qps.isEmpty()) {
            ClusterRecords.quietly(orchestrator.publishQueuePairs(qps), name() + "'s QPs not written back");
        }
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
