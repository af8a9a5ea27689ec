#!/usr/bin/python3
"""FreeFlow's benchmark suite: ./freeflow bench [--quick] runs this (see bench/README.md).

Brings up a lab of its own, measures FreeFlow and its baselines (memcpy, iperf3, sockperf,
UCX over shared memory) between the same two containers, judges the targets, and writes
results.md, results.csv and PNG figures into bench/results/<date>/ (quick runs:
quick-<date>/).
"""

import argparse
import datetime
import os
import platform
import signal
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)

from ffbench import cpu, plots, targets  # noqa: E402
from ffbench.hosts import HostPair  # noqa: E402
from ffbench.lab import Lab  # noqa: E402
from ffbench.plan import Plan  # noqa: E402
from ffbench.progress import Progress, clock  # noqa: E402
from ffbench.report import Report  # noqa: E402
from ffbench.results import Results  # noqa: E402
from ffbench.steps import Steps, retried_text  # noqa: E402
from ffbench.suite import Suite  # noqa: E402

REPO = os.path.dirname(HERE)


def parse_args(argv):
    ap = argparse.ArgumentParser(prog="./freeflow bench", description=(
        "FreeFlow and its baselines (memcpy, iperf3, sockperf, UCX shared memory) between two containers "
        "of a lab of its own; writes results.md, results.csv and PNG figures (bench/README.md)."))
    ap.add_argument("--quick", action="store_true", help="a short run (about 2 minutes), fewer sizes")
    ap.add_argument("--no-build", action="store_true",
                    help="(./freeflow's) skip install-deps and the Maven build: measure what is built")
    ap.add_argument("--lab", default=os.environ.get("FREEFLOW_BENCH_LAB", "ffb"),
                    help="name of the bench's own lab (default ffb)")
    ap.add_argument("--out", help="results directory (default bench/results/[quick-]YYYY-MM-DD-HHMM)")
    ap.add_argument("--only", choices=("one-host", "hosts"),
                    help="only the one-host rows, or only the rows between hosts (a lab of two hosts)")
    ap.add_argument("--report", metavar="DIR", help="only rebuild results.md and the PNGs from DIR/results.csv")
    return ap.parse_args(argv)


def sh(*cmd):
    try:
        return subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True,
                              timeout=20).stdout.strip()
    except (OSError, subprocess.SubprocessError):
        return ""


def machine(r, plan, args, stamp):
    cpu_model = ""
    with open("/proc/cpuinfo") as f:
        for line in f:
            if line.startswith("model name"):
                cpu_model = line.split(":", 1)[1].strip()
                break
    with open("/proc/meminfo") as f:
        mem_kib = int(f.readline().split()[1])
    # what was measured: this tree's build, or the one FREEFLOW_ASSEMBLY names (the lab's)
    tree = REPO
    if os.environ.get("FREEFLOW_ASSEMBLY"):
        tree = sh("git", "-C", os.environ["FREEFLOW_ASSEMBLY"], "rev-parse", "--show-toplevel") or \
            os.environ["FREEFLOW_ASSEMBLY"]
    commit = sh("git", "-C", tree, "rev-parse", "--short", "HEAD") or "?"
    # local changes that make up what is measured: the FFL and the router
    if sh("git", "-C", tree, "status", "--porcelain", "--untracked-files=no", "--",
          "native", "bundles", "features", "assembly", "pom.xml"):
        commit += " with local changes to the router or the FFL"
    if os.path.realpath(tree) != os.path.realpath(REPO):
        commit += " (router and FFL built in %s, a checkout of that commit)" % tree

    def version(pkg):
        return sh("dpkg-query", "-W", "-f=${Version}", pkg) or "?"

    facts = {
        "date": stamp.strftime("%Y-%m-%d %H:%M"), "plan": plan.name, "lab": args.lab,
        "command": "./freeflow bench" + (" --quick" if plan.quick else "") + (" --only " + args.only if args.only else ""),
        "nproc": os.cpu_count(), "cpu_model": cpu_model, "kernel": platform.release(),
        "mem_gib": "%.0f" % (mem_kib / 1048576.0), "loadavg_start": " ".join(sh("cat", "/proc/loadavg").split()[:3]),
        "commit": commit, "perftest": version("perftest"), "iperf3": version("iperf3"),
        "sockperf": version("sockperf"), "ucx": version("ucx-utils"),
        "bw_duration": plan.bw_duration, "bw_reps": plan.bw_reps, "bw_margin": plan.bw_margin, "lat_iters": plan.lat_iters,
        "lat_discard": plan.lat_discard, "memcpy_seconds": plan.memcpy_seconds, "iperf_seconds": plan.iperf_seconds,
        "sockperf_seconds": plan.sockperf_seconds, "cpu_window": plan.cpu_window, "idle_window": plan.idle_window,
        "first_runs": plan.first_runs, "first_bw_duration": plan.first_bw_duration,
        "first_lat_iters": plan.first_lat_iters, "first_write_runs": plan.first_write_runs,
        "regmr_reps": plan.regmr_reps,
    }
    for k, v in facts.items():
        r.add("meta", "run", k, v, "")


class OtherLoad:
    """CPU that processes other than the bench's took during the run: the machine's busy
    time (/proc/stat) less the bench's own, its children's (every program it ran) and the
    router's, in % of all cores. The two cores are shared; this says how much."""

    def __init__(self):
        self.t0 = time.monotonic()
        self.busy0 = self._busy()
        self.own0 = self._own()

    @staticmethod
    def _busy():
        with open("/proc/stat") as f:
            v = [int(x) for x in f.readline().split()[1:]]
        # user nice system idle iowait irq softirq steal: all but idle and iowait
        return (sum(v[:8]) - v[3] - v[4]) / float(cpu.TICK)

    @staticmethod
    def _own():
        t = os.times()
        return t.user + t.system + t.children_user + t.children_system

    def percent(self, router_seconds):
        wall = time.monotonic() - self.t0
        other = (self._busy() - self.busy0) - (self._own() - self.own0) - router_seconds
        return max(0.0, 100.0 * other / (wall * os.cpu_count()))


def router_seconds(lab):
    try:
        ticks = [cpu.process_ticks(p) for p in lab.router_pids()]
    except Exception:  # noqa: BLE001 - no lab, no router
        return 0.0
    return sum(t for t in ticks if t) / float(cpu.TICK)


def build_helpers(log_dir):
    """bench/src/*.c into bench/target/bin (gcc; ff_idle_qp, ff_regmr_cost and ff_control_rate against the system
    verbs headers: in a container they run on FreeFlow's libibverbs, LD_LIBRARY_PATH's)."""
    out = os.path.join(HERE, "target", "bin")
    os.makedirs(out, exist_ok=True)
    helpers = {}
    for name, libs in (("memcpy_bw", []), ("ff_idle_qp", ["-libverbs"]), ("ff_regmr_cost", ["-libverbs"]),
                       ("ff_control_rate", ["-libverbs"])):
        exe = os.path.join(out, name)
        cmd = ["gcc", "-std=c11", "-O2", "-Wall", "-Wextra", "-Werror", "-o", exe,
               os.path.join(HERE, "src", name + ".c")] + libs
        r = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        if r.returncode != 0:
            raise RuntimeError("cannot build %s:\n%s" % (name, r.stdout))
        helpers[name] = exe
    return helpers


def write_outputs(r, out_dir):
    targets.add_rows(r, targets.judge(r))
    figures = plots.draw_all(r, out_dir)
    with open(os.path.join(out_dir, "results.md"), "w") as f:
        f.write(Report(r, figures).markdown())
    r.write_csv(os.path.join(out_dir, "results.csv"))


def run(args):
    plan = Plan(args.quick)
    stamp = datetime.datetime.now()
    out_dir = args.out or os.path.join(HERE, "results", ("quick-" if plan.quick else "")
                                       + stamp.strftime("%Y-%m-%d-%H%M"))
    raw = os.path.join(out_dir, "raw")
    os.makedirs(raw, exist_ok=True)
    r = Results()
    load = OtherLoad()
    machine(r, plan, args, stamp)
    lab = Lab(REPO, args.lab, raw)
    suite = Suite(lab, plan, r, build_helpers(raw))
    hosts = HostPair.beside(suite)
    steps = (suite.steps() if args.only != "hosts" else []) + (hosts.host_steps() if args.only != "one-host" else [])
    progress = Progress([est for _, est, _ in steps])
    progress.message("freeflow bench: %s run, %d steps, about %s; lab '%s'; results in %s" % (
        plan.name, len(steps), clock(sum(e for _, e, _ in steps)), args.lab, out_dir))
    loop = Steps(suite, r, progress)
    try:
        loop.run(steps)
    finally:
        progress.message("freeflow bench: lab '%s' down" % args.lab)
        router_cpu = router_seconds(lab)
        for each in (lab, hosts.lab):
            try:
                each.down()
            except Exception as e:  # noqa: BLE001 - the results are still worth writing
                progress.message("freeflow bench: lab %s down failed: %s" % (each.name, e))
        r.add("meta", "run", "duration_s", "%.0f" % progress.elapsed(), "")
        r.add("meta", "run", "other_load_pct", "%.0f" % load.percent(router_cpu), "")
        r.add("meta", "run", "failures", loop.failures, "")
        r.add("meta", "run", "retried_steps", loop.retried, "")
        write_outputs(r, out_dir)
    progress.message("freeflow bench: %s in %s, %d failed step(s)%s; %s" % (
        plan.name, clock(progress.elapsed()), loop.failures,
        ", " + retried_text(loop.retried) if loop.retried else "", os.path.join(out_dir, "results.md")))
    for t in targets.judge(r):
        progress.message("  target %-72s %s" % (t.text, t.verdict + (" (%.2fx)" % t.ratio if t.ratio else "")))
    return 1 if loop.failures else 0


def on_term(signum, frame):
    raise KeyboardInterrupt("signal %d" % signum)


def main(argv):
    args = parse_args(argv)
    if args.report:
        r = Results.read_csv(os.path.join(args.report, "results.csv"))
        write_outputs(r, args.report)
        print(os.path.join(args.report, "results.md"))
        return 0
    if os.geteuid() != 0:
        print("freeflow bench: needs root (the lab uses network namespaces)", file=sys.stderr)
        return 2
    signal.signal(signal.SIGTERM, on_term)
    try:
        return run(args)
    except KeyboardInterrupt:
        print("freeflow bench: interrupted", file=sys.stderr)
        return 130


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
