package org.freeflow.fastpath.internal;

import java.util.concurrent.Callable;
import org.freeflow.fastpath.api.PollTarget;
import org.freeflow.fastpath.api.PollerService;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Modified;
import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.Designate;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The poller as an OSGi service: one {@link PollLoop} thread, tuned by Config Admin. */
@Component(service = PollerService.class, configurationPid = "org.freeflow.fastpath")
@Designate(ocd = Poller.Config.class)
public final class Poller implements PollerService {

    private static final Logger LOG = LoggerFactory.getLogger(Poller.class);

    /** Tuning of the poller. */
    @ObjectClassDefinition(name = "FreeFlow fastpath poller",
            description = "The router's data-path thread that serves every queue pair of this host")
    public @interface Config {

        @AttributeDefinition(name = "Yield every", description = "Empty polling rounds between two Thread.yield()")
        int yieldEvery() default 16;

        @AttributeDefinition(name = "Idle sleep (ms)", description = "Sleep when no queue pair is active")
        long idleSleepMillis() default 1;
    }

    private final PollLoop loop;

    /** Starts the poller thread. */
    @Activate
    public Poller(Config config) {
        loop = new PollLoop(config.yieldEvery(), config.idleSleepMillis());
        loop.start("freeflow-poller");
        LOG.info("Poller started (yieldEvery={}, idleSleepMillis={})", config.yieldEvery(), config.idleSleepMillis());
    }

    /** Applies new tuning without a restart. */
    @Modified
    void modified(Config config) {
        loop.configure(config.yieldEvery(), config.idleSleepMillis());
        LOG.info("Poller reconfigured (yieldEvery={}, idleSleepMillis={})", config.yieldEvery(),
                config.idleSleepMillis());
    }

    /** Stops the poller thread. */
    @Deactivate
    void deactivate() throws InterruptedException {
        loop.stop();
        LOG.info("Poller stopped");
    }

    @Override
    public <T> T call(Callable<T> task) {
        return loop.call(task);
    }

    @Override
    public void register(PollTarget target) {
        loop.register(target);
    }

    @Override
    public void unregister(PollTarget target) {
        loop.unregister(target);
    }

    @Override
    public boolean inPollerThread() {
        return loop.inPollerThread();
    }
}
