package org.freeflow.router.internal.vnic;

import org.freeflow.fastpath.api.PollerMode;
import org.freeflow.fastpath.internal.PollerGroup;
import org.freeflow.fastpath.internal.PollerSettings;
import org.freeflow.posix.api.PosixException;
import org.freeflow.router.internal.testing.FflBell;

/**
 * A {@link VnicFixture} on real poller threads, with the FFL's doorbell;
 * {@link #close()} stops them in reverse order.
 */
final class RealPollers implements AutoCloseable {

    final PollerGroup pollers;
    final VnicFixture fx;
    final FflBell bell;

    RealPollers(PollerSettings settings) throws PosixException {
        pollers = new PollerGroup("test-poller", settings);
        fx = new VnicFixture(pollers);
        try {
            bell = new FflBell(pollers.routerPageFd(), pollers.doorbellFd());
        } catch (PosixException | RuntimeException e) {
            fx.close();
            pollers.close();
            throw e;
        }
    }

    /** Two adaptive pollers. */
    static RealPollers two() throws PosixException {
        return new RealPollers(PollerSettings.defaults().withMode(PollerMode.ADAPTIVE).withPollers(2));
    }

    @Override
    public void close() {
        fx.close();
        bell.close();
        pollers.close();
    }
}
