package org.freeflow.router.internal;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

import org.freeflow.ffo.api.ContainerRecord;
import org.freeflow.router.api.ContainerIdentity;
import org.freeflow.router.api.ContainerView;
import org.freeflow.router.internal.control.ControlServer;
import org.freeflow.router.internal.control.Listener;
import org.freeflow.router.internal.control.VerbsSession;
import org.freeflow.router.internal.vnic.OrchestratorLink;
import org.freeflow.router.internal.vnic.VerbsContext;
import org.freeflow.router.internal.vnic.VirtualNic;
import org.freeflow.router.internal.vnic.VnicEnvironment;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The containers this router serves, attached and detached on the control
 * thread.  What the orchestrator must do for them (register, unregister,
 * this host's registration) runs on a thread of its own,
 * {@code freeflow-registry}, in the order asked: a slow cluster delays the
 * container that waits for it, never the control verbs of the others.
 */
final class Attachments {

    private static final Logger LOG = LoggerFactory.getLogger(Attachments.class);

    private final ControlServer server;
    private final OrchestratorLink orchestrator;
    private final VnicEnvironment environment;
    private final RouterSettings settings;
    private final Map<String, Attached> attached = new TreeMap<>();
    private final Map<String, CompletableFuture<VirtualNic>> registering = new TreeMap<>();
    private final ExecutorService registry = Executors.newSingleThreadExecutor(r -> {
        Thread t = new Thread(r, "freeflow-registry");
        t.setDaemon(true);
        return t;
    });

    Attachments(ControlServer server, OrchestratorLink orchestrator, VnicEnvironment environment,
            RouterSettings settings) {
        this.server = server;
        this.orchestrator = orchestrator;
        this.environment = environment;
        this.settings = settings;
    }

    /**
     * Control thread: attaches the container, completing once the
     * orchestrator registered it and its socket listens (at once when it is
     * attached already).  Fails with IllegalArgumentException (bad name),
     * {@link OrchestratorLink.Unavailable} (no orchestrator) or
     * IllegalStateException (refused, or attached with another identity).
     */
    CompletableFuture<VirtualNic> attach(String name, String tenant, ContainerIdentity identity) {
        ContainerNames.check(name);
        Attached existing = attached.get(name);
        if (existing != null) {
            if (!existing.identity.equals(identity)) {
                return CompletableFuture.failedFuture(new IllegalStateException("container " + name
                        + " is attached as " + existing.identity + ", not " + identity));
            }
            return CompletableFuture.completedFuture(existing.vnic);
        }
        CompletableFuture<VirtualNic> inFlight = registering.get(name);
        if (inFlight != null) {
            // answered after the attach in flight, as if it had come next (completions run on this thread)
            return inFlight.handle((vnic, failure) -> null).thenCompose(ignored -> attach(name, tenant, identity));
        }
        CompletableFuture<VirtualNic> result = new CompletableFuture<>();
        registering.put(name, result);
        String tenantName = ContainerNames.tenant(tenant);
        onRegistry(() -> {
            ContainerRecord record = null;
            RuntimeException failure = null;
            try {
                record = orchestrator.registerContainer(name, tenantName, settings.hostName());
            } catch (RuntimeException e) {
                failure = e;
            }
            ContainerRecord registered = record;
            RuntimeException refused = failure;
            server.post(() -> open(name, identity, registered, refused, result));
        }, () -> {
            registering.remove(name);
            result.completeExceptionally(new IllegalStateException("the router is stopping"));
        });
        return result;
    }

    /** Control thread: the registration's outcome; opens the container's socket. */
    private void open(String name, ContainerIdentity identity, ContainerRecord record, RuntimeException refused,
            CompletableFuture<VirtualNic> result) {
        registering.remove(name);
        if (refused != null) {
            result.completeExceptionally(refused);
            return;
        }
        Path path = settings.containerDir().resolve(name + ".sock");
        VirtualNic vnic = new VirtualNic(record, path);
        Listener listener;
        try {
            listener = server.listenContainer(path, identity, "container " + name,
                    () -> new VerbsSession(new VerbsContext(vnic, environment), settings.deviceName()));
        } catch (IOException | RuntimeException e) {
            unregisterLater(name);
            result.completeExceptionally(
                    new IllegalStateException("cannot open the socket of " + name + ": " + e.getMessage(), e));
            return;
        }
        attached.put(name, new Attached(vnic, listener, identity));
        LOG.info("Container {} attached: LID {}, GID {}, vIP {}, socket {} for {}", name, record.lid(),
                record.gid(), record.virtualIp(), path, identity);
        result.complete(vnic);
    }

    /**
     * Control thread: detaches it; its socket closes now, and the stage
     * completes with true once the orchestrator unregistered it (or could not:
     * that is logged), with false at once when it is not attached.
     */
    CompletableFuture<Boolean> detach(String name) {
        Attached a = attached.remove(name);
        if (a == null) {
            return CompletableFuture.completedFuture(false);
        }
        server.close(a.listener);
        LOG.info("Container {} detached", name);
        return unregisterLater(name).thenApply(ignored -> true);
    }

    private CompletableFuture<Void> unregisterLater(String name) {
        CompletableFuture<Void> done = new CompletableFuture<>();
        onRegistry(() -> {
            try {
                orchestrator.unregisterContainer(name);
            } catch (RuntimeException e) {
                LOG.warn("Container {} is detached, but the orchestrator did not unregister it", name, e);
            }
            done.complete(null);
        }, () -> {
            LOG.warn("Container {} is detached; the stopping router leaves its registration", name);
            done.complete(null);
        });
        return done;
    }

    /**
     * Any thread but the control thread: runs {@code call} on the registry
     * thread after what is queued there, and returns its result.  The names
     * it may need are this router's ({@link #records()} through the control thread).
     */
    <T> T onRegistryAndWait(Supplier<T> call) {
        CompletableFuture<T> f = new CompletableFuture<>();
        onRegistry(() -> {
            try {
                f.complete(call.get());
            } catch (RuntimeException e) {
                f.completeExceptionally(e);
            }
        }, () -> f.completeExceptionally(new IllegalStateException("the router is stopping")));
        return Futures.join(f);
    }

    private void onRegistry(Runnable task, Runnable whenStopped) {
        try {
            registry.execute(task);
        } catch (RejectedExecutionException e) {
            whenStopped.run();
        }
    }

    /** Control thread: the records of the attached containers, as their registration returned them. */
    List<ContainerRecord> records() {
        List<ContainerRecord> records = new ArrayList<>(attached.size());
        for (Attached a : attached.values()) {
            records.add(a.vnic.record());
        }
        return records;
    }

    /** Control thread: the attached container, or null. */
    Attached get(String name) {
        return attached.get(name);
    }

    /** Control thread: every attached container, by name. */
    Collection<Attached> all() {
        return attached.values();
    }

    /** Control thread: closes every container's socket; registrations stay with the orchestrator. */
    void closeAll() {
        for (Attached a : attached.values()) {
            server.close(a.listener);
        }
        attached.clear();
    }

    /** Stops the registry thread (after the control thread stopped). */
    void shutdown() {
        registry.shutdownNow();
        try {
            registry.awaitTermination(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** An attached container: its NIC, its socket, who may use it. */
    record Attached(VirtualNic vnic, Listener listener, ContainerIdentity identity) {

        ContainerView view(String device) {
            return vnic.view(device).withAccess(identity.toString(), listener.refused());
        }
    }
}
