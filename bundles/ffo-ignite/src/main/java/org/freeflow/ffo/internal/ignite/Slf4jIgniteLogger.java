package org.freeflow.ffo.internal.ignite;

import org.apache.ignite.IgniteLogger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Ignite's log output through SLF4J (so through pax-logging in Karaf).  Ignite's
 * INFO is verbose (hundreds of lines per start), so it is logged at DEBUG;
 * warnings and errors pass as they are.  Never "quiet": Ignite then writes
 * nothing to standard output.  Set {@code org.apache.ignite} to DEBUG to see it all.
 */
public final class Slf4jIgniteLogger implements IgniteLogger {

    private final Logger log;

    public Slf4jIgniteLogger() {
        this(LoggerFactory.getLogger("org.apache.ignite"));
    }

    private Slf4jIgniteLogger(Logger log) {
        this.log = log;
    }

    @Override
    public IgniteLogger getLogger(Object ctgr) {
        if (ctgr == null) {
            return this;
        }
        String name = ctgr instanceof Class<?> c ? c.getName() : String.valueOf(ctgr);
        return new Slf4jIgniteLogger(LoggerFactory.getLogger(name));
    }

    @Override
    public void trace(String msg) {
        log.trace(msg);
    }

    @Override
    public void debug(String msg) {
        log.debug(msg);
    }

    @Override
    public void info(String msg) {
        log.debug(msg);
    }

    @Override
    public void warning(String msg, Throwable e) {
        log.warn(msg, e);
    }

    @Override
    public void error(String msg, Throwable e) {
        log.error(msg, e);
    }

    @Override
    public boolean isTraceEnabled() {
        return log.isTraceEnabled();
    }

    @Override
    public boolean isDebugEnabled() {
        return log.isDebugEnabled();
    }

    @Override
    public boolean isInfoEnabled() {
        return log.isDebugEnabled();
    }

    @Override
    public boolean isQuiet() {
        return false;
    }

    @Override
    public String fileName() {
        return null;
    }
}
