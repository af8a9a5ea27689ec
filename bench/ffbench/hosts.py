"""Between hosts: a lab of two hosts of its own (the bench's lab name + "x"), container c1 on
h1 (client, sender) and c2 on h2 (server, receiver), their routers joined by the tcp
transport. FreeFlow's perftest sweeps and CPU per router, beside the baselines of the same
run: iperf3 from h1's namespace to h2's (the hosts' own TCP), iperf3 and sockperf between c1
and c2 over the lab's VXLAN overlay; then eight QP pairs at once, for aggregate and fairness.

The rows are measured in the routers' default poller mode (what a user gets without
configuring anything) and the 2 B send latency once more in mode fastpath.
"""

import os
import subprocess
import time

from . import cpu, parse
from .lab import Lab, finish, read, stop
from .plan import BW_OPS, LAT_OPS, KiB
from .runner import CLIENT, SERVER, StepError, human_size, tail
from .suite import Suite

SECTION_BW, SECTION_LAT, SECTION_BASE, SECTION_CPU, SECTION_PAIRS = (
    "hosts_bw", "hosts_lat", "hosts_baseline", "hosts_cpu", "hosts_pairs")
DEFAULT_MODE = "default"
PAIRS = 8
PAIR_SIZE = 64 * KiB


def jain(values):
    """Jain's fairness index of VALUES: 1 when all are equal, 1/n when one takes everything."""
    total = sum(values)
    squares = sum(v * v for v in values)
    return total * total / (len(values) * squares) if squares else None


class HostPair(Suite):
    """The suite's measurements, on the two-host lab (self.lab is that lab)."""

    def __init__(self, lab, plan, results, helpers, single):
        super().__init__(lab, plan, results, helpers)
        self.mode = DEFAULT_MODE
        self.single = single  # the one-host lab of the rest of the suite

    @classmethod
    def beside(cls, suite):
        log_dir = os.path.join(suite.lab.log_dir, "hosts")
        os.makedirs(log_dir, exist_ok=True)
        return cls(Lab(suite.lab.repo, suite.lab.name + "x", log_dir), suite.plan, suite.r, suite.helpers, suite.lab)

    def host_steps(self):
        p = self.plan
        s = [("one-host lab down (its router would share the cores)", 10, self.single_down),
             ("between hosts: a lab of two hosts, c1 on h1, c2 on h2", 60, self.up),
             ("between hosts: baseline iperf3 h1 -> h2 (host namespaces)", p.iperf_seconds + 3, self.iperf3_hosts),
             ("between hosts: baseline iperf3 c1 -> c2 over the overlay", p.iperf_seconds + 2,
              self._bind(self.iperf3, SECTION_BASE, "TCP, one stream, c1 (h1) -> c2 (h2) over the VXLAN overlay"))]
        for size in p.lat_sizes:
            s.append(("between hosts: baseline sockperf ping-pong %s over the overlay" % human_size(size),
                      p.sockperf_seconds + 1.5, self._bind(self.sockperf, size, SECTION_BASE, "over the VXLAN overlay")))
        s.append(("between hosts: warm-up of the routers (JIT)", 6 * (p.warmup_duration + 1), self.warm_up))
        for op, tool in BW_OPS:
            for size in p.bw_sizes:
                s.append(("between hosts: %s %s" % (tool, human_size(size)), p.bw_reps * (p.bw_duration + 1.5),
                          self._bind(self.bandwidth, op, tool, size, SECTION_BW)))
        for op, tool in LAT_OPS:
            for size in p.lat_sizes:
                s.append(("between hosts: %s %s" % (tool, human_size(size)), 2 + p.hosts_lat_iters / 2000.0,
                          self._bind(self.host_latency, op, tool, size)))
        for op, tool in p.cpu_tests:
            s.append(("between hosts: CPU per router, %s %s" % (tool, human_size(p.cpu_size)), p.cpu_duration() + 2,
                      self._bind(self.cpu_per_router, op, tool)))
        s.append(("between hosts: %d QP pairs at once, ib_send_bw %s" % (PAIRS, human_size(PAIR_SIZE)),
                  2 * (p.bw_duration + 4), self.pairs_at_once))
        s.append(("between hosts: routers in mode fastpath", p.settle + 1, self._bind(self.both_modes, "fastpath")))
        s.append(("between hosts: ib_send_lat 2 B in mode fastpath", 2 + p.hosts_lat_iters / 2000.0,
                  self._bind(self.host_latency, "send", "ib_send_lat", 2)))
        s.append(("between hosts: lab down", 10, self.down))
        return s

    # ------------------------------------------------------------------ lab

    def up(self):
        self.lab.up(timeout=240, hosts=2)
        self.lab.start_container(SERVER, host="h2")
        facts = self.lab.start_container(CLIENT, host="h1")
        self.server_ip = self.lab.inspect(SERVER)["vip"]
        return "c1 %s on h1, c2 %s on h2" % (facts.get("vip"), self.server_ip)

    def down(self):
        self.lab.down()
        return "down"

    def single_down(self):
        self.single.down()
        return "down"

    def both_modes(self, mode):
        """mode=MODE on both routers (Config Admin applies it live)."""
        for host in ("h1", "h2"):
            self.lab.set_config("org.freeflow.fastpath", "mode", mode, host=host)
        self.mode = mode
        time.sleep(self.plan.settle)
        return "h1, h2: mode %s" % mode

    # ------------------------------------------------------------------ baselines

    def iperf3_hosts(self):
        """iperf3 between the hosts' own namespaces: the TCP the routers' transport runs on."""
        port = 5202
        t = self.plan.iperf_seconds
        ns1, ns2 = self.lab.host_namespace("h1"), self.lab.host_namespace("h2")
        address = self.lab.inspect("h2")["address"]
        log = self.lab.log_path("iperf3-hosts-srv")
        with open(log, "w") as f:
            srv = subprocess.Popen(["ip", "netns", "exec", ns2, "iperf3", "-s", "-1", "-p", str(port)], stdout=f,
                                   stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL)
        try:
            self._wait_listening(ns2, port, srv)
            r = subprocess.run(["ip", "netns", "exec", ns1, "iperf3", "-c", address, "-p", str(port), "-t", str(t),
                                "-O", "1", "-J"], stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                               timeout=t + 30)
        finally:
            finish(srv, 10)
        with open(self.lab.log_path("iperf3-hosts-cli"), "w") as f:
            f.write(r.stdout)
        if r.returncode != 0:
            raise StepError("iperf3 h1 -> h2 failed (exit %d):\n%s" % (r.returncode, tail(r.stdout)))
        gbps = parse.iperf3_gbps(r.stdout)
        self.r.add(SECTION_BASE, "iperf3_hosts", "bw_gbps", gbps, "Gbps",
                   note="TCP, one stream, h1's namespace -> h2's over the fabric bridge (no overlay)")
        return "%.1f Gbps" % gbps

    @staticmethod
    def _wait_listening(ns, port, server, timeout=20):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if server.poll() is not None:
                raise StepError("iperf3 -s in %s ended at once (exit %s)" % (ns, server.returncode))
            out = subprocess.run(["ip", "netns", "exec", ns, "ss", "-Hltn", "sport = :%d" % port],
                                 stdout=subprocess.PIPE, text=True, timeout=10).stdout
            if out.strip():
                return
            time.sleep(0.1)
        raise StepError("nothing listens on port %d in %s after %d s" % (port, ns, timeout))

    # ------------------------------------------------------------------ FreeFlow

    def host_latency(self, op, tool, size):
        """plan.hosts_lat_iters round trips (a round trip crosses the fabric twice)."""
        iters, discard = self.plan.hosts_lat_iters, self.plan.hosts_lat_iters // 10
        row, st = self._latency(tool, size, "%s-%d-%s" % (tool, size, self.mode), iters, discard)
        self._add_latency(SECTION_LAT, op, tool, size, row, st, discard)
        return "median %.2f us (p10 %.2f, p99 %.2f)" % (st["p50"], st["p10"], st["p99"])

    def _routers(self):
        return {"router_h1": self.lab.router_pids("h1"), "router_h2": self.lab.router_pids("h2")}

    def cpu_per_router(self, op, tool):
        p = self.plan
        d = p.cpu_duration()
        box = {}

        def sample(_cli):
            time.sleep(p.cpu_lead)
            w = cpu.Window(self._routers())
            w.start()
            time.sleep(p.cpu_window)
            box["pct"], _, _ = w.stop()

        out = self.perftest(tool, ["-s", p.cpu_size, "-D", d, "-f", 0, "--report_gbits"],
                            "cpu-%s-hosts" % tool, d + 30, client_wait=sample)
        pct = box["pct"]
        if any(v is None for v in pct.values()):
            raise StepError("a router process ended inside the CPU window: %s" % pct)
        bw = parse.perftest_bw(out)["bw_gbps"]
        for who, v in pct.items():
            self.r.add(SECTION_CPU, tool, who + "_pct", v, "% of a core", op=op, size=p.cpu_size, mode=self.mode)
        self.r.add(SECTION_CPU, tool, "bw_gbps", bw, "Gbps", op=op, size=p.cpu_size, mode=self.mode)
        per_gbps = " (%.0f %% per Gbps)" % ((pct["router_h1"] + pct["router_h2"]) / bw) if bw else ""
        return "%.2f Gbps; router h1 %.0f %%, router h2 %.0f %%%s" % (bw, pct["router_h1"], pct["router_h2"],
                                                                      per_gbps)

    def pairs_at_once(self):
        """PAIRS ib_send_bw pairs between c1 and c2 at once (a QP pair each, their own ports),
        then one pair alone: aggregate against one pair, and Jain's index over the pairs."""
        p = self.plan
        d = p.bw_duration + 2
        args = ["-s", PAIR_SIZE, "-D", d, "-f", 0, "--report_gbits"]
        alone = parse.perftest_bw(self.perftest("ib_send_bw", args, "pairs-alone", d + 30))["bw_gbps"]
        servers, clients = [], []
        try:
            for i in range(PAIRS):
                port = 18700 + i
                argv = ["ib_send_bw", "-p", str(port)] + [str(a) for a in args]
                servers.append(self.lab.start(SERVER, argv, "pairs-%d-srv" % i))
            for i, (srv, _) in enumerate(servers):
                self.lab.wait_port(SERVER, 18700 + i, 30)
            for i in range(PAIRS):
                argv = ["ib_send_bw", "-p", str(18700 + i)] + [str(a) for a in args] + [SERVER]
                clients.append(self.lab.start(CLIENT, argv, "pairs-%d-cli" % i))
            rcs = [finish(c, d + 60) for c, _ in clients]
        finally:
            for c, _ in clients:
                stop(c)
            for s, _ in servers:
                stop(s)
        if any(rc != 0 for rc in rcs):
            bad = [i for i, rc in enumerate(rcs) if rc != 0]
            raise StepError("pairs %s failed (exit %s):\n%s" % (bad, [rcs[i] for i in bad],
                                                                tail(read(clients[bad[0]][1]))))
        each = [parse.perftest_bw(read(log))["bw_gbps"] for _, log in clients]
        total = sum(each)
        note = "%d ib_send_bw pairs c1 -> c2 at once, %s, -D %d" % (PAIRS, human_size(PAIR_SIZE), d)
        self.r.add(SECTION_PAIRS, "ib_send_bw", "one_pair_gbps", alone, "Gbps", op="send", size=PAIR_SIZE,
                   mode=self.mode, note="one pair alone, just before")
        self.r.add(SECTION_PAIRS, "ib_send_bw", "aggregate_gbps", total, "Gbps", op="send", size=PAIR_SIZE,
                   mode=self.mode, note=note)
        self.r.add(SECTION_PAIRS, "ib_send_bw", "jain_index", jain(each), "", op="send", size=PAIR_SIZE,
                   mode=self.mode, note=note)
        for i, v in enumerate(each):
            self.r.add(SECTION_PAIRS, "ib_send_bw", "pair%d_gbps" % (i + 1), v, "Gbps", op="send", size=PAIR_SIZE,
                       mode=self.mode)
        return "aggregate %.2f Gbps (one pair %.2f), Jain %.3f" % (total, alone, jain(each))

