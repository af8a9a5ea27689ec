package org.freeflow.router.internal.control;

import java.util.concurrent.CompletionStage;

import org.freeflow.fastpath.api.Abi;
import org.freeflow.fastpath.api.Abi.AttachReq;
import org.freeflow.fastpath.api.Abi.ClusterInfo;
import org.freeflow.fastpath.api.Abi.ContainerInfo;
import org.freeflow.fastpath.api.Abi.ContainerReq;
import org.freeflow.fastpath.api.Abi.PortReq;
import org.freeflow.fastpath.api.Verbs;
import org.freeflow.posix.api.Errno;
import org.freeflow.posix.api.FileStatus;
import org.freeflow.posix.api.PosixException;
import org.freeflow.router.api.ContainerIdentity;
import org.freeflow.router.api.ContainerIdentity.Namespace;
import org.freeflow.router.internal.vnic.OrchestratorLink;
import org.freeflow.router.internal.vnic.VerbsException;
import org.freeflow.router.internal.vnic.VirtualNic;

/** An admin socket connection (root only, mode 0600): ping, attach, detach, port down and up, cluster. */
public final class AdminSession implements Session {

    private final ContainerRegistry registry;

    public AdminSession(ContainerRegistry registry) {
        this.registry = registry;
    }

    @Override
    public void handle(Request request, Reply reply) {
        if (request.op() != Abi.OP_ADMIN_ADD_CONTAINER) {
            request.expectFds(0);
        }
        switch (request.op()) {
            case Abi.OP_ADMIN_PING -> request.expect(0);
            case Abi.OP_ADMIN_ADD_CONTAINER -> add(request, reply);
            case Abi.OP_ADMIN_REMOVE_CONTAINER -> remove(request, reply);
            case Abi.OP_ADMIN_SET_PORT -> setPort(request);
            case Abi.OP_ADMIN_CLUSTER -> cluster(request, reply);
            default -> throw new VerbsException(Errno.EOPNOTSUPP, "unknown admin op " + request.op());
        }
    }

    @Override
    public boolean explainsFailures() {
        return true;
    }

    @Override
    public void close() {
        // an admin connection owns nothing
    }

    /** Attach: answered once the orchestrator registered the container (a deferred reply). */
    private void add(Request request, Reply reply) {
        request.expect(AttachReq.SIZE);
        String name = request.string(AttachReq.CONTAINER_NAME, 64);
        String tenant = request.string(AttachReq.CONTAINER_TENANT, 64);
        ContainerIdentity identity = identity(request);
        CompletionStage<VirtualNic> attached;
        try {
            attached = registry.attachContainer(name, tenant, identity);
        } catch (IllegalArgumentException e) {
            throw new VerbsException(Errno.EINVAL, e.getMessage());
        }
        DeferredReply answer = reply.defer();
        attached.whenComplete((vnic, failure) -> {
            if (failure != null) {
                Throwable cause = Failures.cause(failure);
                answer.fail(attachErrno(cause), cause.getMessage());
            } else {
                answer.complete(r -> describe(vnic, r));
            }
        });
    }

    private static int attachErrno(Throwable failure) {
        if (failure instanceof IllegalArgumentException) {
            return Errno.EINVAL;
        }
        if (failure instanceof OrchestratorLink.Unavailable) {
            return Errno.EAGAIN;
        }
        if (failure instanceof IllegalStateException) {
            return Errno.EBUSY;
        }
        return Errno.EIO;
    }

    private static void describe(VirtualNic vnic, Reply reply) {
        reply.putString(ContainerInfo.NAME, 64, vnic.name());
        reply.putString(ContainerInfo.TENANT, 64, vnic.tenant());
        reply.putString(ContainerInfo.SOCKET_PATH, 108, vnic.socketPath().toString());
        reply.putShort(ContainerInfo.LID, vnic.lid());
        reply.putByte(ContainerInfo.PREFIX_LEN, vnic.prefixLength());
        reply.putBytes(ContainerInfo.VIP, vnic.virtualIp());
        reply.putBytes(ContainerInfo.GID, vnic.gid());
        reply.length(ContainerInfo.SIZE);
    }

    private void cluster(Request request, Reply reply) {
        request.expect(0);
        ContainerRegistry.ClusterStatus status;
        try {
            status = registry.clusterStatus();
        } catch (OrchestratorLink.Unavailable e) {
            throw new VerbsException(Errno.EAGAIN, e.getMessage());
        } catch (RuntimeException e) {
            throw new VerbsException(Errno.EIO, "the orchestrator did not answer: " + e.getMessage());
        }
        reply.putLong(ClusterInfo.TOPOLOGY_VERSION, status.topologyVersion());
        reply.putInt(ClusterInfo.SERVERS, status.servers());
        reply.putInt(ClusterInfo.HOSTS_RUNNING, status.hostsRunning());
        reply.putInt(ClusterInfo.HOSTS_LOST, status.hostsLost());
        reply.putInt(ClusterInfo.HOST_REGISTERED, status.hostRegistered() ? 1 : 0);
        reply.length(ClusterInfo.SIZE);
    }

    /**
     * The attach's {@code struct ff_container_identity}; its network
     * namespace is the nsfs descriptor that came with it (ff_abi.h).
     */
    private static ContainerIdentity identity(Request request) {
        int flags = request.getInt(AttachReq.IDENTITY_FLAGS);
        int known = Abi.IDENTITY_NETNS | Abi.IDENTITY_CGROUP | Abi.IDENTITY_UID | Abi.IDENTITY_GID;
        if ((flags & ~known) != 0) {
            throw new VerbsException(Errno.EINVAL, "unknown identity flags 0x" + Integer.toHexString(flags));
        }
        request.expectFds((flags & Abi.IDENTITY_NETNS) != 0 ? 1 : 0);
        Namespace netns = (flags & Abi.IDENTITY_NETNS) != 0 ? namespace(request.fd(0)) : null;
        String cgroup = (flags & Abi.IDENTITY_CGROUP) != 0 ? request.string(AttachReq.IDENTITY_CGROUP, 256) : null;
        int uid = (flags & Abi.IDENTITY_UID) != 0 ? request.getInt(AttachReq.IDENTITY_UID) : -1;
        int gid = (flags & Abi.IDENTITY_GID) != 0 ? request.getInt(AttachReq.IDENTITY_GID) : -1;
        try {
            return new ContainerIdentity(netns, cgroup, uid, gid);
        } catch (IllegalArgumentException e) {
            throw new VerbsException(Errno.EINVAL, e.getMessage());
        }
    }

    private static Namespace namespace(int fd) {
        FileStatus status;
        try {
            status = FileStatus.of(fd);
        } catch (PosixException e) {
            throw new VerbsException(Errno.EINVAL, "cannot stat the namespace descriptor: " + e.getMessage());
        }
        if (!status.isNamespace()) {
            throw new VerbsException(Errno.EINVAL, "the descriptor of FF_IDENTITY_NETNS is not a namespace");
        }
        return new Namespace(status.device(), status.inode());
    }

    private void setPort(Request request) {
        request.expect(PortReq.SIZE);
        String name = request.string(PortReq.NAME, 64);
        int state = request.getInt(PortReq.PORT_STATE);
        if (state != Verbs.PORT_ACTIVE && state != Verbs.PORT_DOWN) {
            throw new VerbsException(Errno.EINVAL, "port_state " + state + " (IBV_PORT_DOWN or IBV_PORT_ACTIVE)");
        }
        if (!registry.setPort(name, state == Verbs.PORT_ACTIVE)) {
            throw new VerbsException(Errno.ENOENT, "container " + name + " is not attached");
        }
    }

    /** Detach: answered once the orchestrator unregistered the container (a deferred reply). */
    private void remove(Request request, Reply reply) {
        request.expect(ContainerReq.SIZE);
        String name = request.string(ContainerReq.NAME, 64);
        CompletionStage<Boolean> detached = registry.detachContainer(name);
        DeferredReply answer = reply.defer();
        detached.whenComplete((wasAttached, failure) -> answer.complete(r -> {
            if (failure != null) {
                throw new VerbsException(Errno.EIO, "detach failed: " + failure.getMessage());
            }
            if (!wasAttached) {
                throw new VerbsException(Errno.ENOENT, "container " + name + " is not attached");
            }
        }));
    }
}
