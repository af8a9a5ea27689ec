"""Network namespaces, veths, bridges, VXLAN and addresses, through iproute2's ip and
bridge commands."""

import os
import shutil
import signal
import subprocess

from fflab import proc
from fflab.errors import LabError, warn

NETNS_DIR = "/run/netns"
ETC_NETNS = "/etc/netns"
VXLAN_ID = 4097
VXLAN_PORT = 4789
VXLAN_MTU = 1450


def _run(argv, check=True):
    r = subprocess.run(argv, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                       text=True)
    if check and r.returncode != 0:
        raise LabError("%s failed: %s" % (" ".join(argv), (r.stderr or r.stdout).strip()))
    return r


def ip(*args, netns=None, check=True):
    """ip [-n NETNS] ARGS; LabError with ip's message if it fails (and CHECK)."""
    argv = ["ip"] + (["-n", netns] if netns else []) + list(args)
    return _run(argv, check)


def bridge(*args, netns=None):
    argv = ["bridge"] + (["-n", netns] if netns else []) + list(args)
    return _run(argv)


# ---------------------------------------------------------------- namespaces

def netns_path(ns):
    return os.path.join(NETNS_DIR, ns)


def netns_exists(ns):
    return os.path.exists(netns_path(ns))


def netns_list():
    out = ip("netns", "list", check=False).stdout
    return [line.split()[0] for line in out.splitlines() if line.strip()]


def netns_add(ns):
    ip("netns", "add", ns)


def netns_delete(ns, quiet=False):
    r = ip("netns", "del", ns, check=False)
    if r.returncode != 0 and not quiet:
        warn("could not delete namespace %s" % ns)


def netns_pids(ns):
    out = ip("netns", "pids", ns, check=False).stdout
    return [int(p) for p in out.split() if p.isdigit()]


def netns_identify(pid):
    return ip("netns", "identify", str(pid), check=False).stdout.strip()


def kill_netns_processes(ns, grace=5):
    """Ends every process of namespace NS: TERM, then KILL those still there after GRACE s."""
    pids = netns_pids(ns)
    if not pids:
        return
    proc.signal_pids(pids, signal.SIGTERM)
    proc.wait_until(lambda: not netns_pids(ns), grace)
    proc.signal_pids(netns_pids(ns), signal.SIGKILL)


def remove_etc_netns(ns):
    shutil.rmtree(os.path.join(ETC_NETNS, ns), ignore_errors=True)


def remove_etc_netns_dir_if_empty():
    try:
        os.rmdir(ETC_NETNS)
    except OSError:
        pass


# ---------------------------------------------------------------- links

def link_exists(name, netns=None):
    return ip("link", "show", name, netns=netns, check=False).returncode == 0


def link_delete(name, netns=None):
    ip("link", "del", name, netns=netns, check=False)


def root_ipv4_networks():
    """Every IPv4 address of the root namespace as A.B.C.D/N."""
    out = ip("-4", "-o", "addr", "show", check=False).stdout
    return [line.split()[3] for line in out.splitlines() if len(line.split()) > 3]


def make_fabric(bridge_name, address, prefix):
    """The lab's 'physical network': a bridge in the root namespace with ADDRESS."""
    ip("link", "add", bridge_name, "type", "bridge")
    ip("addr", "add", "%s/%d" % (address, prefix), "dev", bridge_name)
    ip("link", "set", bridge_name, "up")


def make_host_namespace(ns, fabric_veth, fabric_bridge, address, prefix):
    """Host namespace NS: lo, eth0 (ADDRESS, a veth whose other end FABRIC_VETH is on the
    fabric bridge) and br0 without an address, for its containers."""
    netns_add(ns)
    ip("link", "set", "lo", "up", netns=ns)
    ip("link", "add", fabric_veth, "type", "veth", "peer", "name", "eth0", "netns", ns)
    ip("link", "set", fabric_veth, "master", fabric_bridge, "up")
    ip("addr", "add", "%s/%d" % (address, prefix), "dev", "eth0", netns=ns)
    ip("link", "set", "eth0", "up", netns=ns)
    ip("link", "add", "br0", "type", "bridge", netns=ns)
    ip("link", "set", "br0", "up", netns=ns)


def make_overlay(hosts):
    """VXLAN on each host's br0 towards every other host (Docker-overlay-like), so that
    containers of different hosts reach each other. HOSTS: (namespace, address) pairs."""
    if len(hosts) < 2:
        return
    for ns, address in hosts:
        ip("link", "add", "vxlan0", "type", "vxlan", "id", str(VXLAN_ID), "dstport", str(VXLAN_PORT),
           "local", address, "dev", "eth0", netns=ns)
        for other_ns, other_address in hosts:
            if other_ns != ns:
                bridge("fdb", "append", "00:00:00:00:00:00", "dev", "vxlan0", "dst", other_address, netns=ns)
        ip("link", "set", "vxlan0", "mtu", str(VXLAN_MTU), "master", "br0", "up", netns=ns)


def container_mac(address):
    """The MAC of the container with virtual IPv4 ADDRESS: 02:46 (locally administered,
    unicast) and the address's four bytes. It follows the address, so that when the
    container starts again on another host with its reserved address, its peers'
    neighbour entries still hold."""
    octets = [int(part) for part in address.split(".")]
    if len(octets) != 4 or not all(0 <= o <= 255 for o in octets):
        raise ValueError("not an IPv4 address: %r" % address)
    return "02:46:" + ":".join("%02x" % o for o in octets)


def make_container_link(ns, host_ns, veth, address, prefix, mtu, overlay):
    """Container namespace NS: lo, and eth0 with ADDRESS (and the MAC that goes with it),
    a veth whose other end VETH is on its host's br0. On an OVERLAY (several hosts) the
    address is announced at once, for the container may have come from another host."""
    ip("link", "set", "lo", "up", netns=ns)
    ip("link", "add", veth, "type", "veth", "peer", "name", "eth0", "address", container_mac(address), "netns", ns,
       netns=host_ns)
    ip("link", "set", veth, "master", "br0", "up", netns=host_ns)
    ip("addr", "add", "%s/%s" % (address, prefix), "dev", "eth0", netns=ns)
    ip("link", "set", "eth0", "mtu", str(mtu), "up", netns=ns)
    if overlay:
        announce(ns, address)


def announce(ns, address):
    """An unsolicited ARP for ADDRESS from eth0 of NS (arping -U): the other hosts' VXLAN
    endpoints and bridges learn the MAC's new place, neighbours refresh their entry.
    Without it a container that moved host stays unreachable from the others until their
    VXLAN forgets its old place (minutes). arping sends at once and then idles a second
    before it exits: it is left to end by itself."""
    if shutil.which("arping") is None:
        raise LabError("no arping (scripts/install-deps.sh installs iputils-arping)")
    subprocess.Popen(["ip", "netns", "exec", ns, "arping", "-q", "-U", "-c", "1", "-I", "eth0", address],
                     stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def tcp_listening(ns, port):
    """Does TCP PORT listen in namespace NS?"""
    r = subprocess.run(["ip", "netns", "exec", ns, "ss", "-Hltn", "sport = :%d" % port],
                       stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    return bool(r.stdout.strip())
