"""Where a lab lives (names of its namespaces, links and files), its lock, and its state:
one JSON file per lab, <state root>/<lab>/lab.json, written whole (a temporary file,
then a rename) under the lab's lock, so that readers without the lock see either the
old or the new state."""

import fcntl
import json
import os
import tempfile
import time
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field, fields
from typing import Dict, List, Optional

DEFAULT_STATE_ROOT = "/run/freeflow-lab"
STATE_VERSION = 1
ROUTER_RUNNING = "running"
ROUTER_STOPPED = "stopped"


def utc_timestamp():
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())


class LabLayout:
    """The names and paths of lab LAB under ROOT."""

    def __init__(self, root, lab):
        self.root = root
        self.lab = lab
        self.dir = os.path.join(root, lab)
        self.state_file = os.path.join(self.dir, "lab.json")
        self.lock_file = os.path.join(root, ".%s.lock" % lab)
        self.fabric_bridge = "%s-fab" % lab
        # every container's /etc/netns/<ns>/hosts is a hard link to this one file
        self.hosts_file = "/etc/netns/.freeflow-%s.hosts" % lab

    def host_namespace(self, host):
        return "%s-%s" % (self.lab, host)

    def host_veth(self, host):
        """The fabric end of the host's veth (in the root namespace)."""
        return "%s-%s" % (self.lab, host)

    def container_namespace(self, name):
        return "%s-c-%s" % (self.lab, name)

    def container_namespace_prefix(self):
        return "%s-c-" % self.lab

    def host_dir(self, host):
        return os.path.join(self.dir, host)

    def socket_dir(self, host):
        return os.path.join(self.host_dir(host), "sock")

    def admin_socket(self, host):
        return os.path.join(self.socket_dir(host), "admin.sock")

    def karaf_dir(self, host):
        return os.path.join(self.host_dir(host), "karaf")

    def router_log(self, host):
        return os.path.join(self.host_dir(host), "router.log")

    def karaf_log(self, host):
        return os.path.join(self.karaf_dir(host), "data", "log", "karaf.log")

    def failed_logs_dir(self, tmpdir=None):
        return os.path.join(tmpdir or os.environ.get("TMPDIR") or "/tmp", "freeflow-lab-%s-failed" % self.lab)


class LabLock:
    """The lab's lock (flock on <root>/.<lab>.lock), re-entrant within this process. The
    file is opened close-on-exec, so processes started under it do not hold it."""

    def __init__(self, path):
        self.path = path
        self.fd = None
        self.depth = 0

    def acquire(self):
        if self.depth == 0:
            os.makedirs(os.path.dirname(self.path), exist_ok=True)
            fd = os.open(self.path, os.O_WRONLY | os.O_CREAT | os.O_CLOEXEC, 0o644)
            fcntl.flock(fd, fcntl.LOCK_EX)
            self.fd = fd
        self.depth += 1

    def release(self):
        if self.depth == 0:
            return
        self.depth -= 1
        if self.depth == 0:
            fd, self.fd = self.fd, None
            try:
                fcntl.flock(fd, fcntl.LOCK_UN)
            finally:
                os.close(fd)

    @property
    def held(self):
        return self.depth > 0

    def __enter__(self):
        self.acquire()
        return self

    def __exit__(self, *exc):
        self.release()


def _from_dict(cls, data):
    """An instance of dataclass CLS from DATA, ignoring keys it does not know."""
    known = {f.name for f in fields(cls)}
    return cls(**{k: v for k, v in data.items() if k in known})


@dataclass
class HostRecord:
    name: str
    index: int
    namespace: str
    address: str
    veth: str
    pid: Optional[int] = None
    router: str = ROUTER_STOPPED  # running, or stopped (never started, or kill-router)
    link: str = "up"  # its link to the fabric: up, or down (lab link hN down)

    @property
    def router_running(self):
        return self.router == ROUTER_RUNNING


@dataclass
class ContainerRecord:
    name: str
    host: str
    namespace: str
    tenant: str
    vip: str
    prefix: str
    lid: str
    gid: str
    socket: str
    veth: str
    pid: Optional[int] = None  # the program of `lab run`
    owner: Optional[int] = None  # the `lab run` that made it
    started: str = ""


@dataclass
class LabState:
    lab: str
    state: str  # creating, then up
    subnet: str
    root_address: str
    ffctl: str
    lib: str
    assembly: str
    container_mtu: int
    created: str
    hosts: List[HostRecord] = field(default_factory=list)
    containers: Dict[str, ContainerRecord] = field(default_factory=dict)
    version: int = STATE_VERSION

    def host(self, name):
        for h in self.hosts:
            if h.name == name:
                return h
        return None

    def running_hosts(self):
        return [h for h in self.hosts if h.router_running]

    def to_dict(self):
        return asdict(self)

    @classmethod
    def from_dict(cls, data):
        data = dict(data)
        hosts = [_from_dict(HostRecord, h) for h in data.pop("hosts", [])]
        containers = {n: _from_dict(ContainerRecord, c) for n, c in data.pop("containers", {}).items()}
        state = _from_dict(cls, data)
        state.hosts = hosts
        state.containers = containers
        return state

    def to_json(self):
        return json.dumps(self.to_dict(), indent=2) + "\n"

    @classmethod
    def from_json(cls, text):
        return cls.from_dict(json.loads(text))


class StateStore:
    """lab.json of one lab. save() and update() need the lab's lock (update takes it)."""

    def __init__(self, layout, lock):
        self.layout = layout
        self.lock = lock

    def exists(self):
        return os.path.isfile(self.layout.state_file)

    def load(self):
        """The lab's state, or None if there is none."""
        try:
            with open(self.layout.state_file, encoding="utf-8") as f:
                text = f.read()
        except FileNotFoundError:
            return None
        return LabState.from_json(text)

    def save(self, state):
        assert self.lock.held, "lab.json is written under the lab's lock"
        os.makedirs(self.layout.dir, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=self.layout.dir, prefix=".lab.json.")
        try:
            with os.fdopen(fd, "w", encoding="utf-8") as f:
                f.write(state.to_json())
            os.chmod(tmp, 0o644)
            os.replace(tmp, self.layout.state_file)
        except BaseException:
            try:
                os.unlink(tmp)
            except FileNotFoundError:
                pass
            raise

    @contextmanager
    def update(self):
        """The current state to change, saved at the end; None (nothing saved) if the lab
        has no state (it went down)."""
        with self.lock:
            state = self.load()
            yield state
            if state is not None:
                self.save(state)
