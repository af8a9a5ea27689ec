"""results.md: FreeFlow beside each baseline of the same run, with the ratios and the
verdict on every target. Reads only the Results (so it can be rebuilt from results.csv)."""

from . import first, targets
from .markdown import NA, num, ratio, sizes, table
from .report_hosts import between_hosts
from .plan import BW_OPS, DUEL_MODES, FIRST_PHASES, FIRST_TOOLS, LAT_OPS, MODES, MiB
from .runner import CALIBRATION_RETRIES, human_size
from .steps import retried_text
from .targets import judge

class Report:
    def __init__(self, r, figures):
        self.r = r
        self.figures = figures  # [(title, file name)]

    def markdown(self):
        parts = [self.header(), self.targets(), self.first_contact(), self.first_modes(), self.regmr(), self.control(),
                 self.throughput(), self.throughput_ratios(), self.latency(), self.baselines(), self.cpu(),
                 self.idle(), self.mode_latency(), between_hosts(self.r), self.plots(), self.method()]
        if self._retried():
            parts.append(self.retried())
        if str(self.r.meta("failures")) not in ("", "0"):
            parts.append(self.failed())
        return "\n\n".join(p for p in parts if p) + "\n"

    # ------------------------------------------------------------------ sections

    def header(self):
        m = self.r.meta
        return "\n".join([
            "# FreeFlow benchmark, %s (%s run)" % (m("date"), m("plan")),
            "",
            "- **Machine**: %s CPUs, %s; Linux %s; %s GiB of memory; load average %s at the start; other "
            "processes than the bench's took %s %% of the CPUs during the run%s" % (
                m("nproc"), m("cpu_model"), m("kernel"), m("mem_gib"), m("loadavg_start"), m("other_load_pct"),
                self._busy()),
            "- **Software**: commit %s; perftest %s, iperf3 %s, sockperf %s, UCX %s" % (
                m("commit"), m("perftest"), m("iperf3"), m("sockperf"), m("ucx")),
            "- **Run**: `%s`, %s s; lab `%s`: one host (its router, a Karaf JVM), containers c1 (client, "
            "sender) and c2 (server, receiver) on the host's bridge, Docker-like; every test, FreeFlow "
            "or baseline, between these two containers." % (m("command"), m("duration_s"), m("lab")),
        ] + (["- **Retries**: %s (see Retried steps)" % retried_text(self._retried())] if self._retried() else []))

    def targets(self):
        rows = []
        for t in judge(self.r):
            ref = "%s %s" % (num(t.reference), t.unit) if t.ref_text.startswith("limit") else \
                "%s: %s %s" % (t.ref_text, num(t.reference), t.unit)
            rows.append([t.text, "%s %s" % (num(t.value), t.unit), ref, ratio(t.ratio, 1), self._required(t),
                         self._verdict(t)])
        return ("## Targets\n\nWhat FreeFlow is meant to reach, each target a ratio to a baseline measured in this "
                "same run between the same two containers, to another FreeFlow figure, or an absolute limit: "
                "throughput near memory copy and far above TCP, small messages near large ones, latency far "
                "below TCP's, an idle router that costs next to nothing, an adaptive mode as fast as "
                "fastpath, and perftest's first default-flag runs near its steady state (bench/README.md, "
                "Targets).\n\n") + table(
            ["target", "FreeFlow", "baseline / limit", "ratio", "required", "verdict"], rows)

    def first_contact(self):
        r = self.r
        runs = targets.first_runs(r)
        verdicts = {t.key: t for t in judge(r)}  # the worst run's ratio and verdict
        mode, logged, note = first.start_mode(r)
        said = ("the router's log says `%s`" % note.split(": ", 1)[-1]) if logged else (note or "not recorded")
        rows = []
        for op, tool in FIRST_TOOLS:
            for phase in FIRST_PHASES:
                unit = first.figure_unit(tool)
                t = verdicts["first_%s_%s" % (tool, phase)]
                rows.append([tool, first.phase_name(r, phase), first.default_shape(r, tool, phase) or NA]
                            + ["%s %s" % (num(v), unit) for v in first.run_figures(r, tool, phase, runs)]
                            + ["%s %s (`%s`)" % (num(first.steady_figure(r, tool, phase)), unit,
                                                 first.steady_flags(r, tool)),
                               ratio(t.ratio, 1), self._verdict(t)])
        text = ("## First contact: perftest as a person first runs it\n\nThe router is fresh: the bench "
                "started it (`lab up`) and nothing used it before these runs. Each tool with perftest's "
                "default flags (`ib_send_bw` in c2, `ib_send_bw c2` in c1, plus `-p PORT`, the TCP port of "
                "perftest's connection setup; 'default run' says what perftest made of them), in %d rounds "
                "of one run of each tool (run 1 of every tool comes before any run 2), then the steady state "
                "of the same pair: `-D %s` for bandwidth, `-n %s` for ib_send_lat (perftest's `-D` latency "
                "prints an average only, no t_typical). First in the router's default mode, which the bench "
                "does not set (%s: %s), then all again in mode fastpath. Bandwidth in MB/s as perftest prints "
                "it (2^20 bytes/s), latency t_typical in µs, one way. Ratio: the worst run's fraction of the "
                "steady state (bandwidth: run / steady; latency: steady / run); the target is ≥ 0.8×.\n\n"
                % (runs, r.meta("first_bw_duration"), r.meta("first_lat_iters"), mode or "unknown", said))
        return text + table(["tool", "mode", "default run"] + ["run %d" % k for k in range(1, runs + 1)]
                            + ["steady state", "worst ratio", "verdict"], rows)

    def first_modes(self):
        r = self.r
        verdicts = {t.key: t for t in judge(r)}
        rows = []
        for key, what, unit in (("first_write_1m_default_vs_fastpath", "ib_write_bw -s 1 MiB -n 3000 (median of %s "
                                 "run(s))" % r.meta("first_write_runs"), "MB/s"),
                                ("first_send_lat_default_vs_fastpath", "ib_send_lat, default flags, t_typical (median "
                                 "of the %d runs above)" % targets.first_runs(r), "µs")):
            t = verdicts[key]
            rows.append([what, "%s %s" % (num(t.value), unit), "%s %s" % (num(t.reference), unit),
                         ratio(t.ratio, 1), self._required(t), self._verdict(t)])
        return ("### First contact: the default mode against fastpath\n\nIn each phase above, after its "
                "steady-state runs: `ib_write_bw -s 1048576 -n 3000`; and the default-flag ib_send_lat runs of "
                "the table. The default mode must move bulk data and serve a ping-pong about as well as "
                "fastpath.\n\n" + table(["figure", first.phase_name(r, first.DEFAULT), "fastpath", "ratio",
                                          "required", "verdict"], rows))

    def regmr(self):
        rows = []
        for size in first.regmr_sizes(self.r):
            rows.append([human_size(size)] + [num(first.regmr_figure(self.r, size, m)) for m in
                                              ("reg_us_per_mib", "dereg_us_per_mib", "touch_after_reg_us_per_mib",
                                               "touch_resident_us_per_mib")])
        return ("### Memory registration, µs per MiB\n\n`bench/src/ff_regmr_cost` in c1, on FreeFlow's "
                "libibverbs: anonymous memory (mmap) that memset has touched as an application fills its "
                "buffer, then `ibv_reg_mr` (LOCAL_WRITE, REMOTE_WRITE, REMOTE_READ), a memset over the "
                "registered buffer (the application's first touch after the registration) and "
                "`ibv_dereg_mr`, each timed with CLOCK_MONOTONIC; the median of %s repetitions. A memset of "
                "the same memory, resident, before the registration is the reference for the touch after it. "
                "No target: figures to compare before and after a change.\n\n" % self.r.meta("regmr_reps")
                + table(["size", "ibv_reg_mr", "ibv_dereg_mr", "memset after reg", "memset, resident (before reg)"],
                        rows))

    def control(self):
        tests = [t for t in ("1 router", "3 routers")
                 if any(row["section"] == "control" and row["test"] == t for row in self.r.rows)]
        if not tests:
            return ""
        rows = []
        for verb in ("reg_mr", "dereg_mr", "create_qp", "destroy_qp", "attach", "detach", "ping"):
            cells = []
            for t in tests:
                cells += [num(self.r.get("control", t, "%s_%s" % (verb, m)), 0) for m in ("per_s", "p50_us", "p99_us")]
            rows.append([verb if verb != "ping" else "ffctl ping (reference)"] + cells)
        header = ["verb"] + ["%s: %s" % (t, m) for t in tests for m in ("per s", "p50 µs", "p99 µs")]
        return ("### Control verbs, with the orchestrator in the loop\n\n`bench/src/ff_control_rate` in three "
                "containers at once (one router: all on the bench's host; three routers: a lab of three hosts, one "
                "on each; every router in its default mode, adaptive): `ibv_reg_mr` + `ibv_dereg_mr` of one page (each answered once the cluster's MEMORY_MAPS "
                "has the change), then `ibv_create_qp` + `ibv_destroy_qp` (RC; QPNs from the router's lease). Rates "
                "add up over the containers; p50 is the median of theirs, p99 the worst. Attach and detach: `ffctl` "
                "against h1's admin socket, one call at a time, the process included (`ffctl ping` beside them). No "
                "target: figures to compare 1 and 3 routers, and before and after a change.\n\n"
                + table(header, rows))

    @staticmethod
    def _required(t):
        return "%s %s×" % (t.sense.replace(">=", "≥").replace("<=", "≤"), num(t.factor, 1))

    @staticmethod
    def _verdict(t):
        return "**%s**" % t.verdict + (" (%s)" % t.mode_note if t.mode_note else "")

    def throughput(self):
        rows = []
        for size in sizes(self.r, "bw", "bw_gbps"):
            row = [human_size(size)]
            for op, tool in BW_OPS:
                g = lambda k: self.r.get("bw", tool, k, op=op, size=size, mode="fastpath")  # noqa: E731
                cell = num(g("bw_gbps"), 1)
                if g("bw_gbps_min") is not None and g("bw_gbps_min") != g("bw_gbps_max"):
                    cell += " (%s–%s)" % (num(g("bw_gbps_min"), 1), num(g("bw_gbps_max"), 1))
                row.append(cell)
            row.append(num(self.r.get("baseline", "ucx_tag_bw", "bw_gbps", size=size), 1))
            rows.append(row)
        mem = [num(self.r.get("baseline", "memcpy", "bw_gbps", size=s), 1) for s in (MiB, 256 * MiB)]
        return ("## Throughput, Gbps (paper Fig. 9)\n\nperftest `-D` runs, mode fastpath, c1 → c2: the median of "
                "%s run(s), in brackets the lowest and the highest. The UCX "
                "column is shared-memory messaging between the same two containers. Same run: memcpy one "
                "core %s Gbps (1 MiB, in cache) and %s Gbps (256 MiB); iperf3 TCP c1 → c2 %s Gbps.\n\n" % (
                    self.r.meta("bw_reps"), mem[0], mem[1], num(self.r.get("baseline", "iperf3", "bw_gbps"), 1))
                + table(["size", "ib_send_bw", "ib_write_bw", "ib_read_bw", "UCX posix tag_bw"], rows))

    def throughput_ratios(self):
        mem1 = self.r.get("baseline", "memcpy", "bw_gbps", size=MiB)
        mem256 = self.r.get("baseline", "memcpy", "bw_gbps", size=256 * MiB)
        tcp = self.r.get("baseline", "iperf3", "bw_gbps")
        rows = []
        for op, tool in BW_OPS:
            for size in sizes(self.r, "bw", "bw_gbps"):
                bw = self.r.get("bw", tool, "bw_gbps", op=op, size=size, mode="fastpath")
                ucx = self.r.get("baseline", "ucx_tag_bw", "bw_gbps", size=size)
                rows.append([tool, human_size(size), num(bw, 1), ratio(bw, mem1), ratio(bw, mem256), ratio(bw, tcp),
                             ratio(bw, ucx)])
        return "### Throughput: ratio to each baseline\n\n" + table(
            ["test", "size", "Gbps", "× memcpy 1 MiB", "× memcpy 256 MiB", "× iperf3", "× UCX tag_bw (same size)"],
            rows)

    def latency(self):
        rows = []
        for op, tool in LAT_OPS:
            for size in sizes(self.r, "lat", "p50_us"):
                g = lambda k: self.r.get("lat", tool, k, op=op, size=size, mode="fastpath")  # noqa: E731
                sp = self.r.get("baseline", "sockperf", "p50_us", size=size)
                ucx = self.r.get("baseline", "ucx_tag_lat", "p50_us", size=size)
                rows.append([tool, human_size(size), num(g("p10_us")), num(g("p50_us")), num(g("p99_us")),
                             num(sp), ratio(g("p50_us"), sp, 3), num(ucx, 3), ratio(g("p50_us"), ucx)])
        return ("## Latency, µs (paper Fig. 10 and Table 3)\n\nperftest `-U` samples after a warm-up, mode "
                "fastpath; send and write one way (RTT/2), read a round trip, as perftest reports them. "
                "Baselines at the same size, medians, one way: sockperf TCP ping-pong c1 → c2 (at least 14 B, "
                "its minimum) and UCX posix tag_lat.\n\n"
                + table(["test", "size", "p10", "median", "p99", "sockperf median", "× sockperf",
                         "UCX tag_lat", "× UCX"], rows))

    def baselines(self):
        g = self.r.get
        rows = [["memcpy, one core, 1 MiB (in cache)", num(g("baseline", "memcpy", "bw_gbps", size=MiB), 1) + " Gbps"],
                ["memcpy, one core, 256 MiB (DRAM)", num(g("baseline", "memcpy", "bw_gbps", size=256 * MiB), 1)
                 + " Gbps"],
                ["iperf3 TCP c1 → c2, one stream, bridge", num(g("baseline", "iperf3", "bw_gbps"), 1) + " Gbps"]]
        for size in sizes(self.r, "baseline", "p50_us"):
            rows.append(["sockperf TCP ping-pong %s, one way p10 / median / p99" % human_size(max(size, 14)),
                         " / ".join(num(g("baseline", "sockperf", k, size=size)) for k in ("p10_us", "p50_us", "p99_us"))
                         + " µs"])
        for size in sizes(self.r, "baseline", "avg_us"):
            rows.append(["UCX posix tag_lat %s, median / average" % human_size(size),
                         " / ".join(num(g("baseline", "ucx_tag_lat", k, size=size), 3) for k in ("p50_us", "avg_us"))
                         + " µs"])
        for size in sizes(self.r, "baseline", "bw_gbps"):
            if size not in (2 * 1024, MiB) or g("baseline", "ucx_tag_bw", "bw_gbps", size=size) is None:
                continue  # the other sizes: the throughput table
            rows.append(["UCX posix tag_bw %s" % human_size(size),
                         num(g("baseline", "ucx_tag_bw", "bw_gbps", size=size), 1) + " Gbps"])
        return "## Baselines (same run, same two containers)\n\n" + table(["baseline", "figure"], rows)

    def cpu(self):
        rows = []
        tests = sorted({(row["op"], row["test"]) for row in self.r.rows if row["section"] == "cpu"})
        for mode in MODES:
            for op, tool in tests:
                g = lambda k: self.r.get("cpu", tool, k, op=op, size=MiB, mode=mode)  # noqa: E731
                rows.append([mode, "%s 1 MiB" % tool, num(g("bw_gbps"), 1), num(g("router_pct"), 0),
                             " / ".join(num(g("router_%s_pct" % c), 0) for c in ("poller", "jit", "gc", "other")),
                             num(g("client_pct"), 0), num(g("server_pct"), 0)])
        return ("## CPU at full throughput, % of one core (paper Fig. 12)\n\nFrom /proc/<pid>/stat (utime + "
                "stime) over a window inside the measured part of a perftest `-D` run; the router is every "
                "process of the host's namespace (its JVM), split by thread from /proc/<pid>/task.\n\n"
                + table(["mode", "test", "Gbps", "router", "router: poller / JIT / GC / other", "client (c1)",
                         "server (c2)"], rows))

    def idle(self):
        rows = []
        for mode in MODES:
            g = lambda t, k: self.r.get("idle", t, k, mode=mode)  # noqa: E731
            rows.append([mode, self._applied(mode), num(g("no_qp", "router_pct"), 1),
                         num(g("connected_qp", "router_pct"), 1), num(g("connected_qp", "router_poller_pct"), 1)])
        return ("## Idle router per mode, % of one core\n\nNo traffic. 'Connected QPs': `bench/src/ff_idle_qp` "
                "in c1 and c2, one RC QP each in RTS, one SEND to prove the path, then asleep; the window "
                "starts 2 s after that SEND.\n\n"
                + table(["mode", "applied", "no QPs", "connected QPs", "of which the poller thread"], rows))

    def mode_latency(self):
        rows = []
        fast = self.r.get("modelat", "ib_send_lat", "p50_us", op="send", size=2, mode="fastpath")
        for mode in MODES:
            g = lambda k: self.r.get("modelat", "ib_send_lat", k, op="send", size=2, mode=mode)  # noqa: E731
            rows.append([mode, self._applied(mode), num(g("p10_us")), num(g("p50_us")), num(g("p99_us")),
                         ratio(g("p50_us"), fast)])
        text = ("## 2 B ib_send_lat per mode, µs (one way)\n\nThe ping-pong is the load: the adaptive mode must "
                "serve it as fast as fastpath.\n\n"
                + table(["mode", "applied", "p10", "median", "p99", "× fastpath median"], rows))
        duel = {mode: targets.duel_runs(self.r, mode) for mode in DUEL_MODES}
        if all(duel.values()):
            text += ("\n\nThen in turns (%s), the medians of each run: %s. The adaptive target compares the "
                     "medians of these runs: one run's median moves by about ±20 %% with where the scheduler "
                     "puts the three spinning threads on two cores."
                     % (", ".join(DUEL_MODES),
                        "; ".join("%s %s µs" % (mode, ", ".join(num(v) for v in duel[mode])) for mode in DUEL_MODES)))
        return text

    def _busy(self):
        """A warning when other work shared the CPUs with the bench."""
        try:
            other = float(self.r.meta("other_load_pct"))
        except ValueError:
            return ""
        if other < 10:
            return ""
        return (" — **the machine was busy**: the figures, latency tails above all, are noisier than on an "
                "idle machine")

    def _applied(self, mode):
        v = self.r.get("mode", "config", "applied", mode=mode)
        if v in (None, ""):
            return NA
        return "yes" if float(v) else "not confirmed"

    def plots(self):
        if not self.figures:
            return ""
        return "## Figures\n\n" + "\n\n".join("![%s](%s)" % (t, f) for t, f in self.figures)

    def method(self):
        m = self.r.meta
        return "\n".join([
            "## How it was measured",
            "",
            "- Throughput: `ib_*_bw -s SIZE -D %s -f %s --report_gbits` (%s), %s run(s) per size and the "
            "median, after a warm-up of every tool (the router's JIT)." % (
                m("bw_duration"), m("bw_margin"), "all of it counted" if str(m("bw_margin")) == "0" else
                "the first and last %s s are not counted" % m("bw_margin"), m("bw_reps")),
            "- CPU: `ib_*_bw -s 1MiB -D N`; a window of %s s, starting 1 s after the client, over utime + stime of "
            "/proc/<pid>/stat." % m("cpu_window"),
            "- Latency: `ib_*_lat -s SIZE -n %s -U`; the first %s samples are dropped (warm-up), p10 / median / "
            "p99 of the rest (nearest rank)." % (m("lat_iters"), m("lat_discard")),
            "- First contact: perftest's default flags (and `-p PORT`) on the fresh router, %s run(s) of "
            "each tool in turns, against `-D %s` (bandwidth) and `-n %s` (ib_send_lat's t_typical); in the "
            "router's default mode, then in fastpath. `ib_write_bw -s 1048576 -n 3000`, the median of %s "
            "run(s) per mode." % (m("first_runs"), m("first_bw_duration"), m("first_lat_iters"),
                                   m("first_write_runs")),
            "- Modes: `./freeflow lab config --host h1 org.freeflow.fastpath mode=MODE` (Karaf applies the "
            "file live); 'applied' means the router logged a line naming the mode. Throughput and latency "
            "sweeps run in mode fastpath.",
            "- Baselines: `bench/src/memcpy_bw` (memcpy, one core, the best of 10 trials in %s s); `iperf3 -t %s -O 1`; `sockperf pp --tcp "
            "-t %s --full-log`; `ucx_perftest` with `UCX_TLS=posix,self` (tag_lat, tag_bw)." % (
                m("memcpy_seconds"), m("iperf_seconds"), m("sockperf_seconds")),
            "- Raw data: `results.csv` (one figure per row). Program outputs: `raw/` beside this file (not "
            "committed).",
        ])

    def _retried(self):
        try:
            return int(self.r.meta("retried_steps") or 0)
        except ValueError:
            return 0

    def retried(self):
        lines = ["## Retried steps", "",
                 "perftest gave up on its own CPU-clock calibration (`Correlation coefficient r^2: … < 0.9`, "
                 "`Can't produce a report`, exit status 1: other work preempted the busy waits it calibrates "
                 "with), so the bench ran it again, up to %d times. The figures are those of the run that "
                 "completed." % CALIBRATION_RETRIES, ""]
        for row in self.r.rows:
            if row["section"] == "meta" and row["metric"] == "retry":
                lines.append("- %s" % row["note"].replace("\n", " ")[:400])
        return "\n".join(lines)

    def failed(self):
        lines = ["## Failed steps", ""]
        for row in self.r.rows:
            if row["section"] == "meta" and row["metric"] == "failure":
                lines.append("- %s" % row["note"].replace("\n", " ")[:400])
        return "\n".join(lines)
