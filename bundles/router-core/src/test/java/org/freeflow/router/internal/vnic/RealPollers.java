package org.freeflow.router.internal.vnic;

import org.freeflow.fastpath.api.PollerMode;
import org.freeflow.fastpath.internal.PollerGroup;
import org.freeflow.fastpath.internal.PollerSettings;
import org.freeflow.posix.api.PosixException;
import org.freeflow.router.internal.loopback.FflBell;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ExtensionContext.Namespace;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolutionException;
import org.junit.jupiter.api.extension.ParameterResolver;

/**
 * A {@link VnicFixture} on real poller threads, with the FFL's doorbell;
 * {@link #close()} stops them in reverse order. A test class with
 * {@code @ExtendWith(RealPollers.Resolver.class)} gets them as a test method's
 * parameter, on two adaptive pollers, and JUnit closes them when the test ends.
 */
final class RealPollers implements AutoCloseable, ExtensionContext.Store.CloseableResource {

    final PollerGroup pollers;
    final VnicFixture fx;
    final FflBell bell;

    RealPollers(PollerSettings settings) throws PosixException {
        pollers = new PollerGroup("test-poller", settings);
        fx = new VnicFixture(pollers);
        try {
            bell = new FflBell(pollers);
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

    /**
     * Resolves a {@code RealPollers} parameter with {@link #two()}, kept in the
     * test's store so that JUnit closes it after the test and its
     * {@code @AfterEach} methods, whatever their outcome.
     */
    static final class Resolver implements ParameterResolver {
        private static final Namespace NAMESPACE = Namespace.create(RealPollers.class);

        @Override
        public boolean supportsParameter(ParameterContext parameter, ExtensionContext context) {
            return parameter.getParameter().getType() == RealPollers.class;
        }

        @Override
        public Object resolveParameter(ParameterContext parameter, ExtensionContext context) {
            RealPollers real;
            try {
                real = two();
            } catch (PosixException e) {
                throw new ParameterResolutionException("cannot start the pollers", e);
            }
            context.getStore(NAMESPACE).put(parameter.getIndex(), real);
            return real;
        }
    }
}
