"""Per router mode: the mode itself (Config Admin, live), the idle router, the 2 B latency
and the CPU of every process at full throughput."""

import os
import re
import subprocess
import time

from . import cpu, parse
from .lab import read, stop
from .runner import CLIENT, SERVER, Runner, StepError, tail

FASTPATH_PID = "org.freeflow.fastpath"


class ModeSteps(Runner):
    def set_mode(self, mode):
        """mode=MODE in the host's etc/org.freeflow.fastpath.cfg; 'applied' if the router
        logs a line naming the mode (a router without modes ignores the key)."""
        if mode == self.mode:  # an unchanged file is no news to Karaf, nor to the router
            return "already set"
        log = self.lab.karaf_log()
        offset = os.path.getsize(log) if os.path.exists(log) else 0
        self.lab.set_config(FASTPATH_PID, "mode", mode)
        self.mode = mode
        named = r"\bmode\b.*\b%s\b|\b%s\b.*\bmode\b" % (mode, mode)
        # the poller logs its new configuration: once that line is there without the mode,
        # a line naming it is not coming
        line = self.lab.wait_log(log, offset, named + r"|Pollers? reconfigured", self.plan.mode_wait)
        if line is not None and not re.search(named, line, re.IGNORECASE):
            line = self.lab.wait_log(log, offset, named, 0.5)
        applied = line is not None
        note = line.split("|")[-1].strip() if line else \
            "no line naming mode %s in the router's log within %d s: key ignored?" % (mode, self.plan.mode_wait)
        self.r.add("mode", "config", "applied", 1 if applied else 0, "bool", mode=mode, note=note)
        time.sleep(self.plan.settle)
        return "applied" if applied else "not confirmed by the router's log"

    def _router(self):
        pids = self.lab.router_pids()
        jvm = next((p for p in pids if cpu.comm(p) == "java"), None)
        return pids, jvm

    def _add_router_cpu(self, section, test, op, size, pct, split):
        self.r.add(section, test, "router_pct", pct["router"], "% of a core", op=op, size=size, mode=self.mode)
        for cls in ("poller", "jit", "gc", "other"):
            self.r.add(section, test, "router_%s_pct" % cls, split.get(cls, 0.0), "% of a core", op=op, size=size,
                       mode=self.mode, note="threads of the router's JVM")

    def idle_no_qp(self):
        pids, jvm = self._router()
        w = cpu.Window({"router": pids}, threads=jvm)
        w.start()
        time.sleep(self.plan.idle_window)
        pct, split, _ = w.stop()
        self._add_router_cpu("idle", "no_qp", "", "", pct, split)
        return "router %.1f %% of a core" % pct["router"]

    def idle_connected(self):
        """ff_idle_qp in c2 and c1: connected RC QPs (one SEND proved them), then nothing."""
        p = self.plan
        port = 18600
        hold = p.idle_settle + p.idle_window + 10
        argv = [self.helpers["ff_idle_qp"], "-p", str(port), "-t", str(hold)]
        srv, srv_log = self.lab.start(SERVER, argv, "idleqp-%s-srv" % self.mode)
        cli = None
        try:
            self.lab.wait_port(SERVER, port, 30)
            cli, cli_log = self.lab.start(CLIENT, argv + [SERVER], "idleqp-%s-cli" % self.mode)
            deadline = time.monotonic() + 20
            while not all("connected" in read(log) for log in (srv_log, cli_log)):
                if time.monotonic() > deadline or cli.poll() is not None or srv.poll() is not None:
                    raise StepError("ff_idle_qp did not connect:\n%s\n%s" % (tail(read(cli_log)),
                                                                             tail(read(srv_log))))
                time.sleep(0.1)
            time.sleep(p.idle_settle)
            pids, jvm = self._router()
            w = cpu.Window({"router": pids, "client": [cli.pid], "server": [srv.pid]}, threads=jvm)
            w.start()
            time.sleep(p.idle_window)
            pct, split, _ = w.stop()
        finally:
            rcs = [stop(x) for x in (cli, srv) if x is not None]
        if any(rc not in (0, -15) for rc in rcs):
            raise StepError("ff_idle_qp ended with %s" % rcs)
        self._add_router_cpu("idle", "connected_qp", "", "", pct, split)
        return "router %.1f %% of a core" % pct["router"]

    def cpu_at_throughput(self, op, tool):
        p = self.plan
        d = p.cpu_duration()
        box = {}

        def sample(cli):
            time.sleep(p.cpu_lead)
            srv_pid = next((q for q in self._container_pids(SERVER) if cpu.comm(q) == tool), None)
            if srv_pid is None:
                raise StepError("no %s process in %s" % (tool, SERVER))
            pids, jvm = self._router()
            w = cpu.Window({"router": pids, "client": [cli.pid], "server": [srv_pid]}, threads=jvm)
            w.start()
            time.sleep(p.cpu_window)
            box["pct"], box["split"], _ = w.stop()

        out = self.perftest(tool, ["-s", p.cpu_size, "-D", d, "-f", 0, "--report_gbits"],
                            "cpu-%s-%s" % (tool, self.mode), d + 30, client_wait=sample)
        pct, split = box["pct"], box["split"]
        if any(v is None for v in pct.values()):
            raise StepError("a process ended inside the CPU window: %s" % pct)
        bw = parse.perftest_bw(out)["bw_gbps"]
        test = tool
        self._add_router_cpu("cpu", test, op, p.cpu_size, pct, split)
        for who in ("client", "server"):
            self.r.add("cpu", test, who + "_pct", pct[who], "% of a core", op=op, size=p.cpu_size, mode=self.mode)
        self.r.add("cpu", test, "bw_gbps", bw, "Gbps", op=op, size=p.cpu_size, mode=self.mode)
        return "%.1f Gbps; router %.0f %%, client %.0f %%, server %.0f %%" % (bw, pct["router"], pct["client"],
                                                                              pct["server"])

    def _container_pids(self, name):
        ns = self.lab.inspect(name)["namespace"]
        out = subprocess.run(["ip", "netns", "pids", ns], stdout=subprocess.PIPE, text=True, timeout=10).stdout
        return [int(x) for x in out.split()]
