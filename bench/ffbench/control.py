"""The control plane with the orchestrator in the loop: how fast ibv_reg_mr / ibv_dereg_mr
(answered once the cluster's MEMORY_MAPS has the change), ibv_create_qp / ibv_destroy_qp
(QPNs from the router's lease) and attach / detach (answered once the cluster registered or
unregistered the container) answer, with one router and with three routers in one cluster.

- one router: bench/src/ff_control_rate in three containers of the bench's host at once;
- three routers: a lab of three hosts of its own (the bench's lab name + "c"), one
  container on each, at once;
- attach / detach: ffctl against h1's admin socket, one at a time (a process per call:
  `ffctl ping` beside it is the cost of the process and one admin round trip).
"""

import os
import statistics
import subprocess
import time

from . import parse
from .lab import Lab, finish, read
from .runner import Runner, StepError, tail

CONTAINERS = 3


def quantile(values, q):
    s = sorted(values)
    return s[min(len(s) - 1, max(0, int(q * len(s) + 0.999999) - 1))]


def combine(per_container):
    """The verbs' figures of several containers that ran at once: rates add up, p50 is the
    median of theirs, p99 the worst."""
    out = {}
    for verb in parse.CONTROL_VERBS:
        rows = [c[verb] for c in per_container]
        out[verb] = {"per_s": sum(r["per_s"] for r in rows),
                     "p50_us": statistics.median(r["p50_us"] for r in rows),
                     "p99_us": max(r["p99_us"] for r in rows)}
    return out


CONTROL_MODE = "adaptive"


class ControlPlane(Runner):
    def control_steps(self):
        """In the router's default mode (adaptive: its poller sleeps when idle), so that no poller
        spins beside the verbs, nor beside the lab of three hosts while the bench's router waits."""
        p = self.plan
        s = [("control plane in the router's default mode, %s" % CONTROL_MODE, 1,
              self._bind(self.set_mode, CONTROL_MODE)),
             ("control verbs, 1 router, %d containers at once" % CONTAINERS, 8 + p.control_count / 50.0,
              self._bind(self.control_verbs, self.lab, "1 router", ["h1"] * CONTAINERS)),
             ("attach / detach, 1 router", 2 + p.control_attaches / 10.0,
              self._bind(self.attach_rate, self.lab, "1 router"))]
        if p.control_three_routers:
            s.append(("control plane, 3 routers (a lab of three hosts)", 120 + p.control_count / 25.0,
                      self.three_routers))
        return s

    def control_verbs(self, lab, test, hosts, record=True):
        """ff_control_rate in a new container on each of HOSTS at once; without RECORD a
        warm-up whose figures are dropped."""
        argv = [self.helpers["ff_control_rate"], "-n", str(self.plan.control_count), "-s", "3"]
        runs = []
        for i, host in enumerate(hosts):
            name = "cv%d" % (i + 1) if record else "cw%d" % (i + 1)
            runs.append(lab.run_in_new(host, name, argv, "control-%s-%s" % (test.replace(" ", ""), name)))
        outputs = []
        for p, log in runs:
            rc = finish(p, 120 + self.plan.control_count / 10.0)
            out = read(log)
            if rc != 0:
                raise StepError("ff_control_rate ended with %s:\n%s" % (rc, tail(out)))
            outputs.append(parse.control_rates(out))
        figures = combine(outputs)
        if not record:
            return "warm-up"
        for verb, row in figures.items():
            for metric, unit in (("per_s", "1/s"), ("p50_us", "us"), ("p99_us", "us")):
                self.r.add("control", test, "%s_%s" % (verb, metric), row[metric], unit,
                           note="%d containers at once, %d calls each" % (len(hosts), self.plan.control_count))
        return "reg_mr %.0f/s (p50 %.0f us), create_qp %.0f/s (p50 %.0f us)" % (
            figures["reg_mr"]["per_s"], figures["reg_mr"]["p50_us"], figures["create_qp"]["per_s"],
            figures["create_qp"]["p50_us"])

    def _ffctl(self, socket, *args):
        ffctl = os.environ.get("FREEFLOW_FFCTL", os.path.join(self.lab.repo, "native", "target", "bin", "ffctl"))
        t0 = time.monotonic()
        r = subprocess.run([ffctl, "--socket", socket] + list(args), stdout=subprocess.PIPE,
                           stderr=subprocess.STDOUT, text=True, timeout=60)
        us = (time.monotonic() - t0) * 1e6
        if r.returncode != 0:
            raise StepError("ffctl %s: exit %d: %s" % (" ".join(args), r.returncode, r.stdout.strip()))
        return us

    def attach_rate(self, lab, test):
        socket = lab.inspect("h1")["socket"]
        times = {"attach": [], "detach": [], "ping": []}
        for i in range(self.plan.control_attaches):
            name = "ca%d" % i
            times["ping"].append(self._ffctl(socket, "ping"))
            times["attach"].append(self._ffctl(socket, "attach", name, "--pid", str(os.getpid())))
            times["detach"].append(self._ffctl(socket, "detach", name))
        for verb, us in times.items():
            self.r.add("control", test, "%s_per_s" % verb, 1e6 / statistics.mean(us), "1/s",
                       note="ffctl, one call at a time, the process included")
            self.r.add("control", test, "%s_p50_us" % verb, quantile(us, 0.5), "us")
            self.r.add("control", test, "%s_p99_us" % verb, quantile(us, 0.99), "us")
        return "attach p50 %.0f us, detach p50 %.0f us (ffctl ping %.0f us)" % (
            quantile(times["attach"], 0.5), quantile(times["detach"], 0.5), quantile(times["ping"], 0.5))

    def three_routers(self):
        lab = Lab(self.lab.repo, self.lab.name + "c", self.lab.log_dir)
        try:
            lab.up(timeout=300, hosts=3)
            # the routers are new: one round first, its figures dropped, as perftest's warm-up
            # (their JITs are still compiling Ignite's and Karaf's start-up for a minute)
            self.control_verbs(lab, "3 routers", ["h1", "h2", "h3"], record=False)
            verbs = self.control_verbs(lab, "3 routers", ["h1", "h2", "h3"])
            attach = self.attach_rate(lab, "3 routers")
        finally:
            lab.down()
        return "%s; %s" % (verbs, attach)
