"""First contact: perftest as a person first runs it, on the fresh router of the bench's lab.

Right after the lab is up and before anything else uses the router: the default-flag runs
(no flag but the server's name, and the bench's TCP port) of each FIRST_TOOLS tool, in
rounds (round k runs each tool once, so that run 1 of every tool comes before any second
run), then the steady state of the same pair (bandwidth: ``-D``; ib_send_lat: a long ``-n``
run, since perftest prints no t_typical in -D mode), then ``ib_write_bw -s 1 MiB -n 3000``.
First in the mode the router starts in (the bench does not set it: that is the mode a person
meets; the router's log says which it is), then all of it again in mode fastpath. Last, the
cost of ibv_reg_mr / ibv_dereg_mr in c1 (bench/src/ff_regmr_cost.c).

Rows: section 'first' (mode 'default' or 'fastpath'; metrics bw_mbps_runN, bw_mbps_steady,
t_typical_us_runN, t_typical_us_steady, bw_mbps of the 1 MiB runs; test 'router', metric
mode_at_start: the mode in the mode column) and section 'regmr'. The functions at the end
read them back for the targets and the report.
"""

import re
import statistics

from . import parse
from .lab import finish, read
from .modes import FASTPATH_PID, ModeSteps
from .plan import FIRST_PHASES, FIRST_TOOLS, MiB
from .runner import CLIENT, StepError, human_size, tail

SECTION = "first"
DEFAULT = "default"   # the phase in the router's own mode, unset by the bench
STEADY = "steady"

_MODE_IN_LOG = r"\bmode=([A-Za-z]+)"  # the poller's 'Pollers started (mode=adaptive, ...)'


def is_latency(tool):
    return tool.endswith("_lat")


def figure_metric(tool):
    """The metric of a tool's figure: perftest's average bandwidth, or its t_typical."""
    return "t_typical_us" if is_latency(tool) else "bw_mbps"


def figure_unit(tool):
    return "µs" if is_latency(tool) else "MB/s"


class FirstContact(ModeSteps):
    def first_steps(self):
        """The (label, estimate, function) steps of the section, in the order they run."""
        p = self.plan
        s = [("first contact: the router's mode at its start", 1, self.first_router_mode)]
        for phase in FIRST_PHASES:
            where = "default mode" if phase == DEFAULT else "mode " + phase
            if phase != DEFAULT:
                s.append(("first contact: router mode %s" % phase, p.settle + 1, self._bind(self.set_mode, phase)))
            for run in range(1, p.first_runs + 1):
                for op, tool in FIRST_TOOLS:
                    s.append(("first contact, %s: %s, default flags, run %d" % (where, tool, run), 1.3,
                              self._bind(self.first_default_run, phase, op, tool, run)))
            for op, tool in FIRST_TOOLS:
                est = 1.5 + (p.first_lat_iters / 40000.0 if is_latency(tool) else p.first_bw_duration)
                s.append(("first contact, %s: %s %s (steady state)" % (where, tool, " ".join(self._steady_args(tool))),
                          est, self._bind(self.first_steady, phase, op, tool)))
            s.append(("first contact, %s: ib_write_bw -s %s -n %d" % (where, human_size(p.first_write_size),
                                                                        p.first_write_iters),
                      1.5 * p.first_write_runs, self._bind(self.first_write, phase)))
        s.append(("ibv_reg_mr / ibv_dereg_mr cost in c1 (%s MiB)" % ", ".join(str(m) for m in p.regmr_sizes_mib),
                  2 + sum(p.regmr_sizes_mib) * p.regmr_reps / 500.0, self.regmr_cost))  # ~2 ms per MiB
        return s

    def _steady_args(self, tool):
        if is_latency(tool):
            return ["-n", str(self.plan.first_lat_iters)]
        return ["-D", str(self.plan.first_bw_duration)]

    def _check_phase(self, phase):
        """The runs of a phase are in its mode: none set (default), or the phase's."""
        want = None if phase == DEFAULT else phase
        if self.mode != want:
            raise StepError("the router is in mode %s, not in the %s phase's" % (self.mode or "default", phase))

    def _measure(self, tool, args, label):
        """One perftest pair; (figure, size, iterations) from the client's report."""
        out = self.perftest(tool, args, label, 60 + self.plan.first_lat_iters / 2000.0)
        if is_latency(tool):
            row = parse.perftest_lat_summary(out)
            return row["t_typical"], row["size"], row["iterations"]
        row = parse.perftest_bw_mbps(out)
        return row["bw_mbps"], row["size"], row["iterations"]

    def _summary(self, tool, value):
        return ("t_typical %.2f us" if is_latency(tool) else "%.0f MB/s") % value

    # ------------------------------------------------------------------ steps

    def first_router_mode(self):
        """Which mode the router says it runs: its log's first line naming one, else its
        configuration file. The bench sets nothing before the default-mode runs."""
        line = self.lab.wait_log(self.lab.karaf_log(), 0, _MODE_IN_LOG, self.plan.mode_wait)
        if line is not None:
            mode = re.search(_MODE_IN_LOG, line).group(1)
            self.r.add(SECTION, "router", "mode_at_start", 1, "bool", mode=mode,
                       note="the router's log: " + line.split("|")[-1].strip())
            return "%s (the router's log)" % mode
        mode = self.lab.get_config(FASTPATH_PID).get("mode", "")
        self.r.add(SECTION, "router", "mode_at_start", 0, "bool", mode=mode,
                   note="no line naming a mode in the router's log within %d s; etc/%s.cfg says mode = %s"
                   % (self.plan.mode_wait, FASTPATH_PID, mode or "(nothing)"))
        return "%s (its configuration file; the router's log names none)" % (mode or "unknown")

    def first_default_run(self, phase, op, tool, run):
        """TOOL with perftest's default flags (1000 iterations; 64 KiB, or 2 B for latency)."""
        self._check_phase(phase)
        value, size, iters = self._measure(tool, [], "first-%s-%s-%d" % (phase, tool, run))
        self.r.add(SECTION, tool, "%s_run%d" % (figure_metric(tool), run), value, figure_unit(tool), op=op,
                   size=size, mode=phase, note="default flags: %d iterations of %s" % (iters, human_size(size)))
        return self._summary(tool, value)

    def first_steady(self, phase, op, tool):
        """The steady state of the same pair: -D (bandwidth) or a long -n run (latency)."""
        self._check_phase(phase)
        args = self._steady_args(tool)
        value, size, iters = self._measure(tool, args, "first-%s-%s-steady" % (phase, tool))
        note = " ".join(args) + (" (perftest prints no t_typical with -D)" if is_latency(tool) else "")
        self.r.add(SECTION, tool, "%s_%s" % (figure_metric(tool), STEADY), value, figure_unit(tool), op=op,
                   size=size, mode=phase, note="%s: %d iterations of %s" % (note, iters, human_size(size)))
        return self._summary(tool, value)

    def first_write(self, phase):
        """ib_write_bw -s 1 MiB -n 3000, plan.first_write_runs times; the median."""
        self._check_phase(phase)
        p = self.plan
        args = ["-s", p.first_write_size, "-n", p.first_write_iters]
        bws = [self._measure("ib_write_bw", args, "first-%s-write-%d" % (phase, k + 1))[0]
               for k in range(p.first_write_runs)]
        med = statistics.median(bws)
        self.r.add(SECTION, "ib_write_bw", "bw_mbps", med, "MB/s", op="write", size=p.first_write_size, mode=phase,
                   note="-s %d -n %d, median of %d run(s)" % (p.first_write_size, p.first_write_iters, len(bws)))
        return "%.0f MB/s" % med + ("" if len(bws) == 1 else " (runs: %s)" % ", ".join("%.0f" % b for b in bws))

    def regmr_cost(self):
        """bench/src/ff_regmr_cost in c1, through FreeFlow's libibverbs."""
        p = self.plan
        argv = [self.helpers["ff_regmr_cost"], "-r", str(p.regmr_reps)] + [str(m) for m in p.regmr_sizes_mib]
        proc, log = self.lab.start(CLIENT, argv, "regmr")
        rc = finish(proc, 120)
        out = read(log)
        if rc != 0:
            raise StepError("ff_regmr_cost ended with %s:\n%s" % (rc, tail(out)))
        cost = parse.regmr_cost(out)
        for mib, row in sorted(cost.items()):
            for metric in parse.REGMR_FIGURES:
                self.r.add("regmr", "ff_regmr_cost", metric, row[metric], "us/MiB", size=mib * MiB,
                           mode=self.mode or DEFAULT, note="median of %d repetitions" % row["reps"])
        return "; ".join("%d MiB: reg %.0f, dereg %.0f us/MiB" % (mib, row["reg_us_per_mib"], row["dereg_us_per_mib"])
                         for mib, row in sorted(cost.items()))


# ---------------------------------------------------------------------- the figures, read back

def _rows(r, tool, phase, metric):
    return [row for row in r.rows if row["section"] == SECTION and row["test"] == tool and row["mode"] == phase
            and row["metric"] == metric]


def _value(r, tool, phase, metric):
    rows = _rows(r, tool, phase, metric)
    return float(rows[0]["value"]) if rows and rows[0]["value"] not in (None, "") else None


def run_figures(r, tool, phase, runs):
    """The default-flag runs 1..RUNS of TOOL in PHASE (None where one is missing)."""
    return [_value(r, tool, phase, "%s_run%d" % (figure_metric(tool), k)) for k in range(1, runs + 1)]


def default_shape(r, tool, phase):
    """'1000 × 64 KiB': what perftest's default flags made of run 1 ('' if unknown)."""
    rows = _rows(r, tool, phase, "%s_run1" % figure_metric(tool))
    m = re.search(r"(\d+) iterations of (.+)$", rows[0]["note"]) if rows else None
    return "%s × %s" % m.groups() if m else ""


def steady_figure(r, tool, phase):
    return _value(r, tool, phase, "%s_%s" % (figure_metric(tool), STEADY))


def steady_flags(r, tool):
    """'-D 5' or '-n 100000': the steady-state run's flags, from the run's plan."""
    if is_latency(tool):
        return "-n %s" % r.meta("first_lat_iters")
    return "-D %s" % r.meta("first_bw_duration")


def fraction_of_steady(tool, run, steady):
    """How near the steady state a run came: its bandwidth / the steady one's, or for
    latency the steady t_typical / the run's (both 1 at the steady state, lower is worse)."""
    if run in (None, 0) or steady in (None, 0):
        return None
    return steady / run if is_latency(tool) else run / steady


def worst_run(r, tool, phase, runs):
    """The run farthest from the steady state: its figure, or None if a run is missing."""
    figures = run_figures(r, tool, phase, runs)
    steady = steady_figure(r, tool, phase)
    if None in figures or steady is None:
        return None
    return min(figures, key=lambda v: fraction_of_steady(tool, v, steady))


def write_1m(r, phase):
    return _value(r, "ib_write_bw", phase, "bw_mbps")


def send_lat_median(r, phase, runs):
    """The median t_typical of the default-flag ib_send_lat runs of PHASE."""
    figures = run_figures(r, "ib_send_lat", phase, runs)
    return None if None in figures or not figures else statistics.median(figures)


def start_mode(r):
    """(the mode the router started in, whether its log said so, the note); ('', False, '')."""
    rows = [row for row in r.rows if row["section"] == SECTION and row["test"] == "router"
            and row["metric"] == "mode_at_start"]
    if not rows:
        return "", False, ""
    return rows[0]["mode"], float(rows[0]["value"] or 0) == 1, rows[0]["note"]


def phase_name(r, phase):
    """'default mode (adaptive)', 'default mode', 'fastpath'."""
    if phase != DEFAULT:
        return phase
    mode = start_mode(r)[0]
    return "default mode (%s)" % mode if mode else "default mode"


def regmr_sizes(r):
    return sorted({row["size"] for row in r.rows if row["section"] == "regmr" and row["size"] != ""})


def regmr_figure(r, size, metric):
    for row in r.rows:
        if row["section"] == "regmr" and row["size"] == size and row["metric"] == metric:
            return row["value"]
    return None
