package org.freeflow.router.internal.control;

import org.freeflow.fastpath.api.Abi;
import org.freeflow.fastpath.api.Abi.ContainerInfo;
import org.freeflow.fastpath.api.Abi.ContainerReq;
import org.freeflow.fastpath.api.Abi.PortReq;
import org.freeflow.fastpath.api.Verbs;
import org.freeflow.posix.api.Errno;
import org.freeflow.router.internal.vnic.VerbsException;
import org.freeflow.router.internal.vnic.VirtualNic;

/** An admin socket connection (root only, mode 0600): ping, attach, detach, port down and up. */
public final class AdminSession implements Session {

    private final ContainerRegistry registry;

    public AdminSession(ContainerRegistry registry) {
        this.registry = registry;
    }

    @Override
    public void handle(Request request, Reply reply) {
        switch (request.op()) {
            case Abi.OP_ADMIN_PING -> request.expect(0);
            case Abi.OP_ADMIN_ADD_CONTAINER -> add(request, reply);
            case Abi.OP_ADMIN_REMOVE_CONTAINER -> remove(request);
            case Abi.OP_ADMIN_SET_PORT -> setPort(request);
            default -> throw new VerbsException(Errno.EOPNOTSUPP, "unknown admin op " + request.op());
        }
    }

    @Override
    public void close() {
        // an admin connection owns nothing
    }

    private void add(Request request, Reply reply) {
        request.expect(ContainerReq.SIZE);
        String name = request.string(ContainerReq.NAME, 64);
        String tenant = request.string(ContainerReq.TENANT, 64);
        VirtualNic vnic;
        try {
            vnic = registry.attachContainer(name, tenant);
        } catch (IllegalArgumentException e) {
            throw new VerbsException(Errno.EINVAL, e.getMessage());
        } catch (IllegalStateException e) {
            throw new VerbsException(Errno.EBUSY, e.getMessage());
        }
        reply.putString(ContainerInfo.NAME, 64, vnic.name());
        reply.putString(ContainerInfo.TENANT, 64, vnic.tenant());
        reply.putString(ContainerInfo.SOCKET_PATH, 108, vnic.socketPath().toString());
        reply.putShort(ContainerInfo.LID, vnic.lid());
        reply.putByte(ContainerInfo.PREFIX_LEN, vnic.prefixLength());
        reply.putBytes(ContainerInfo.VIP, vnic.virtualIp());
        reply.putBytes(ContainerInfo.GID, vnic.gid());
        reply.length(ContainerInfo.SIZE);
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

    private void remove(Request request) {
        request.expect(ContainerReq.SIZE);
        String name = request.string(ContainerReq.NAME, 64);
        if (!registry.detach(name)) {
            throw new VerbsException(Errno.ENOENT, "container " + name + " is not attached");
        }
    }
}
