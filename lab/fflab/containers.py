"""Containers: attach to a router, the namespace and its veth, the lab's hosts file, and
their removal."""

import os
import time

from fflab import net, proc
from fflab.errors import LabError, info, warn
from fflab.ffctl import EX_TEMPFAIL, Ffctl
from fflab.ipv4 import is_uint, valid_ipv4
from fflab.router import Router
from fflab.state import ContainerRecord, utc_timestamp

ATTACH_RETRY_SECONDS = 60
ATTACH_TIMEOUT = 30
DETACH_TIMEOUT = 10
DEFAULT_MTU = 1500
OVERLAY_MTU = 1450
MAX_PLAIN_VETH = 12  # vh-<name> fits IFNAMSIZ up to this length

_CRC_TABLE = []
for _i in range(256):
    _c = _i << 24
    for _ in range(8):
        _c = ((_c << 1) ^ 0x04C11DB7) if _c & 0x80000000 else (_c << 1)
    _CRC_TABLE.append(_c & 0xFFFFFFFF)


def posix_cksum(data):
    """The CRC of POSIX cksum(1) over DATA (bytes)."""
    crc = 0
    for byte in data:
        crc = ((crc << 8) & 0xFFFFFFFF) ^ _CRC_TABLE[(crc >> 24) ^ byte]
    length = len(data)
    while length:
        crc = ((crc << 8) & 0xFFFFFFFF) ^ _CRC_TABLE[(crc >> 24) ^ (length & 0xFF)]
        length >>= 8
    return ~crc & 0xFFFFFFFF


def veth_name(name):
    """The host end of a container's veth: vh-NAME, or vx-<10 digits of its cksum>."""
    if len(name) <= MAX_PLAIN_VETH:
        return "vh-" + name
    return "vx-" + str(posix_cksum(name.encode()))[:10]


def container_mtu(hosts):
    return OVERLAY_MTU if hosts > 1 else DEFAULT_MTU


def parse_attach_reply(text):
    """ffctl attach's key=value lines: vip, prefix, socket, lid, gid, tenant (the last of each)."""
    wanted = {"vip": "", "prefix": "", "socket": "", "lid": "", "gid": "", "tenant": ""}
    for line in text.split("\n"):
        key, eq, value = line.partition("=")
        if key in wanted and eq:
            wanted[key] = value
    return wanted


def hosts_file_content(lab, containers):
    """The lab's /etc/hosts: every container that has a virtual IP."""
    lines = ["# written by './freeflow lab' (lab %s): every container of the lab" % lab,
             "127.0.0.1\tlocalhost",
             "::1\tlocalhost ip6-localhost ip6-loopback"]
    lines += ["%s\t%s" % (c.vip, c.name) for c in containers if c.vip]
    return "\n".join(lines) + "\n"


class HostsFile:
    """Every container's /etc/netns/<ns>/hosts is a hard link to one file per lab (beside
    them in /etc/netns, where `ip netns exec` looks for namespace directories only), and
    that file is rewritten in place: `ip netns exec` bind-mounts the inode, so programs
    already running see every change, and a change costs one write."""

    def __init__(self, layout):
        self.layout = layout
        self.path = layout.hosts_file

    def update(self, state):
        containers = list(state.containers.values()) if state else []
        os.makedirs(net.ETC_NETNS, exist_ok=True)
        with open(self.path, "w") as f:  # in place: the same inode
            f.write(hosts_file_content(self.layout.lab, containers))

    def link(self, ns, state):
        if not os.path.exists(self.path):
            self.update(state)
        directory = os.path.join(net.ETC_NETNS, ns)
        os.makedirs(directory, exist_ok=True)
        target = os.path.join(directory, "hosts")
        if os.path.lexists(target):
            os.unlink(target)
        os.link(self.path, target)

    def remove(self):
        try:
            os.unlink(self.path)
        except FileNotFoundError:
            pass


class Containers:
    """The containers of one lab (LAYOUT, its STORE)."""

    def __init__(self, layout, store):
        self.layout = layout
        self.store = store
        self.hosts_file = HostsFile(layout)

    def _router(self, state, host_name):
        host = state.host(host_name)
        return Router(self.layout, host, Ffctl(state.ffctl)) if host else None

    def create(self, name, host_name, tenant):
        """Attaches NAME to HOST_NAME's router and builds its namespace; records it. Under
        the lab's lock."""
        state = self.store.load()
        ns = self.layout.container_namespace(name)
        host_ns = self.layout.host_namespace(host_name)
        router = self._router(state, host_name)
        # the namespace first: the attach names the container by it, and the router
        # admits on the container's socket only processes of that namespace and user
        net.netns_add(ns)
        attach = ["attach", name, "--netns", net.netns_path(ns), "--uid", str(os.getuid()), "--gid", str(os.getgid())]
        if tenant:
            attach += ["--tenant", tenant]
        reply = self._attach(router, attach)
        if not reply.ok:
            net.netns_delete(ns, quiet=True)
            raise LabError("ffctl attach %s on %s failed: %s" % (name, host_name, reply.output))
        facts = parse_attach_reply(reply.output)
        record = ContainerRecord(name=name, host=host_name, namespace=ns, tenant=facts["tenant"],
                                 vip=facts["vip"], prefix=facts["prefix"], lid=facts["lid"], gid=facts["gid"],
                                 socket=facts["socket"], veth=veth_name(name), pid=None, owner=os.getpid(),
                                 started=utc_timestamp())
        with self.store.update() as current:
            current.containers[name] = record
            mtu = current.container_mtu or DEFAULT_MTU
            overlay = len(current.hosts) > 1
        if not (valid_ipv4(record.vip) and is_uint(record.prefix) and record.socket):
            raise LabError("ffctl attach %s printed no usable vip/prefix/socket: %s" % (name, reply.output))
        net.make_container_link(ns, host_ns, record.veth, record.vip, record.prefix, mtu, overlay)
        current = self.store.load()
        self.hosts_file.update(current)
        self.hosts_file.link(ns, current)
        return record

    @staticmethod
    def _attach(router, args):
        """ffctl attach; exit 75 (the router asks to try again later: its orchestrator is not
        in the cluster yet, or not any more) is retried for 60 s, said once."""
        deadline = time.monotonic() + ATTACH_RETRY_SECONDS
        told = False
        while True:
            reply = router.ffctl.call(router.socket, *args, timeout=ATTACH_TIMEOUT)
            if reply.code != EX_TEMPFAIL or time.monotonic() >= deadline:
                return reply
            if not told:
                info("%s: %s; retrying" % (router.name, reply.output))
                told = True
            time.sleep(0.5)

    def remove_namespace(self, record):
        """The container's processes, its veth, namespace and /etc/netns entry."""
        ns = self.layout.container_namespace(record.name)
        if net.netns_exists(ns):
            net.kill_netns_processes(ns)
        if record.veth and record.host:
            net.link_delete(record.veth, netns=self.layout.host_namespace(record.host))
        if net.netns_exists(ns):
            net.netns_delete(ns)
        net.remove_etc_netns(ns)

    def remove_unrecorded_namespace(self, name):
        """What a container of a lab without its record may have left: its namespace."""
        ns = self.layout.container_namespace(name)
        if net.netns_exists(ns):
            net.kill_netns_processes(ns)
            net.netns_delete(ns, quiet=True)
        net.remove_etc_netns(ns)

    def destroy(self, name):
        """Undoes create: processes, detach, namespace, record, hosts file. Tolerates a lab
        that `lab down` already removed. Under the lab's lock."""
        state = self.store.load()
        record = state.containers.get(name) if state else None
        if record is None:
            self.remove_unrecorded_namespace(name)
            return
        ns = self.layout.container_namespace(name)
        if net.netns_exists(ns):
            net.kill_netns_processes(ns)
        router = self._router(state, record.host)
        if router is not None and router.alive():
            reply = router.ffctl.call(router.socket, "detach", name, timeout=DETACH_TIMEOUT)
            if not reply.ok:
                warn("ffctl detach %s: %s" % (name, reply.output))
        self.remove_namespace(record)
        with self.store.update() as current:
            if current is not None:
                current.containers.pop(name, None)
        self.hosts_file.update(self.store.load())

    def set_program(self, name, pid):
        with self.store.update() as current:
            if current is not None and name in current.containers:
                current.containers[name].pid = pid

    def alive(self, record):
        return proc.pid_alive(record.pid)

    def environment(self, state, record):
        """env(1) arguments of a container's programs: the FFL and its socket."""
        lib = state.lib
        ld = os.environ.get("LD_LIBRARY_PATH")
        return ["env", "LD_LIBRARY_PATH=%s%s" % (lib, ":" + ld if ld else ""), "FREEFLOW_SOCKET=%s" % record.socket]
