"""The baselines (bench/README.md): memcpy on one core, iperf3 and sockperf TCP over the
bridge, UCX over shared memory; between the same two containers as FreeFlow."""

import os

from . import parse
from .lab import finish, read, stop
from .runner import CLIENT, SERVER, Runner, StepError, tail


class Baselines(Runner):
    def memcpy(self, size):
        p, log = self.lab.start(CLIENT, [self.helpers["memcpy_bw"], str(size), str(self.plan.memcpy_seconds)],
                                "memcpy-%d" % size)
        if finish(p, self.plan.memcpy_seconds + 30) != 0:
            raise StepError("memcpy_bw failed:\n" + tail(read(log)))
        gbps = parse.memcpy_gbps(read(log))
        self.r.add("baseline", "memcpy", "bw_gbps", gbps, "Gbps", size=size, note="one core, best of 10 trials")
        return "%.1f Gbps" % gbps

    def iperf3(self, section="baseline", note="TCP, one stream, c1 -> c2 over bridge br0"):
        port = 5201
        t = self.plan.iperf_seconds
        out, _ = self.pair("iperf3", ["iperf3", "-s", "-1", "-p", str(port)],
                           ["iperf3", "-c", self.server_ip, "-p", str(port), "-t", str(t), "-O", "1", "-J"],
                           port, t + 30)
        gbps = parse.iperf3_gbps(out)
        self.r.add(section, "iperf3", "bw_gbps", gbps, "Gbps", note=note)
        return "%.1f Gbps" % gbps

    def sockperf(self, size, section="baseline", path="over bridge br0"):
        port = 11111
        msg = max(size, 14)
        full_log = os.path.join(self.lab.log_dir, "%s-sockperf-%d.csv" % (section, size))
        srv, srv_log = self.lab.start(SERVER, ["sockperf", "sr", "--tcp", "-i", self.server_ip, "-p", str(port)],
                                      "sockperf-%d-srv" % size)
        try:
            self.lab.wait_port(SERVER, port, 30)
            cli, cli_log = self.lab.start(CLIENT, ["sockperf", "pp", "--tcp", "-i", self.server_ip, "-p", str(port),
                                                   "-m", str(msg), "-t", str(self.plan.sockperf_seconds),
                                                   "--full-log", full_log], "sockperf-%d-cli" % size)
            rc = finish(cli, self.plan.sockperf_seconds + 30)
        finally:
            stop(srv)
        if rc != 0:
            raise StepError("sockperf failed (exit %s):\n%s" % (rc, tail(read(cli_log))))
        parse.sockperf_summary(read(cli_log))
        with open(full_log) as f:
            st = parse.latency_stats(parse.sockperf_full_log(f.read()), 0)
        note = "TCP one way (RTT/2) %s, %d B messages%s" % (path, msg, " (sockperf's minimum)" if msg != size else "")
        for k in ("p10", "p50", "p99"):
            self.r.add(section, "sockperf", k + "_us", st[k], "us", size=size, note=note)
        return "median %.2f us (p10 %.2f, p99 %.2f)" % (st["p50"], st["p10"], st["p99"])

    def _ucx(self, label, test, size, iters):
        port = 13337
        env = {"UCX_TLS": "posix,self"}
        out, _ = self.pair(label, ["ucx_perftest", "-p", str(port)],
                           ["ucx_perftest", self.server_ip, "-p", str(port), "-t", test, "-s", str(size),
                            "-n", str(iters), "-w", str(max(1, iters // 10))], port, 60, env=env)
        return parse.ucx_final(out)

    def ucx_lat(self, size):
        row = self._ucx("ucx-lat-%d" % size, "tag_lat", size, self.plan.ucx_lat_iters)
        note = "UCX_TLS=posix,self; 50%ile of ucx_perftest (one way)"
        self.r.add("baseline", "ucx_tag_lat", "p50_us", row["lat_p50"], "us", size=size, note=note)
        self.r.add("baseline", "ucx_tag_lat", "avg_us", row["lat_avg"], "us", size=size, note=note)
        return "%.3f us" % row["lat_p50"]

    def ucx_bw(self, size):
        iters = max(1000, min(200000, self.plan.ucx_bw_bytes // size))
        row = self._ucx("ucx-bw-%d" % size, "tag_bw", size, iters)
        self.r.add("baseline", "ucx_tag_bw", "bw_gbps", row["bw_gbps"], "Gbps", size=size,
                   note="UCX_TLS=posix,self")
        return "%.1f Gbps" % row["bw_gbps"]
