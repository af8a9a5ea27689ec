package org.freeflow.router.internal.testing;

import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import org.freeflow.fastpath.api.Abi;
import org.freeflow.fastpath.api.Abi.AttachReq;
import org.freeflow.posix.api.FileDescriptors;

/** FF_OP_ADMIN_ADD_CONTAINER as ffctl sends it: {@code struct ff_attach_req} and the netns descriptor. */
public final class AttachRequest {

    private AttachRequest() {
    }

    /** The request body: {@code flags} FF_IDENTITY_*, {@code cgroup} null for none. */
    public static ByteBuffer body(String name, String tenant, int flags, int uid, int gid, String cgroup) {
        ByteBuffer req = WireClient.payload(AttachReq.SIZE);
        WireClient.putString(req, AttachReq.CONTAINER_NAME, name);
        WireClient.putString(req, AttachReq.CONTAINER_TENANT, tenant);
        req.putInt(AttachReq.IDENTITY_FLAGS, flags);
        req.putInt(AttachReq.IDENTITY_UID, uid);
        req.putInt(AttachReq.IDENTITY_GID, gid);
        if (cgroup != null) {
            WireClient.putString(req, AttachReq.IDENTITY_CGROUP, cgroup);
        }
        return req;
    }

    /** Attaches {@code name} as the processes of this JVM's network namespace and uid. */
    public static WireClient.Response ofThisProcess(WireClient admin, String name, String tenant) throws Exception {
        return withNetns(admin, body(name, tenant, Abi.IDENTITY_NETNS | Abi.IDENTITY_UID, uid(), 0, null));
    }

    /** Sends the attach of {@code name} as {@link #ofThisProcess} does, without waiting for the reply. */
    public static void sendOfThisProcess(WireClient admin, String name) throws Exception {
        int netns = FileDescriptors.openReadOnly(Path.of("/proc/self/ns/net"));
        try {
            admin.send(Abi.OP_ADMIN_ADD_CONTAINER, body(name, "", Abi.IDENTITY_NETNS | Abi.IDENTITY_UID, uid(), 0,
                    null), netns);
        } finally {
            FileDescriptors.closeQuietly(netns);
        }
    }

    /** Sends {@code body} with a descriptor of this JVM's network namespace. */
    public static WireClient.Response withNetns(WireClient admin, ByteBuffer body) throws Exception {
        int netns = FileDescriptors.openReadOnly(Path.of("/proc/self/ns/net"));
        try {
            return admin.call(Abi.OP_ADMIN_ADD_CONTAINER, body, netns);
        } finally {
            FileDescriptors.closeQuietly(netns);
        }
    }

    /** This JVM's uid. */
    public static int uid() {
        try {
            return ((Number) Files.getAttribute(Path.of("/proc/self"), "unix:uid")).intValue();
        } catch (java.io.IOException e) {
            throw new IllegalStateException(e);
        }
    }

}
