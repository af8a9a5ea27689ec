"""A host's router: its copy of the Karaf distribution, configuration, start, stop, kill,
and the wait until it answers and its orchestrator is in the cluster."""

import collections
import os
import shutil
import signal
import subprocess
import sys
import time

from fflab import cfgfile, proc
from fflab.errors import LabError, info, warn
from fflab.state import ROUTER_RUNNING, ROUTER_STOPPED

ROUTER_PID = "org.freeflow.router"
ORCHESTRATOR_PID = "org.freeflow.ffo"
DISCOVERY_PORTS = "47500..47509"
# a fresh copy: no bundle cache, logs or Ignite files of a run in place
NOT_COPIED = {"data/cache", "data/log", "data/tmp", "data/ignite", "data/port", "data/pid"}
STOP_GRACE = 30
KILL_WAIT = 10
POLL = 0.5


def copy_distribution(assembly, karaf_dir):
    """ASSEMBLY copied to KARAF_DIR, without what a run of it left there."""

    def not_copied(directory, names):
        rel = os.path.relpath(directory, assembly)
        return {n for n in names if os.path.normpath(os.path.join(rel, n)) in NOT_COPIED}

    shutil.copytree(assembly, karaf_dir, symlinks=True, ignore=not_copied, dirs_exist_ok=True)


def pick_java_home(env=None):
    """Hosts' Java: Karaf 4.4 needs 17 (Java 25 does not run it), whatever JAVA_HOME says."""
    env = os.environ if env is None else env
    java_home = env.get("JAVA_HOME", "")
    java = os.path.join(java_home, "bin", "java")
    if java_home and os.access(java, os.X_OK):
        r = subprocess.run([java, "-version"], stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                           stderr=subprocess.STDOUT, text=True)
        first = (r.stdout.splitlines() or [""])[0]
        if '"17.' in first:
            return java_home
    jvm = "/usr/lib/jvm"
    candidates = sorted(d for d in os.listdir(jvm) if d.startswith("java-17-openjdk-")) if os.path.isdir(jvm) else []
    for d in candidates:
        if os.access(os.path.join(jvm, d, "bin", "java"), os.X_OK):
            return os.path.join(jvm, d)
    return java_home


def tail_lines(path, lines):
    """The last LINES lines of PATH, as bytes (as tail -n)."""
    if lines == 0:
        return b""
    with open(path, "rb") as f:
        return b"".join(collections.deque(f, maxlen=lines))


class Router:
    """The router of host HOST (a HostRecord) of the lab at LAYOUT."""

    def __init__(self, layout, host, ffctl):
        self.layout = layout
        self.host = host
        self.ffctl = ffctl
        self.process = None  # the Popen, when this process started it

    @property
    def name(self):
        return self.host.name

    @property
    def socket(self):
        return self.layout.admin_socket(self.name)

    @property
    def karaf_dir(self):
        return self.layout.karaf_dir(self.name)

    def config_file(self, pid):
        return os.path.join(self.karaf_dir, "etc", "%s.cfg" % pid)

    # ------------------------------------------------------------ its copy

    def make_copy(self, assembly):
        os.makedirs(self.layout.socket_dir(self.name), exist_ok=True)
        copy_distribution(assembly, self.karaf_dir)
        self.configure(ROUTER_PID, [("hostName", self.name), ("socketDir", self.layout.socket_dir(self.name))])

    def configure(self, pid, pairs):
        cfgfile.set_keys_in_file(self.config_file(pid), pairs)

    # ------------------------------------------------------------ its process

    def alive(self):
        if self.process is not None:
            return self.process.poll() is None
        return proc.pid_alive(self.host.pid)

    def ping(self):
        return self.ffctl.ping(self.socket)

    def cluster(self):
        return self.ffctl.cluster(self.socket)

    def start(self, java_home):
        """Starts bin/karaf in the host's namespace, in a session of its own (a process
        group of its own, so that stop and kill signal the whole of it and nothing else);
        records its pid in the host record (the caller saves it)."""
        env = dict(os.environ)
        for var in ("KARAF_BASE", "KARAF_DATA", "KARAF_ETC", "KARAF_LOG"):
            env.pop(var, None)
        env["JAVA_HOME"] = java_home
        env["KARAF_HOME"] = self.karaf_dir
        argv = ["ip", "netns", "exec", self.host.namespace, os.path.join(self.karaf_dir, "bin", "karaf"), "server"]
        with open(self.layout.router_log(self.name), "wb") as log:
            self.process = subprocess.Popen(argv, cwd=self.karaf_dir, env=env, stdin=subprocess.DEVNULL,
                                            stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
        self.host.pid = self.process.pid
        self.host.router = ROUTER_RUNNING
        return self.process.pid

    def _reap(self):
        if self.process is not None:
            try:
                self.process.wait(0)
            except subprocess.TimeoutExpired:
                pass

    def _group_alive(self):
        self._reap()
        return proc.group_alive(self.host.pid)

    def stop(self):
        """TERM to the router's process group; KILL if it is still there after 30 s."""
        pid = self.host.pid
        if pid and self._group_alive():
            info("stopping the router of %s (pid %d)" % (self.name, pid))
            proc.signal_group(pid, signal.SIGTERM)
            if not proc.wait_until(lambda: not self._group_alive(), STOP_GRACE):
                warn("the router of %s did not stop within %d s: killing it" % (self.name, STOP_GRACE))
                proc.signal_group(pid, signal.SIGKILL)
                if not proc.wait_until(lambda: not self._group_alive(), KILL_WAIT):
                    warn("process group %d is still there" % pid)
        self.host.router = ROUTER_STOPPED

    def kill(self):
        """KILL to every process of the router (its process group: bin/karaf and the JVM),
        as a crash would end it; waits until they are gone."""
        pid = self.host.pid
        if pid:
            proc.signal_group(pid, signal.SIGKILL)
            if not proc.wait_until(lambda: not self._group_alive(), KILL_WAIT):
                raise LabError("process group %d of the router of %s is still there after KILL" % (pid, self.name))
        self.host.pid = None
        self.host.router = ROUTER_STOPPED

    # ------------------------------------------------------------ its logs

    def log_files(self):
        return [self.layout.router_log(self.name), self.layout.karaf_log(self.name)]

    def print_log_tail(self, lines=40, stream=None):
        stream = stream or sys.stderr
        for path in self.log_files():
            if not (os.path.isfile(path) and os.path.getsize(path) > 0):
                continue
            stream.write("----- %s (last %d lines) -----\n" % (path, lines))
            stream.flush()
            stream.buffer.write(tail_lines(path, lines))
            stream.buffer.flush()


def set_discovery(routers):
    """Every router's orchestrator finds the others at their fabric addresses, and binds
    and advertises its own only (not 127.0.0.1, which every host has)."""
    if len(routers) < 2:
        return
    addresses = ",".join("%s:%s" % (r.host.address, DISCOVERY_PORTS) for r in routers)
    for r in routers:
        r.configure(ORCHESTRATOR_PID, [("discoveryAddresses", addresses), ("localAddress", r.host.address)])


def in_one_cluster(reply, servers):
    """Does an 'ffctl cluster' reply show a cluster of SERVERS with its host registered?"""
    if not reply.ok:
        return False
    facts = reply.facts()
    return facts.get("servers") == str(servers) and facts.get("host_registered") == "1"


def wait_ready(routers, timeout, cluster_of=None):
    """Waits until every router answers 'ffctl ping', then until each sees one cluster of
    CLUSTER_OF servers (default: all ROUTERS) with its host registered. A router that
    exits, or TIMEOUT seconds, is a LabError after the tail of the logs concerned."""
    servers = len(routers) if cluster_of is None else cluster_of
    deadline = time.monotonic() + timeout
    while True:
        pending = []
        for r in routers:
            if not r.alive():
                r.print_log_tail()
                raise LabError("the router of %s exited during start (logs above)" % r.name)
            if not r.ping():
                pending.append(r)
        if not pending:
            break
        if time.monotonic() >= deadline:
            for r in pending:
                r.print_log_tail()
            raise LabError("no answer to 'ffctl ping' from %s within %ds (logs above)"
                           % (" ".join(r.name for r in pending), timeout))
        time.sleep(POLL)
    # then the orchestrator: the tables answer SQL once every router's host is registered
    while True:
        pending = []
        last = None
        for r in routers:
            reply = r.cluster()
            if not in_one_cluster(reply, servers):
                pending.append(r)
                last = reply
        if not pending:
            return
        if time.monotonic() >= deadline:
            for r in pending:
                r.print_log_tail()
            raise LabError("the orchestrator of %s is not in one cluster of %d within %ds: %s (logs above)"
                           % (" ".join(r.name for r in pending), servers, timeout,
                              last.output.replace("\n", " ")))
        time.sleep(POLL)
