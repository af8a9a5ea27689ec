"""fflab: the lab of ./freeflow (``./freeflow lab ...``).

Every "host" is a network namespace that runs its own router (a copy of the Karaf
distribution); the hosts are joined by a bridge in the root namespace (the "physical
network"). Every "container" is a network namespace with a veth into its host's bridge
br0, the virtual IP its router gave it, and the FFL library and its router socket in its
environment. What the lab made is recorded in /run/freeflow-lab/<lab>/lab.json and
removed by ``lab down``.

Modules: errors (messages, LabError), ipv4 (address arithmetic, subnet choice), cfgfile
(Karaf .cfg editing), args (command lines), state (paths, lock, lab.json), proc
(processes), net (namespaces, links, bridges via ``ip``), ffctl (the routers' admin
client), router (copies, start, stop, kill, wait), containers (attach, namespaces, hosts
file), lifecycle (up, down, kill-router, start-router), run (run, exec, wait-port, port),
report (status, inspect, logs, config), cli (dispatch), usage (the help text).
Standard library only (Debian 12's python3).
"""
