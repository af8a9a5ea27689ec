"""Unit tests of the bench's parsers, targets and report, on outputs the programs printed
on this machine (trimmed). Run: python3 -m unittest discover -s bench/tests"""

import os
import sys
import tempfile
import unittest

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))

from ffbench import hosts, parse, targets  # noqa: E402
from ffbench.plan import MiB  # noqa: E402
from ffbench.report import Report  # noqa: E402
from ffbench.results import Results  # noqa: E402

PERFTEST_BW = """\
---------------------------------------------------------------------------------------
 #bytes     #iterations    BW peak[Gb/sec]    BW average[Gb/sec]   MsgRate[Mpps]
 2048       6688500          0.00               54.79  \t\t   3.344172
---------------------------------------------------------------------------------------
"""

PERFTEST_LAT = """\
 #bytes #iterations    t_min[usec]    t_max[usec]  t_typical[usec]    t_avg[usec]    t_stdev[usec]   99% percentile[usec]   99.9% percentile[usec] 
#, usec
1, 1028.19
2, 3.5
3, 1.5
4, 2.5
5, 4.5
---------------------------------------------------------------------------------------
 #bytes #iterations    t_min[usec]    t_max[usec]  t_typical[usec]    t_avg[usec]    t_stdev[usec]   99% percentile[usec]   99.9% percentile[usec] 
 2       20000          1.55           86.88        1.68     \t       1.87        \t1.32   \t\t3.10    \t\t19.90  
---------------------------------------------------------------------------------------
"""

IPERF3 = """# iperf3 -c 10.98.0.1
{
  "start": {},
  "end": {"sum_received": {"start": 0, "end": 2.00053, "bits_per_second": 14935107476.518723}}
}
"""

SOCKPERF = """\
sockperf: \x1b[2;35m====> avg-latency=33.111 (std-dev=17.433)\x1b[0m
sockperf: ---> percentile 50.000 =   31.341
"""

SOCKPERF_LOG = """\
------------------------------
packet, txTime(sec), rxTime(sec), latency(usec)
0, 2.424157801, 2.424247916, 45.058
1, 2.424247946, 2.424293013, 22.533
2, 2.424293043, 2.424368495, 37.726
"""

UCX = """\
|    Stage     | # iterations | 50.0%ile | average | overall |  average |  overall |  average  |  overall  |
Final:                200000      0.121     0.129     0.129       59.01      59.01     7733966     7733966
"""


class ParseTest(unittest.TestCase):
    def test_perftest_bw(self):
        row = parse.perftest_bw(PERFTEST_BW)
        self.assertEqual(2048, row["size"])
        self.assertEqual(6688500, row["iterations"])
        self.assertAlmostEqual(54.79, row["bw_gbps"])
        self.assertAlmostEqual(3.344172, row["msg_rate_mpps"])

    def test_perftest_bw_refuses_mib_units(self):
        with self.assertRaises(ValueError):
            parse.perftest_bw(PERFTEST_BW.replace("Gb/sec", "MB/sec"))

    def test_perftest_lat_summary_and_samples(self):
        row = parse.perftest_lat(PERFTEST_LAT)
        self.assertEqual(20000, row["iterations"])
        self.assertAlmostEqual(1.68, row["t_typical"])
        self.assertAlmostEqual(3.10, row["p99"])
        self.assertEqual([1028.19, 3.5, 1.5, 2.5, 4.5], row["samples"])

    def test_perftest_lat_with_nan_stdev(self):
        row = parse.perftest_lat(PERFTEST_LAT.replace("1.32   ", "-nan   "))
        self.assertNotEqual(row["t_stdev"], row["t_stdev"])  # NaN
        self.assertAlmostEqual(1.68, row["t_typical"])

    def test_percentiles_drop_the_warm_up(self):
        st = parse.latency_stats([1028.19, 3.5, 1.5, 2.5, 4.5] + [2.0] * 5, 1)
        self.assertEqual(9, st["n"])
        self.assertEqual(2.0, st["p50"])
        self.assertEqual(1.5, st["p10"])
        self.assertEqual(4.5, st["p99"])

    def test_nearest_rank(self):
        values = list(range(1, 101))
        self.assertEqual(10, parse.percentile(values, 10))
        self.assertEqual(50, parse.percentile(values, 50))
        self.assertEqual(99, parse.percentile(values, 99))
        self.assertEqual(1, parse.percentile(values, 0))

    def test_iperf3(self):
        self.assertAlmostEqual(14.935, parse.iperf3_gbps(IPERF3), places=3)
        with self.assertRaises(ValueError):
            parse.iperf3_gbps('{"error": "unable to connect"}')

    def test_sockperf(self):
        self.assertEqual({"avg": 33.111, "p50": 31.341}, parse.sockperf_summary(SOCKPERF))
        self.assertEqual([45.058, 22.533, 37.726], parse.sockperf_full_log(SOCKPERF_LOG))

    def test_ucx_final_in_gbps(self):
        row = parse.ucx_final(UCX)
        self.assertEqual(200000, row["iterations"])
        self.assertAlmostEqual(0.121, row["lat_p50"])
        self.assertAlmostEqual(59.01 * 1048576 * 8 / 1e9, row["bw_gbps"])

    def test_memcpy(self):
        self.assertAlmostEqual(478.11, parse.memcpy_gbps(
            "size=1048576 trials=10 seconds=2.000 gbps=478.110 mean_gbps=428.648"))
        self.assertAlmostEqual(478.11, parse.memcpy_gbps("size=1 mean_gbps=428.648 gbps=478.110"))
        with self.assertRaises(ValueError):
            parse.memcpy_gbps("")


def sample_results():
    r = Results()
    for k, v in (("date", "2026-01-01 00:00"), ("plan", "quick"), ("nproc", 2), ("failures", 0)):
        r.add("meta", "run", k, v, "")
    r.add("baseline", "memcpy", "bw_gbps", 400.0, "Gbps", size=MiB)
    r.add("baseline", "iperf3", "bw_gbps", 10.0, "Gbps")
    r.add("baseline", "sockperf", "p50_us", 30.0, "us", size=2)
    for op, bw1m, bw2k in (("send", 250.0, 50.0), ("write", 400.0, 300.0), ("read", 100.0, 60.0)):
        r.add("bw", "ib_%s_bw" % op, "bw_gbps", bw1m, "Gbps", op=op, size=MiB, mode="fastpath")
        r.add("bw", "ib_%s_bw" % op, "bw_gbps", bw2k, "Gbps", op=op, size=2048, mode="fastpath")
    r.add("lat", "ib_send_lat", "p50_us", 2.0, "us", op="send", size=2, mode="fastpath")
    for mode, idle, lat, applied in (("fastpath", 99.0, 2.0, 1), ("lowcpu", 1.0, 9.0, 1), ("adaptive", 3.0, 2.2, 0)):
        r.add("mode", "config", "applied", applied, "bool", mode=mode)
        r.add("idle", "connected_qp", "router_pct", idle, "%", mode=mode)
        r.add("modelat", "ib_send_lat", "p50_us", lat, "us", op="send", size=2, mode=mode)
    return r


class TargetsTest(unittest.TestCase):
    def test_verdicts(self):
        t = {x.key: x for x in targets.judge(sample_results())}
        self.assertEqual(31, len(t))                                 # 11, 10 of first contact, 10 between hosts
        self.assertEqual("met", t["write_1m_memcpy"].verdict)        # 400 / 400 >= 0.5
        self.assertEqual("met", t["send_1m_memcpy"].verdict)         # 250 / 400 = 0.625
        self.assertAlmostEqual(0.6, t["read_2k_vs_1m"].ratio)
        self.assertEqual("met", t["read_2k_vs_1m"].verdict)
        self.assertEqual("not met", t["send_2k_vs_1m"].verdict)      # 50 / 250 = 0.2
        self.assertEqual("met", t["send_lat_vs_tcp"].verdict)        # 2 / 30
        self.assertEqual("met", t["idle_lowcpu"].verdict)            # 1 % < 2 %
        self.assertEqual("not met", t["idle_adaptive"].verdict)      # 3 %
        self.assertIn("did not confirm", t["idle_adaptive"].mode_note)
        self.assertAlmostEqual(1.1, t["adaptive_lat"].ratio)
        self.assertEqual("met", t["adaptive_lat"].verdict)

    def test_idle_limit_is_strict(self):
        r = sample_results()
        for row in r.rows:
            if row["section"] == "idle" and row["mode"] == "lowcpu":
                row["value"] = 2.0
        t = {x.key: x for x in targets.judge(r)}
        self.assertEqual("not met", t["idle_lowcpu"].verdict)

    def test_adaptive_latency_uses_the_runs_in_turns(self):
        r = sample_results()
        for run, fast, adap in ((1, 2.0, 2.6), (2, 1.8, 1.9), (3, 2.2, 2.0)):
            r.add("duel", "ib_send_lat", "p50_us_run%d" % run, fast, "us", op="send", size=2, mode="fastpath")
            r.add("duel", "ib_send_lat", "p50_us_run%d" % run, adap, "us", op="send", size=2, mode="adaptive")
        t = {x.key: x for x in targets.judge(r)}["adaptive_lat"]
        self.assertAlmostEqual(2.0 / 2.0, t.ratio)                   # median 2.0 against median 2.0
        self.assertIn("median of 3 runs in turns", t.text)
        md = Report(r, []).markdown()
        self.assertIn("fastpath 2.00, 1.80, 2.20 µs; adaptive 2.60, 1.90, 2.00 µs", md)

    def test_missing_figure_is_na(self):
        r = sample_results()
        r.rows = [row for row in r.rows if row["test"] != "iperf3"]
        t = {x.key: x for x in targets.judge(r)}
        self.assertEqual("n/a", t["send_1m_tcp"].verdict)


def host_results():
    r = sample_results()
    r.add("hosts_baseline", "iperf3_hosts", "bw_gbps", 16.0, "Gbps")
    r.add("hosts_baseline", "iperf3", "bw_gbps", 10.0, "Gbps")
    r.add("hosts_baseline", "sockperf", "p50_us", 28.0, "us", size=64)
    for op, bw1m, bw2k in (("send", 20.0, 4.0), ("write", 12.0, 8.0), ("read", 8.0, 6.0)):
        r.add("hosts_bw", "ib_%s_bw" % op, "bw_gbps", bw1m, "Gbps", op=op, size=MiB, mode="default")
        r.add("hosts_bw", "ib_%s_bw" % op, "bw_gbps", bw2k, "Gbps", op=op, size=2048, mode="default")
    r.add("hosts_lat", "ib_send_lat", "p50_us", 21.0, "us", op="send", size=2, mode="default")
    r.add("hosts_lat", "ib_send_lat", "p50_us", 12.0, "us", op="send", size=2, mode="fastpath")
    r.add("hosts_cpu", "ib_send_bw", "bw_gbps", 20.0, "Gbps", op="send", size=MiB, mode="default")
    r.add("hosts_cpu", "ib_send_bw", "router_h1_pct", 90.0, "%", op="send", size=MiB, mode="default")
    r.add("hosts_cpu", "ib_send_bw", "router_h2_pct", 110.0, "%", op="send", size=MiB, mode="default")
    pairs = [1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 3.0]
    for k, v in (("one_pair_gbps", 12.0), ("aggregate_gbps", sum(pairs)), ("jain_index", hosts.jain(pairs))):
        r.add("hosts_pairs", "ib_send_bw", k, v, "", op="send", size=65536, mode="default")
    for i, v in enumerate(pairs):
        r.add("hosts_pairs", "ib_send_bw", "pair%d_gbps" % (i + 1), v, "Gbps", op="send", size=65536, mode="default")
    return r


class BetweenHostsTest(unittest.TestCase):
    def test_jain(self):
        self.assertAlmostEqual(1.0, hosts.jain([3.0, 3.0, 3.0]))
        self.assertAlmostEqual(0.25, hosts.jain([4.0, 0.0, 0.0, 0.0]))   # one takes all: 1/n
        self.assertIsNone(hosts.jain([0.0, 0.0]))

    def test_verdicts(self):
        t = {x.key: x for x in targets.judge(host_results())}
        self.assertEqual("met", t["hosts_send_1m_tcp"].verdict)           # 20 / 16
        self.assertEqual("not met", t["hosts_write_1m_tcp"].verdict)      # 12 / 16
        self.assertEqual("not met", t["hosts_write_1m_overlay"].verdict)  # 12 / 10 < 1.5
        self.assertAlmostEqual(1.2, t["hosts_write_1m_overlay"].ratio)
        self.assertEqual("not met", t["hosts_send_2k_vs_1m"].verdict)     # 4 / 20
        self.assertEqual("met", t["hosts_read_2k_vs_1m"].verdict)         # 6 / 8
        self.assertAlmostEqual(21.0 / 28.0, t["hosts_send_lat_vs_tcp"].ratio)  # the default mode is judged
        self.assertEqual("not met", t["hosts_send_lat_vs_tcp"].verdict)
        self.assertAlmostEqual(10.0 / 12.0, t["hosts_pairs_aggregate"].ratio)
        self.assertEqual("not met", t["hosts_pairs_jain"].verdict)        # 100 / (8 * 16) = 0.78

    def test_no_host_rows_no_section(self):
        self.assertNotIn("Between hosts", Report(sample_results(), []).markdown())
        self.assertEqual("n/a", {x.key: x for x in targets.judge(sample_results())}["hosts_pairs_jain"].verdict)

    def test_report_section(self):
        md = Report(csv_round_trip(host_results()), []).markdown()
        self.assertIn("## Between hosts (c1 on h1, c2 on h2)", md)
        self.assertIn("| 1 MiB | 20.0 | 1.25× | 12.0 | 0.75× | 8.00 | 0.50× |", md)
        self.assertIn("| ib_send_lat | 2 B | fastpath | n/a | 12.0 | n/a | 0.43× |", md)
        self.assertIn("| ib_send_bw 1 MiB | 20.0 | 90 | 110 | 10 |", md)
        self.assertIn("aggregate 10.0 Gbps against 12.0 Gbps for one pair alone (0.83×), Jain's index 0.781", md)


def csv_round_trip(r):
    """R with its verdicts, written to a results.csv and read back (as --report reads it)."""
    targets.add_rows(r, targets.judge(r))
    with tempfile.TemporaryDirectory() as d:
        path = os.path.join(d, "results.csv")
        r.write_csv(path)
        return Results.read_csv(path)


class ReportTest(unittest.TestCase):
    def test_csv_round_trip_and_markdown(self):
        back = csv_round_trip(sample_results())
        self.assertEqual(400.0, back.get("baseline", "memcpy", "bw_gbps", size=MiB))
        self.assertEqual("quick", back.meta("plan"))
        md = Report(back, [("Throughput", "fig9-throughput.png")]).markdown()
        self.assertIn("## Targets", md)
        self.assertIn("| ib_write_bw 1 MiB ≥ 0.5 × memcpy(1 MiB) | 400 Gbps | memcpy 1 MiB: 400 Gbps | 1.00× |", md)
        self.assertIn("![Throughput](fig9-throughput.png)", md)
        self.assertNotIn("## Failed steps", md)


if __name__ == "__main__":
    unittest.main()
