"""A lab's life: up (fabric, hosts, routers, the wait), down (everything it made),
kill-router and start-router (one host's router, the rest left in place)."""

import os
import re
import shutil
import time

from fflab import net
from fflab.containers import Containers, HostsFile, container_mtu
from fflab.errors import PROG, LabError, info
from fflab.ffctl import Ffctl
from fflab.ipv4 import choose_subnet
from fflab.router import Router, pick_java_home, set_discovery, wait_ready
from fflab.state import HostRecord, LabState, utc_timestamp

STATE_CREATING = "creating"
STATE_UP = "up"


def routers_of(session, state, hosts=None):
    ffctl = Ffctl(state.ffctl)
    return [Router(session.layout, h, ffctl) for h in (state.hosts if hosts is None else hosts)]


class LabUp:
    """./freeflow lab up: under the lab's lock from the first check to the last wait."""

    def __init__(self, session, options):
        self.session = session
        self.options = options
        self.layout = session.layout
        self.store = session.store

    def run(self):
        s, o = self.session, self.options
        s.need_root()
        s.need_commands("ip", "bridge")
        assembly, ffctl, lib = s.assembly(), s.ffctl_default(), s.lib_default()
        if not os.access(os.path.join(assembly, "bin", "karaf"), os.X_OK):
            raise LabError("no router distribution at %s (build it: mvn -B -DskipTests install)" % assembly)
        if not os.access(ffctl, os.X_OK):
            raise LabError("no ffctl at %s (build it: mvn -B -DskipTests install)" % ffctl)
        if not os.path.isdir(lib):
            s.warn("no FFL library directory at %s yet (containers will not find it)" % lib)
        with s.lock:
            existing = self.store.load()
            if existing is not None:
                return self.already_up(existing)
            if net.netns_exists(self.layout.host_namespace("h1")) or net.link_exists(self.layout.fabric_bridge):
                raise LabError("leftovers of lab '%s' exist (namespace %s or bridge %s); run ./%s lab --lab %s down"
                               % (s.lab, self.layout.host_namespace("h1"), self.layout.fabric_bridge, PROG, s.lab))
            subnet = choose_subnet(o.subnet, o.hosts, net.root_ipv4_networks())
            state = LabState(lab=s.lab, state=STATE_CREATING, subnet=subnet.cidr, root_address=subnet.root_address,
                             ffctl=ffctl, lib=lib, assembly=assembly, container_mtu=container_mtu(o.hosts),
                             created=utc_timestamp())
            self.store.save(state)
            try:
                self.build(state, subnet)
            except BaseException:
                self.keep_logs_and_remove(state)
                raise
        for h in state.hosts:
            info("%s: namespace %s, address %s, socket %s"
                 % (h.name, h.namespace, h.address, self.layout.admin_socket(h.name)))
        info("lab '%s' is up" % s.lab)
        return 0

    def already_up(self, state):
        s = self.session
        if state.state != STATE_UP:
            raise LabError("lab '%s' exists but is not up (state: %s); run ./%s lab --lab %s down"
                           % (s.lab, state.state, PROG, s.lab))
        if len(state.hosts) != self.options.hosts:
            raise LabError("lab '%s' is up with %d host(s), not %d; run ./%s lab --lab %s down first"
                           % (s.lab, len(state.hosts), self.options.hosts, PROG, s.lab))
        for r in routers_of(s, state):
            if not (r.alive() and r.ping()):
                raise LabError("lab '%s' is up but the router of %s does not answer; run ./%s lab --lab %s down"
                               % (s.lab, r.name, PROG, s.lab))
        info("lab '%s' is already up (%d host(s))" % (s.lab, self.options.hosts))
        return 0

    def build(self, state, subnet):
        o = self.options
        info("lab '%s': fabric %s %s/%d, %d host(s), state in %s"
             % (self.session.lab, self.layout.fabric_bridge, subnet.root_address, subnet.prefix, o.hosts,
                self.layout.dir))
        net.make_fabric(self.layout.fabric_bridge, subnet.root_address, subnet.prefix)
        for i in range(1, o.hosts + 1):
            name = "h%d" % i
            host = HostRecord(name=name, index=i, namespace=self.layout.host_namespace(name),
                              address=subnet.host_address(i), veth=self.layout.host_veth(name))
            state.hosts.append(host)
            self.store.save(state)
            net.make_host_namespace(host.namespace, host.veth, self.layout.fabric_bridge, host.address, subnet.prefix)
            router = routers_of(self.session, state, [host])[0]
            router.make_copy(state.assembly)
            for c in o.configs:
                router.configure(c.pid, [(c.key, c.value)])
        net.make_overlay([(h.namespace, h.address) for h in state.hosts])
        routers = routers_of(self.session, state)
        set_discovery(routers)
        java_home = pick_java_home()
        for r in routers:
            r.start(java_home)
        self.store.save(state)
        info("waiting for the router(s) to answer (up to %ds)" % o.timeout)
        wait_ready(routers, o.timeout)
        state.state = STATE_UP
        self.store.save(state)

    def keep_logs_and_remove(self, state):
        keep = self.layout.failed_logs_dir()
        shutil.rmtree(keep, ignore_errors=True)
        os.makedirs(keep, exist_ok=True)
        for h in state.hosts:
            if not os.path.isdir(self.layout.host_dir(h.name)):
                continue
            os.makedirs(os.path.join(keep, h.name), exist_ok=True)
            for f in (self.layout.router_log(h.name), self.layout.karaf_log(h.name)):
                if os.path.isfile(f):
                    shutil.copy(f, os.path.join(keep, h.name))
        info("lab up failed: removing what it made (router logs kept in %s)" % keep)
        teardown(self.session)


def teardown(session):
    """Everything lab LAB made: containers (recorded or not), routers, host namespaces,
    fabric, state, hosts file."""
    layout, store = session.layout, session.store
    with session.lock:
        state = store.load()
        containers = Containers(layout, store)
        if state is not None:
            for record in list(state.containers.values()):
                containers.remove_namespace(record)
        # containers of this lab that the state does not know (a killed `lab run`)
        for ns in net.netns_list():
            if ns.startswith(layout.container_namespace_prefix()):
                net.kill_netns_processes(ns)
                net.netns_delete(ns)
                net.remove_etc_netns(ns)
        if state is not None:
            for r in routers_of(session, state):
                r.stop()
        host_ns = re.compile(re.escape(layout.lab) + r"-h[0-9]+")
        for ns in net.netns_list():
            if host_ns.fullmatch(ns):
                net.kill_netns_processes(ns)
                net.link_delete(ns)  # the fabric end of its veth has its name
                net.netns_delete(ns)
        net.link_delete(layout.fabric_bridge)
        shutil.rmtree(layout.dir, ignore_errors=True)
        HostsFile(layout).remove()
        net.remove_etc_netns_dir_if_empty()


def lab_down(session):
    session.need_root()
    layout = session.layout
    left = [ns for ns in net.netns_list() if ns.startswith(layout.lab + "-")]
    if not session.store.exists() and not left and not net.link_exists(layout.fabric_bridge):
        info("lab '%s' is not up: nothing to do" % session.lab)
        shutil.rmtree(layout.dir, ignore_errors=True)
        return 0
    teardown(session)
    info("lab '%s' is down" % session.lab)
    return 0


def _host_router(session, state, host):
    record = state.host(host)
    if record is None:
        raise LabError("lab '%s' has no host '%s'" % (session.lab, host))
    return routers_of(session, state, [record])[0]


def _forward(veth, forwarding):
    """The fabric bridge's port VETH forwarding, or not (disabled): packets to and from the
    host are lost, and neither end of the veth loses its carrier, so the host's kernel
    notices nothing (a carrier that comes back is reported up to a second late, which would
    make every cut last that long)."""
    net.bridge("link", "set", "dev", veth, "state", "3" if forwarding else "0")


def set_link(session, options):
    """Host H's link to the fabric down or up (its port on the fabric bridge stops or starts
    forwarding), as a cut somewhere in the network: nothing is reset, packets are just lost
    meanwhile. The state records it; lab down removes the link either way."""
    session.need_root()
    session.require_lab()
    with session.store.update() as state:
        host = state.host(options.host)
        if host is None:
            raise LabError("lab '%s' has no host '%s'" % (session.lab, options.host))
        _forward(host.veth, options.state == "up")
        if options.for_ms:
            time.sleep(options.for_ms / 1000.0)  # a cut this short needs no second command
            _forward(host.veth, True)
            host.link = "up"
        else:
            host.link = options.state
    if options.for_ms:
        info("%s: link to the fabric down for %d ms, up again" % (options.host, options.for_ms))
    else:
        info("%s: link to the fabric %s" % (options.host, options.state))
    return 0


def kill_router(session, options):
    """KILL to host H's router (its JVM and all); the host, its containers and the rest of
    the lab stay; the state records the router as stopped."""
    session.need_root()
    session.require_lab()
    with session.store.update() as state:
        router = _host_router(session, state, options.host)
        if not router.alive():
            was = router.host.pid
            router.kill()  # whatever of its group is left
            info("the router of %s is not running%s" % (options.host, " (pid %d was gone)" % was if was else ""))
            return 0
        pid = router.host.pid
        router.kill()
    info("%s: killed the router (process group %d); the host and its containers stay" % (options.host, pid))
    return 0


def start_router(session, options):
    """Starts host H's router again from its copy, then waits as lab up does: ping, then
    'ffctl cluster' until every running router sees one cluster of all of them."""
    session.need_root()
    session.require_lab()
    with session.lock:
        state = session.store.load()
        router = _host_router(session, state, options.host)
        if router.alive():
            info("the router of %s is already running (pid %d)" % (options.host, router.host.pid))
            return 0
        router.start(pick_java_home())
        session.store.save(state)
        pid = router.host.pid
    info("%s: started the router (pid %d); waiting for it to answer (up to %ds)" % (options.host, pid, options.timeout))
    # the live routers: the one started here, and every other that runs
    state = session.store.load()
    others = [r for r in routers_of(session, state, state.running_hosts()) if r.name != router.name]
    routers = sorted([router] + [r for r in others if r.alive()], key=lambda r: r.host.index)
    try:
        wait_ready(routers, options.timeout)
    except BaseException:
        with session.store.update() as current:
            if current is not None and current.host(options.host) is not None:
                router.host = current.host(options.host)
                if router.host.pid == pid:
                    router.kill()
        raise
    info("%s: the router is up, in one cluster of %d" % (options.host, len(routers)))
    return 0
