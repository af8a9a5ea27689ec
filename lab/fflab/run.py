"""Programs in containers: lab run (a container for the program's life), lab exec (one
more program in a running container), lab wait-port, lab port."""

import os
import signal
import subprocess
import threading
import time

from fflab import net, proc
from fflab.containers import Containers
from fflab.errors import PROG, LabError, info
from fflab.ffctl import Ffctl
from fflab.router import Router

KILL_AFTER_SIGNAL = 10
PORT_TIMEOUT = 30


class SignalRelay:
    """INT and TERM while `lab run` runs: before the program runs they are only recorded;
    once it runs, it gets TERM, and KILL if it is still there 10 s later."""

    def __init__(self):
        self.received = None
        self.child = None
        self.killer = None

    def install(self):
        for sig in proc.TERMINATING_SIGNALS:
            signal.signal(sig, self._on_signal)

    def ignore(self):
        for sig in proc.TERMINATING_SIGNALS:
            signal.signal(sig, signal.SIG_IGN)

    def _on_signal(self, signum, _frame):
        self.received = signum
        self.forward()

    def forward(self):
        """TERM to the program if a signal came and it runs; KILL 10 s later (once)."""
        if not self.received or self.child is None or self.child.returncode is not None:
            return
        try:
            os.kill(self.child.pid, signal.SIGTERM)
        except ProcessLookupError:
            return
        if self.killer is None:
            self.killer = threading.Timer(KILL_AFTER_SIGNAL, self._kill)
            self.killer.daemon = True
            self.killer.start()

    def _kill(self):
        if self.child.returncode is None and proc.running(self.child.pid):
            try:
                os.kill(self.child.pid, signal.SIGKILL)
            except ProcessLookupError:
                pass

    def exit_status(self):
        return 128 + self.received


def _stdin():
    """Our standard input for the program, if we have one (else /dev/null)."""
    try:
        os.fstat(0)
    except OSError:
        return subprocess.DEVNULL
    return None


def _router(session, state, host_name):
    return Router(session.layout, state.host(host_name), Ffctl(state.ffctl))


def lab_run(session, options):
    relay = SignalRelay()
    relay.install()  # first: a signal during the set-up is recorded, and acted on after it
    session.need_root()
    state = session.require_lab()
    if state.host(options.host) is None:
        raise LabError("lab '%s' has no host '%s'" % (session.lab, options.host))
    if not _router(session, state, options.host).alive():
        raise LabError("the router of %s is not running (./%s lab --lab %s logs --host %s)"
                       % (options.host, PROG, session.lab, options.host))
    containers = Containers(session.layout, session.store)
    name = options.name
    created = False
    try:
        with session.lock:
            replace_stale(session, containers, name)
            created = True
            record = containers.create(name, options.host, options.tenant)
        if relay.received:
            return relay.exit_status()
        argv = ["ip", "netns", "exec", record.namespace] + containers.environment(state, record) + options.command
        relay.child = subprocess.Popen(argv, stdin=_stdin())
        relay.forward()  # a signal that came as it started
        containers.set_program(name, relay.child.pid)
        return wait_program(relay)
    finally:
        if created:
            relay.ignore()
            with session.lock:
                containers.destroy(name)


def replace_stale(session, containers, name):
    """A record of NAME whose `lab run` is gone (it was killed) is removed; a live one is
    an error; a namespace without a record is removed."""
    state = session.store.load()
    record = state.containers.get(name) if state else None
    ns = session.layout.container_namespace(name)
    if record is not None:
        if record.owner and proc.pid_alive(record.owner):
            raise LabError("container '%s' is already running in lab '%s'" % (name, session.lab))
        info("removing stale container '%s'" % name)
        containers.destroy(name)
    elif net.netns_exists(ns):
        net.kill_netns_processes(ns)
        net.netns_delete(ns)


def wait_program(relay):
    """The program's exit status (128+N for a signal N, ours or its own)."""
    returncode = relay.child.wait()  # a signal's handler runs meanwhile, the wait goes on
    if relay.killer is not None:
        relay.killer.cancel()
    if relay.received:
        return relay.exit_status()
    return proc.exit_status(returncode)


def find_container(session, state, name):
    from fflab.args import valid_container_name

    if not valid_container_name(name):
        raise LabError("bad container name '%s'" % name)
    record = state.containers.get(name)
    if record is None:
        raise LabError("lab '%s' has no container '%s'" % (session.lab, name))
    return record


def lab_exec(session, options):
    session.need_root()
    state = session.require_lab()
    record = find_container(session, state, options.name)
    env = Containers(session.layout, session.store).environment(state, record)
    argv = ["ip", "netns", "exec", record.namespace] + env + options.command
    # the program gets the dispositions a shell would give it, not Python's (SIGPIPE ignored)
    for sig in (signal.SIGPIPE, signal.SIGXFSZ, signal.SIGTERM):
        signal.signal(sig, signal.SIG_DFL)
    try:
        os.execvp(argv[0], argv)
    except OSError as e:
        raise LabError("cannot run ip: %s" % e.strerror)


def lab_wait_port(session, options):
    session.need_root()
    session.require_lab()
    ns = session.layout.container_namespace(options.name)
    deadline = time.monotonic() + options.timeout
    seen = False
    while True:
        state = session.store.load()
        if net.netns_exists(ns) and state is not None and options.name in state.containers:
            seen = True
            if net.tcp_listening(ns, options.port):
                return 0
        elif seen:
            raise LabError("container '%s' ended before port %d listened" % (options.name, options.port))
        if time.monotonic() >= deadline:
            if not seen:
                raise LabError("no container '%s' within %ds" % (options.name, options.timeout))
            raise LabError("port %d does not listen in container '%s' after %ds"
                           % (options.port, options.name, options.timeout))
        time.sleep(0.2)


def lab_port(session, options):
    session.need_root()
    state = session.require_lab()
    record = find_container(session, state, options.name)
    router = _router(session, state, record.host)
    reply = router.ffctl.call(router.socket, "port", options.name, options.state, timeout=PORT_TIMEOUT)
    if not reply.ok:
        raise LabError("ffctl port %s %s on %s failed: %s" % (options.name, options.state, record.host, reply.output))
    info("%s: port %s" % (options.name, options.state))
    return 0
