"""The suite: first contact, baselines, FreeFlow's perftest sweeps and the per-mode figures,
all between the same two containers c1 (client, sender) and c2 (server, receiver) of the
bench's lab.

Each step is (label, estimated seconds, function). A step that fails is recorded and the
run goes on; its figures are then missing from the report, which says so.
"""

from . import parse
from .baselines import Baselines
from .control import ControlPlane
from .first import FirstContact
from .plan import BW_OPS, DUEL_MODES, LAT_OPS, MODES
from .runner import CLIENT, SERVER, human_size


class Suite(FirstContact, Baselines, ControlPlane):
    # ------------------------------------------------------------------ the plan

    def steps(self):
        p = self.plan
        # first contact before anything else uses the fresh router; it ends in mode fastpath
        s = [("lab up (one host, its router)", 15, self.lab_up),
             ("containers c1, c2", 4, self.containers)] + self.first_steps() + self.control_steps()
        s.append(("router mode fastpath", 1, self._bind(self.set_mode, "fastpath")))
        for size in p.memcpy_sizes:
            s.append(("baseline memcpy %s" % human_size(size), p.memcpy_seconds + 1, self._bind(self.memcpy, size)))
        s.append(("baseline iperf3 c1 -> c2", p.iperf_seconds + 2, self.iperf3))
        for size in p.lat_sizes:
            s.append(("baseline sockperf ping-pong %s" % human_size(size), p.sockperf_seconds + 1.5,
                      self._bind(self.sockperf, size)))
        for size in p.lat_sizes:
            s.append(("baseline UCX posix tag_lat %s" % human_size(size), 1, self._bind(self.ucx_lat, size)))
        for size in p.bw_sizes:
            s.append(("baseline UCX posix tag_bw %s" % human_size(size), 1, self._bind(self.ucx_bw, size)))
        s.append(("warm-up of the router (JIT)", 6 * (p.warmup_duration + 0.7), self.warm_up))
        for op, tool in BW_OPS:
            for size in p.bw_sizes:
                s.append(("%s %s" % (tool, human_size(size)), p.bw_reps * (p.bw_duration + 0.8),
                          self._bind(self.bandwidth, op, tool, size)))
        for op, tool in LAT_OPS:
            for size in p.lat_sizes:
                s.append(("%s %s" % (tool, human_size(size)), 1 + p.lat_iters / 40000.0,
                          self._bind(self.latency, op, tool, size)))
        for mode in MODES:
            s.append(("mode %s: configure" % mode, p.settle + 1, self._bind(self.set_mode, mode)))
            s.append(("mode %s: idle router, no QPs" % mode, p.idle_window + 0.5, self.idle_no_qp))
            s.append(("mode %s: idle router, connected QPs" % mode, p.idle_window + p.idle_settle + 1.5,
                      self.idle_connected))
            s.append(("mode %s: ib_send_lat %s" % (mode, human_size(p.mode_lat_size)), 1 + p.lat_iters / 40000.0,
                      self.mode_latency))
            for op, tool in p.cpu_tests:
                s.append(("mode %s: CPU at full throughput, %s %s" % (mode, tool, human_size(p.cpu_size)),
                          p.cpu_duration() + 0.8, self._bind(self.cpu_at_throughput, op, tool)))
        for run in range(1, p.duel_runs + 1):
            for mode in DUEL_MODES:
                s.append(("latency in turns, run %d: %s" % (run, mode), p.settle + 2 + p.lat_iters / 40000.0,
                          self._bind(self.duel_latency, mode, run)))
        return s

    # ------------------------------------------------------------------ lab

    def lab_up(self):
        self.lab.up()
        return "up"

    def containers(self):
        self.lab.start_container(SERVER)
        facts = self.lab.start_container(CLIENT)
        self.server_ip = self.lab.inspect(SERVER)["vip"]
        return "c1 %s, c2 %s" % (facts.get("vip"), self.server_ip)

    # ------------------------------------------------------------------ FreeFlow

    def warm_up(self):
        """Every tool once, results dropped: the router's JIT compiles its hot paths."""
        d = self.plan.warmup_duration
        for op, tool in BW_OPS:
            self.perftest(tool, ["-s", 65536, "-D", d, "-f", 0, "--report_gbits"], "warmup-" + tool, d + 30)
        for op, tool in LAT_OPS:
            self.perftest(tool, ["-s", 2, "-D", d], "warmup-" + tool, d + 30)
        return "done"

    def bandwidth(self, op, tool, size, section="bw"):
        """plan.bw_reps runs; the median is the figure, min and max show the spread."""
        p = self.plan
        runs = []
        for rep in range(p.bw_reps):
            out = self.perftest(tool, ["-s", size, "-D", p.bw_duration, "-f", p.bw_margin, "--report_gbits"],
                                "%s-%d-%d" % (tool, size, rep + 1), p.bw_duration + 30)
            runs.append(parse.perftest_bw(out))
        bws = sorted(x["bw_gbps"] for x in runs)
        rates = sorted(x["msg_rate_mpps"] for x in runs)
        med = bws[len(bws) // 2]
        self.r.add(section, tool, "bw_gbps", med, "Gbps", op=op, size=size, mode=self.mode,
                   note="median of %d runs" % len(runs))
        self.r.add(section, tool, "bw_gbps_min", bws[0], "Gbps", op=op, size=size, mode=self.mode)
        self.r.add(section, tool, "bw_gbps_max", bws[-1], "Gbps", op=op, size=size, mode=self.mode)
        self.r.add(section, tool, "msg_rate_mpps", rates[len(rates) // 2], "Mpps", op=op, size=size,
                   mode=self.mode)
        if len(bws) == 1:
            return "%.1f Gbps" % med
        return "%.1f Gbps (runs: %s)" % (med, ", ".join("%.0f" % x["bw_gbps"] for x in runs))

    def _latency(self, tool, size, label, iters=None, discard=None):
        p = self.plan
        iters = p.lat_iters if iters is None else iters
        out = self.perftest(tool, ["-s", size, "-n", iters, "-U"], label, 60 + iters / 2000.0)
        row = parse.perftest_lat(out)
        return row, parse.latency_stats(row["samples"], p.lat_discard if discard is None else discard)

    def _add_latency(self, section, op, tool, size, row, st, discard=None):
        note = "one way (RTT/2)" if op != "read" else "round trip (perftest's read latency)"
        discard = self.plan.lat_discard if discard is None else discard
        for k in ("p10", "p50", "p99"):
            self.r.add(section, tool, k + "_us", st[k], "us", op=op, size=size, mode=self.mode,
                       note=note + "; %d samples after %d warm-up" % (st["n"], discard))
        self.r.add(section, tool, "perftest_typical_us", row["t_typical"], "us", op=op, size=size, mode=self.mode)
        self.r.add(section, tool, "perftest_avg_us", row["t_avg"], "us", op=op, size=size, mode=self.mode)

    def latency(self, op, tool, size):
        row, st = self._latency(tool, size, "%s-%d" % (tool, size))
        self._add_latency("lat", op, tool, size, row, st)
        return "median %.2f us (p10 %.2f, p99 %.2f)" % (st["p50"], st["p10"], st["p99"])

    def duel_latency(self, mode, run):
        """One of the interleaved fastpath/adaptive runs (section 'duel', metric p50_us_runN)."""
        self.set_mode(mode)
        size = self.plan.mode_lat_size
        _, st = self._latency("ib_send_lat", size, "duel-%s-%d" % (mode, run))
        self.r.add("duel", "ib_send_lat", "p50_us_run%d" % run, st["p50"], "us", op="send", size=size, mode=mode,
                   note="one way (RTT/2); run %d of the modes in turns" % run)
        return "median %.2f us" % st["p50"]

    def mode_latency(self):
        size = self.plan.mode_lat_size
        row, st = self._latency("ib_send_lat", size, "modelat-%s" % self.mode)
        self._add_latency("modelat", "send", "ib_send_lat", size, row, st)
        return "median %.2f us (p99 %.2f)" % (st["p50"], st["p99"])
