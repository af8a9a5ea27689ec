"""Unit tests of the bench's first-contact section: the parsers of perftest's default-flag
output and of ff_regmr_cost, the order of the steps, the rows a step records, the targets
and the report, on outputs the programs printed on this machine (trimmed). No timing.
Run: python3 -m unittest discover -s bench/tests"""

import os
import sys
import tempfile
import unittest

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))

from ffbench import first, parse, targets  # noqa: E402
from ffbench.plan import FIRST_TOOLS, MiB, Plan  # noqa: E402
from ffbench.report import Report  # noqa: E402
from ffbench.results import Results  # noqa: E402
from ffbench.runner import StepError  # noqa: E402
from ffbench.suite import Suite  # noqa: E402
from test_bench import csv_round_trip  # noqa: E402
from test_retry import FakeLab  # noqa: E402

# ib_send_bw -p 18515 c2: perftest's defaults, MB/sec (trimmed)
DEFAULT_BW = """\
# ib_send_bw -p 18515 c2
---------------------------------------------------------------------------------------
                    Send BW Test
 Dual-port       : OFF\t\tDevice         : freeflow0
---------------------------------------------------------------------------------------
 #bytes     #iterations    BW peak[MB/sec]    BW average[MB/sec]   MsgRate[Mpps]
 65536      1000             4425.38            1223.40\t\t   0.019574
---------------------------------------------------------------------------------------
"""

STEADY_BW = """\
# ib_send_bw -p 18516 -D 2 c2
 #bytes     #iterations    BW peak[MB/sec]    BW average[MB/sec]   MsgRate[Mpps]
 65536      1208208          0.00               37755.66\t\t   0.604091
---------------------------------------------------------------------------------------
"""

# ib_send_lat -p 18518 c2: no -U, the summary only
DEFAULT_LAT = """\
# ib_send_lat -p 18518 c2
---------------------------------------------------------------------------------------
 #bytes #iterations    t_min[usec]    t_max[usec]  t_typical[usec]    t_avg[usec]    t_stdev[usec]   99% percentile[usec]   99.9% percentile[usec] 
 2       1000          2.15           9047.04      2.86     \t       22.58       \t248.60 \t\t402.10  \t\t9047.04
---------------------------------------------------------------------------------------
"""

# ib_send_lat -D 1: an average, no t_typical (why the steady-state latency is a long -n run)
DURATION_LAT = """\
---------------------------------------------------------------------------------------
 #bytes        #iterations       t_avg[usec]    tps average
 2             589330            0.85           589318.24
---------------------------------------------------------------------------------------
"""

REGMR = """\
# /work/wt-first/bench/target/bin/ff_regmr_cost -r 3 1 64
device=freeflow0 reps=3
rep size_mib=1 rep=1 reg_us=568.2 touch_after_reg_us=332.6 dereg_us=596.8 touch_resident_us=21.9
regmr size_mib=1 reps=3 reg_us_per_mib=453.115 dereg_us_per_mib=496.218 touch_after_reg_us_per_mib=266.453 touch_resident_us_per_mib=16.133
rep size_mib=64 rep=1 reg_us=23215.1 touch_after_reg_us=22384.0 dereg_us=35105.9 touch_resident_us=6675.4
regmr size_mib=64 reps=3 reg_us_per_mib=352.620 dereg_us_per_mib=549.333 touch_after_reg_us_per_mib=359.526 touch_resident_us_per_mib=102.363
"""


class ParseTest(unittest.TestCase):
    def test_default_bandwidth_in_mb_per_s(self):
        row = parse.perftest_bw_mbps(DEFAULT_BW)
        self.assertEqual((65536, 1000), (row["size"], row["iterations"]))
        self.assertAlmostEqual(1223.40, row["bw_mbps"])
        self.assertAlmostEqual(37755.66, parse.perftest_bw_mbps(STEADY_BW)["bw_mbps"])

    def test_units_are_not_mixed(self):
        with self.assertRaises(ValueError):
            parse.perftest_bw_mbps(DEFAULT_BW.replace("MB/sec", "Gb/sec"))
        with self.assertRaises(ValueError):
            parse.perftest_bw(DEFAULT_BW)

    def test_default_latency_summary_without_samples(self):
        row = parse.perftest_lat_summary(DEFAULT_LAT)
        self.assertEqual((2, 1000), (row["size"], row["iterations"]))
        self.assertAlmostEqual(2.86, row["t_typical"])
        self.assertAlmostEqual(22.58, row["t_avg"])
        with self.assertRaises(ValueError):
            parse.perftest_lat(DEFAULT_LAT)  # the sweeps need -U's samples

    def test_duration_latency_has_no_t_typical(self):
        with self.assertRaises(ValueError):
            parse.perftest_lat_summary(DURATION_LAT)

    def test_regmr_cost(self):
        cost = parse.regmr_cost(REGMR)
        self.assertEqual([1, 64], sorted(cost))
        self.assertEqual(3, cost[64]["reps"])
        self.assertAlmostEqual(352.620, cost[64]["reg_us_per_mib"])
        self.assertAlmostEqual(16.133, cost[1]["touch_resident_us_per_mib"])
        self.assertEqual(set(parse.REGMR_FIGURES) | {"reps"}, set(cost[1]))

    def test_regmr_cost_refuses_bad_output(self):
        with self.assertRaises(ValueError):
            parse.regmr_cost("device=freeflow0 reps=3\n")
        with self.assertRaises(ValueError):
            parse.regmr_cost("regmr size_mib=1 reps=3 reg_us_per_mib=4\n")


class OrderTest(unittest.TestCase):
    """The router must be fresh for the first default-mode run, and in its own mode."""

    def labels(self, quick):
        return [label for label, _, _ in Suite(None, Plan(quick), Results(), {}).steps()]

    def test_first_contact_comes_first_in_the_default_mode(self):
        for quick in (True, False):
            s = self.labels(quick)
            self.assertEqual(["lab up (one host, its router)", "containers c1, c2",
                              "first contact: the router's mode at its start",
                              "first contact, default mode: ib_send_bw, default flags, run 1"], s[:4])
            fastpath = s.index("first contact: router mode fastpath")
            self.assertFalse([x for x in s[:fastpath] if "mode fastpath" in x or "baseline" in x or "warm-up" in x])
            self.assertTrue(all(x.startswith("first contact, default mode: ") for x in s[3:fastpath]), s[3:fastpath])
            regmr = s.index("ibv_reg_mr / ibv_dereg_mr cost in c1 (%s MiB)" % ", ".join(
                str(m) for m in Plan(quick).regmr_sizes_mib))
            between = s[regmr + 1:s.index("router mode fastpath")]
            self.assertTrue(between and all(x.startswith(("control ", "attach / detach")) for x in between), between)
            self.assertEqual("control plane in the router's default mode, adaptive", between[0],
                             "no poller spins beside the control verbs")
            self.assertEqual(not quick, any("3 routers" in x for x in between), "the 3-host lab in full runs only")

    def test_rounds_run_each_tool_once(self):
        s = self.labels(True)
        default = [x for x in s if x.startswith("first contact, default mode: ") and "default flags" in x]
        fastpath = [x for x in s if x.startswith("first contact, mode fastpath: ") and "default flags" in x]
        self.assertEqual(3 * len(FIRST_TOOLS), len(default))
        self.assertEqual(len(default), len(fastpath))
        expected = ["first contact, default mode: %s, default flags, run %d" % (tool, run)
                    for run in (1, 2, 3) for _, tool in FIRST_TOOLS]
        self.assertEqual(expected, default)
        last_run = s.index(default[-1])
        self.assertEqual("first contact, default mode: ib_send_bw -D 2 (steady state)", s[last_run + 1])
        self.assertEqual("first contact, default mode: ib_send_lat -n 20000 (steady state)", s[last_run + 4])
        self.assertEqual("first contact, default mode: ib_write_bw -s 1 MiB -n 3000", s[last_run + 5])


class StepTest(unittest.TestCase):
    """What a first-contact step records, on perftest output played back."""

    def setUp(self):
        self._dir = tempfile.TemporaryDirectory()

    def tearDown(self):
        self._dir.cleanup()

    def suite(self, runs):
        lab = FakeLab(self._dir.name, runs)
        return Suite(lab, Plan(True), Results(), {}), lab

    def test_a_default_run_has_no_flags_but_the_port(self):
        suite, lab = self.suite([(0, DEFAULT_BW, 0, ""), (0, DEFAULT_LAT, 0, "")])
        self.assertEqual("1223 MB/s", suite.first_default_run("default", "send", "ib_send_bw", 1))
        self.assertEqual("t_typical 2.86 us", suite.first_default_run("default", "send", "ib_send_lat", 1))
        r = suite.r
        self.assertEqual(1223.40, r.get("first", "ib_send_bw", "bw_mbps_run1", op="send", size=65536, mode="default"))
        self.assertEqual(2.86, r.get("first", "ib_send_lat", "t_typical_us_run1", op="send", size=2, mode="default"))
        self.assertEqual("1000 × 64 KiB", first.default_shape(r, "ib_send_bw", "default"))
        self.assertEqual(["first-default-ib_send_bw-1-srv", "first-default-ib_send_bw-1-cli",
                          "first-default-ib_send_lat-1-srv", "first-default-ib_send_lat-1-cli"], lab.started)

    def test_the_steady_state_latency_is_a_long_n_run(self):
        suite, _ = self.suite([(0, DEFAULT_LAT.replace(" 1000 ", " 20000 "), 0, "")])
        suite.first_steady("default", "send", "ib_send_lat")
        self.assertEqual(2.86, first.steady_figure(suite.r, "ib_send_lat", "default"))
        self.assertIn("-n 20000", suite.r.rows[-1]["note"])

    def test_a_run_in_the_wrong_mode_is_refused(self):
        suite, _ = self.suite([(0, DEFAULT_BW, 0, "")])
        with self.assertRaises(StepError):
            suite.first_default_run("fastpath", "send", "ib_send_bw", 1)  # the mode was never set
        suite.mode = "fastpath"
        with self.assertRaises(StepError):
            suite.first_default_run("default", "send", "ib_send_bw", 1)


def first_results(runs=None, steady=None, mode_logged=1):
    """A run's first-contact rows: RUNS {(tool, phase): [run 1, 2, 3]}, STEADY {(tool, phase): v}."""
    r = Results()
    r.add("meta", "run", "first_runs", 3, "")
    r.add("meta", "run", "first_bw_duration", 2, "")
    r.add("meta", "run", "first_lat_iters", 20000, "")
    r.add("meta", "run", "first_write_runs", 1, "")
    r.add("meta", "run", "regmr_reps", 3, "")
    r.add("mode", "config", "applied", 1, "bool", mode="fastpath")
    r.add("first", "router", "mode_at_start", mode_logged, "bool", mode="adaptive",
          note="the router's log: Pollers started (mode=adaptive, pollers=1)")
    runs = runs or {}
    steady = steady or {}
    for op, tool in FIRST_TOOLS:
        size = 2 if first.is_latency(tool) else 65536
        metric = first.figure_metric(tool)
        for phase in ("default", "fastpath"):
            default = [2.0, 1.0, 1.0] if first.is_latency(tool) else [1000.0, 30000.0, 40000.0]
            for k, v in enumerate(runs.get((tool, phase), default), 1):
                r.add("first", tool, "%s_run%d" % (metric, k), v, first.figure_unit(tool), op=op, size=size,
                      mode=phase, note="default flags: 1000 iterations of %s" % ("2 B" if size == 2 else "64 KiB"))
            r.add("first", tool, metric + "_steady", steady.get((tool, phase), 1.0 if size == 2 else 40000.0),
                  first.figure_unit(tool), op=op, size=size, mode=phase)
    r.add("first", "ib_write_bw", "bw_mbps", 27000.0, "MB/s", op="write", size=MiB, mode="default")
    r.add("first", "ib_write_bw", "bw_mbps", 30000.0, "MB/s", op="write", size=MiB, mode="fastpath")
    for mib in (1, 64):
        for metric, v in zip(parse.REGMR_FIGURES, (450.0, 500.0, 270.0, 16.0)):
            r.add("regmr", "ff_regmr_cost", metric, v, "us/MiB", size=mib * MiB, mode="fastpath")
    return r


class TargetsTest(unittest.TestCase):
    def judged(self, r):
        return {t.key: t for t in targets.first_contact(r)}

    def test_the_worst_run_is_judged(self):
        t = self.judged(first_results())
        self.assertEqual(10, len(t))
        send = t["first_ib_send_bw_default"]
        self.assertEqual(1000.0, send.value)                    # run 1, the worst
        self.assertAlmostEqual(1000.0 / 40000.0, send.ratio)
        self.assertEqual("not met", send.verdict)
        self.assertIn("default mode (adaptive)", send.text)
        self.assertEqual("ib_send_bw -D 2", send.ref_text)

    def test_a_later_run_can_be_the_worst(self):
        r = first_results(runs={("ib_read_bw", "fastpath"): [39000.0, 31000.0, 40000.0]})
        t = self.judged(r)["first_ib_read_bw_fastpath"]
        self.assertEqual(31000.0, t.value)
        self.assertAlmostEqual(0.775, t.ratio)
        self.assertEqual("not met", t.verdict)
        r = first_results(runs={("ib_read_bw", "fastpath"): [39000.0, 33000.0, 40000.0]})
        self.assertEqual("met", self.judged(r)["first_ib_read_bw_fastpath"].verdict)  # 0.825

    def test_latency_is_steady_over_the_run(self):
        r = first_results(runs={("ib_send_lat", "fastpath"): [1.2, 1.1, 1.25]})
        t = self.judged(r)["first_ib_send_lat_fastpath"]
        self.assertEqual(1.25, t.value)                         # the slowest run
        self.assertAlmostEqual(1.0 / 1.25, t.ratio)             # steady 1.0 / 1.25 = 0.8
        self.assertEqual("met", t.verdict)
        self.assertEqual("ib_send_lat -n 20000", t.ref_text)
        self.assertEqual("not met", self.judged(first_results())["first_ib_send_lat_default"].verdict)  # 1 / 2

    def test_default_mode_against_fastpath(self):
        r = first_results(runs={("ib_send_lat", "default"): [1.5, 1.0, 1.1], ("ib_send_lat", "fastpath"): [1.0] * 3})
        t = self.judged(r)
        write = t["first_write_1m_default_vs_fastpath"]
        self.assertAlmostEqual(0.9, write.ratio)                # 27000 / 30000
        self.assertEqual("met", write.verdict)
        lat = t["first_send_lat_default_vs_fastpath"]
        self.assertAlmostEqual(1.1, lat.value)                  # the median of 1.5, 1.0, 1.1
        self.assertEqual("met", lat.verdict)
        self.assertIn("median of 3 runs", lat.text)

    def test_a_missing_run_is_na(self):
        r = first_results()
        r.rows = [row for row in r.rows if row["metric"] != "bw_mbps_run2" or row["test"] != "ib_write_bw"]
        t = self.judged(r)
        self.assertEqual("n/a", t["first_ib_write_bw_default"].verdict)
        self.assertEqual("n/a", t["first_ib_write_bw_fastpath"].verdict)
        self.assertEqual("not met", t["first_ib_send_bw_fastpath"].verdict)

    def test_a_mode_the_router_did_not_log_is_said(self):
        t = self.judged(first_results(mode_logged=0))
        self.assertIn("its configuration says adaptive", t["first_ib_send_bw_default"].mode_note)
        self.assertEqual("", t["first_ib_send_bw_fastpath"].mode_note)


class ReportTest(unittest.TestCase):
    def test_the_section_is_complete_after_a_csv_round_trip(self):
        md = Report(csv_round_trip(first_results()), []).markdown()
        section = md[md.index("## First contact"):md.index("## Throughput")]
        self.assertIn("(adaptive: the router's log says `Pollers started (mode=adaptive, pollers=1)`)", section)
        self.assertIn("| ib_send_bw | default mode (adaptive) | 1000 × 64 KiB | 1000 MB/s | 30000 MB/s | "
                      "40000 MB/s | 40000 MB/s (`-D 2`) | 0.03× | **not met** |", section)
        self.assertIn("| ib_send_lat | fastpath | 1000 × 2 B | 2.00 µs | 1.00 µs | 1.00 µs | 1.00 µs (`-n 20000`) "
                      "| 0.50× | **not met** |", section)
        self.assertEqual(8 + 2, section.count("| **"))                # tools x modes, default against fastpath
        self.assertIn("| ib_write_bw -s 1 MiB -n 3000 (median of 1 run(s)) | 27000 MB/s | 30000 MB/s | 0.90× "
                      "| ≥ 0.9× | **met** |", section)
        self.assertIn("### Memory registration, µs per MiB", section)
        self.assertIn("| 64 MiB | 450 | 500 | 270 | 16.0 |", section)
        self.assertNotIn("n/a", section)
        self.assertIn("| first contact: ib_write_bw -s 1 MiB -n 3000, default mode (adaptive) ≥ 0.9 × fastpath | "
                      "27000 MB/s | fastpath: 30000 MB/s | 0.90× | ≥ 0.9× | **met** |", md)


if __name__ == "__main__":
    unittest.main()
