package org.freeflow.fastpath.internal;

import java.util.Map;
import java.util.concurrent.Callable;
import org.freeflow.fastpath.api.Doorbell;
import org.freeflow.fastpath.api.PollTarget;
import org.freeflow.fastpath.api.PollerMode;
import org.freeflow.fastpath.api.PollerService;
import org.freeflow.posix.api.PosixException;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Modified;
import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.Designate;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;
import org.osgi.service.metatype.annotations.Option;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The pollers as an OSGi service, tuned by Config Admin; every setting applies live. */
@Component(service = PollerService.class, configurationPid = "org.freeflow.fastpath")
@Designate(ocd = Poller.Config.class)
public final class Poller implements PollerService {

    private static final Logger LOG = LoggerFactory.getLogger(Poller.class);

    /** Tuning of the pollers. */
    @ObjectClassDefinition(name = "FreeFlow fastpath pollers",
            description = "The router's data-path threads that serve every queue pair of this host")
    public @interface Config {

        @AttributeDefinition(name = "Mode", description = "fastpath: spin; lowcpu: sleep on the doorbell whenever"
                + " idle; adaptive: spin while busy, sleep after adaptiveSpinMicros idle", options = {
                    @Option(label = "fastpath", value = "fastpath"), @Option(label = "lowcpu", value = "lowcpu"),
                    @Option(label = "adaptive", value = "adaptive")})
        String mode() default "adaptive";

        @AttributeDefinition(name = "Pollers", description = "Number of poller threads (1..32); QPs are spread"
                + " over them and move when it changes")
        int pollers() default 1;

        @AttributeDefinition(name = "CPU affinity", description = "CPUs to pin pollers to, e.g. 2,3 or 2-3:"
                + " poller i runs on the i-th (cyclically); empty: not pinned")
        String cpuAffinity() default "";

        @AttributeDefinition(name = "Yield every", description = "Empty rounds between two Thread.yield() while"
                + " spinning")
        int yieldEvery() default 16;

        @AttributeDefinition(name = "Adaptive spin (µs)", description = "adaptive mode: idle time before a poller"
                + " sleeps")
        long adaptiveSpinMicros() default PollerSettings.DEFAULT_ADAPTIVE_SPIN_MICROS;

        @AttributeDefinition(name = "Ready spin (ms)", description = "adaptive mode: how long no poller sleeps"
                + " after a queue pair became ready to receive or send, so that its first work requests find"
                + " the pollers spinning; 0: none")
        long readySpinMillis() default PollerSettings.DEFAULT_READY_SPIN_MILLIS;
    }

    private final PollerGroup group;

    /** Starts the pollers. */
    @Activate
    public Poller(Config config) throws PosixException {
        PollerSettings settings = settings(config, PollerSettings.defaults());
        group = new PollerGroup("freeflow-poller", settings);
        LOG.info("Pollers started ({})", settings);
    }

    /** Applies new settings while QPs run. */
    @Modified
    void modified(Config config) throws PosixException {
        PollerSettings settings = settings(config, group.settings());
        group.configure(settings);
        LOG.info("Pollers reconfigured ({})", settings);
    }

    /** Stops the pollers. */
    @Deactivate
    void deactivate() {
        group.close();
        LOG.info("Pollers stopped");
    }

    /** The settings {@code config} asks for; a bad value keeps its value in {@code current}, with a warning. */
    static PollerSettings settings(Config config, PollerSettings current) {
        PollerMode mode = current.mode();
        try {
            mode = PollerMode.parse(config.mode());
        } catch (IllegalArgumentException e) {
            LOG.warn("{}; keeping {}", e.getMessage(), mode.configName());
        }
        int[] cpus = current.cpus();
        try {
            cpus = PollerSettings.parseCpus(config.cpuAffinity());
        } catch (IllegalArgumentException e) {
            LOG.warn("{}; keeping the CPU affinity as it is", e.getMessage());
        }
        int pollers = clamp("pollers", config.pollers(), 1, PollerSettings.MAX_POLLERS, current.pollers());
        int yieldEvery = clamp("yieldEvery", config.yieldEvery(), 1, Integer.MAX_VALUE, current.yieldEvery());
        long spin = config.adaptiveSpinMicros();
        if (spin < 0) {
            LOG.warn("adaptiveSpinMicros {} is negative; keeping {}", spin, current.adaptiveSpinMicros());
            spin = current.adaptiveSpinMicros();
        }
        long ready = config.readySpinMillis();
        if (ready < 0) {
            LOG.warn("readySpinMillis {} is negative; keeping {}", ready, current.readySpinMillis());
            ready = current.readySpinMillis();
        }
        return new PollerSettings(mode, pollers, cpus, yieldEvery, spin, ready);
    }

    private static int clamp(String key, int value, int min, int max, int fallback) {
        if (value < min || value > max) {
            LOG.warn("{} {} is outside {}..{}; keeping {}", key, value, min, max, fallback);
            return fallback;
        }
        return value;
    }

    @Override
    public <T> T call(Callable<T> task) {
        return group.call(task);
    }

    @Override
    public void register(PollTarget target) {
        group.register(target);
    }

    @Override
    public void unregister(PollTarget target) {
        group.unregister(target);
    }

    @Override
    public void expectWork() {
        group.expectWork();
    }

    @Override
    public void wake(PollTarget target) {
        group.wake(target);
    }

    @Override
    public boolean inPollerThread() {
        return group.inPollerThread();
    }

    @Override
    public int routerPageFd() {
        return group.routerPageFd();
    }

    @Override
    public Doorbell openDoorbell() {
        return group.openDoorbell();
    }

    @Override
    public Map<String, Number> metrics() {
        return group.metrics();
    }
}
