"""What a lab is: lab status, lab inspect, lab logs, lab config."""

import json
import os
import sys

from fflab import cfgfile
from fflab.containers import Containers
from fflab.errors import LabError, info
from fflab.ffctl import Ffctl
from fflab.lifecycle import routers_of
from fflab.router import Router
from fflab.run import find_container

HOST_ROW = "%-5s %-12s %-15s %-5s %-8s %-8s %-6s %-5s %s"
CLUSTER_ROW = "%-5s %-9s %-8s %-8s %-6s %s"
CONTAINER_ROW = "%-20s %-5s %-18s %-12s %-8s %-6s"


def _dash(value):
    return "-" if value is None or value == "" else str(value)


def router_column(router):
    """running, stopped (never started, or lab kill-router) or dead (it ended by itself)."""
    if router.alive():
        return "running"
    return "dead" if router.host.router_running else "stopped"


def lab_status(session):
    state = session.store.load()
    if state is None:
        print("lab '%s': not up" % session.lab)
        return 0
    layout = session.layout
    print("lab '%s': %s, %d host(s), fabric %s %s in %s, state %s"
          % (session.lab, state.state, len(state.hosts), layout.fabric_bridge, state.root_address, state.subnet,
             layout.dir))
    print(HOST_ROW % ("HOST", "NAMESPACE", "ADDRESS", "LINK", "PID", "ROUTER", "ALIVE", "PING", "SOCKET"))
    routers = routers_of(session, state)
    for r in routers:
        alive = r.alive()
        ping = ("ok" if r.ping() else "no") if alive else "-"
        print(HOST_ROW % (r.name, r.host.namespace, r.host.address, r.host.link, _dash(r.host.pid), router_column(r),
                          "yes" if alive else "no", ping, r.socket))
    print(CLUSTER_ROW % ("HOST", "TOPOLOGY", "SERVERS", "RUNNING", "LOST", "REGISTERED"))
    for r in routers:
        if not r.alive():
            continue
        reply = r.cluster()
        if reply.ok:
            f = reply.facts()
            print(CLUSTER_ROW % (r.name, f.get("topology_version", ""), f.get("servers", ""),
                                 f.get("hosts_running", ""), f.get("hosts_lost", ""),
                                 "yes" if f.get("host_registered") == "1" else "no"))
        else:
            print("%-5s %s" % (r.name, "orchestrator: " + reply.output.replace("\n", " ")))
    print(CONTAINER_ROW % ("CONTAINER", "HOST", "VIP", "TENANT", "PID", "ALIVE"))
    containers = Containers(layout, session.store)
    for name in sorted(state.containers):
        c = state.containers[name]
        print(CONTAINER_ROW % (c.name, c.host, "%s/%s" % (c.vip, c.prefix), c.tenant, _dash(c.pid),
                               "yes" if containers.alive(c) else "no"))
    sys.stdout.flush()
    return 0


def host_facts(layout, router):
    """What lab inspect says of a host, in order (typed, for --json)."""
    h = router.host
    name = h.name
    return {
        "name": name, "index": h.index, "namespace": h.namespace, "address": h.address, "veth": h.veth,
        "pid": h.pid, "router": h.router, "alive": router.alive(), "link": h.link,
        "socket_dir": layout.socket_dir(name), "socket": layout.admin_socket(name),
        "karaf": layout.karaf_dir(name), "log": layout.router_log(name), "karaf_log": layout.karaf_log(name),
    }


def container_facts(record, alive):
    facts = {k: getattr(record, k) for k in ("name", "host", "namespace", "tenant", "vip", "prefix", "lid", "gid",
                                              "socket", "veth", "pid", "owner", "started")}
    facts["alive"] = alive
    return facts


def key_value_lines(facts):
    """key=value lines: no value is empty, a yes/no is a boolean."""
    lines = []
    for key, value in facts.items():
        if value is None:
            value = ""
        elif isinstance(value, bool):
            value = "yes" if value else "no"
        lines.append("%s=%s" % (key, value))
    return "\n".join(lines) + "\n"


def lab_inspect(session, options):
    state = session.store.load()
    if state is None:
        raise LabError("lab '%s' is not up" % session.lab)
    host = state.host(options.name)
    if host is not None:
        facts = host_facts(session.layout, Router(session.layout, host, Ffctl(state.ffctl)))
    else:
        record = find_container(session, state, options.name)
        facts = container_facts(record, Containers(session.layout, session.store).alive(record))
    if options.json:
        sys.stdout.write(json.dumps(facts) + "\n")
    else:
        sys.stdout.write(key_value_lines(facts))
    return 0


def lab_logs(session, options):
    state = session.store.load()
    if state is None:
        raise LabError("lab '%s' is not up" % session.lab)
    host = state.host(options.host)
    if host is None or not os.path.isdir(session.layout.host_dir(options.host)):
        raise LabError("lab '%s' has no host '%s'" % (session.lab, options.host))
    Router(session.layout, host, Ffctl(state.ffctl)).print_log_tail(options.lines, sys.stdout)
    return 0


def lab_config(session, options):
    session.need_root()
    state = session.require_lab()
    host = state.host(options.host)
    if host is None:
        raise LabError("lab '%s' has no host '%s'" % (session.lab, options.host))
    path = Router(session.layout, host, Ffctl(state.ffctl)).config_file(options.pid)
    if not options.settings:
        if not os.path.isfile(path):
            raise LabError("%s has no configuration %s (%s)" % (options.host, options.pid, path))
        with open(path, "rb") as f:
            sys.stdout.buffer.write(f.read())
        return 0
    with session.lock:
        cfgfile.set_keys_in_file(path, options.settings)
    info("%s: %s: %s (the router applies it live)"
         % (options.host, options.pid, " ".join("%s=%s" % kv for kv in options.settings)))
    return 0
