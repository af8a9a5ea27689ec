"""Unit tests of the control-plane section: ff_control_rate's output, how the figures of
containers that ran at once combine, the report's table. Run: python3 -m unittest discover
-s bench/tests"""

import os
import sys
import unittest

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))

from ffbench import control, parse  # noqa: E402
from ffbench.report import Report  # noqa: E402
from ffbench.results import Results  # noqa: E402

# ff_control_rate -n 300 -s 5 in a container of a one-host lab, 2026-12-03
RATE = """\
control verb=reg_mr count=300 per_s=291 p50_us=2295.4 p99_us=14474.0
control verb=dereg_mr count=300 per_s=291 p50_us=2545.3 p99_us=10587.4
control verb=create_qp count=300 per_s=1876 p50_us=252.2 p99_us=4617.0
control verb=destroy_qp count=300 per_s=1712 p50_us=198.4 p99_us=4936.1
"""


class ControlTest(unittest.TestCase):
    def test_rates_are_parsed_per_verb(self):
        v = parse.control_rates(RATE)
        self.assertEqual({"count": 300, "per_s": 291.0, "p50_us": 2295.4, "p99_us": 14474.0}, v["reg_mr"])
        self.assertEqual(1712.0, v["destroy_qp"]["per_s"])

    def test_a_missing_verb_is_an_error(self):
        with self.assertRaises(ValueError):
            parse.control_rates("\n".join(RATE.splitlines()[:3]))
        with self.assertRaises(ValueError):
            parse.control_rates("control verb=reg_mr count=x per_s=1 p50_us=1 p99_us=1\n")

    def test_containers_at_once_add_their_rates_and_keep_the_worst_p99(self):
        a = parse.control_rates(RATE)
        b = parse.control_rates(RATE.replace("per_s=291 p50_us=2295.4 p99_us=14474.0",
                                             "per_s=100 p50_us=3000.0 p99_us=30000.0"))
        c = parse.control_rates(RATE.replace("p50_us=2295.4", "p50_us=1000.0"))
        f = control.combine([a, b, c])
        self.assertEqual(291 + 100 + 291, f["reg_mr"]["per_s"])
        self.assertEqual(2295.4, f["reg_mr"]["p50_us"])  # the median of 1000, 2295.4, 3000
        self.assertEqual(30000.0, f["reg_mr"]["p99_us"])

    def test_quantiles_are_nearest_rank(self):
        self.assertEqual(50, control.quantile(range(1, 101), 0.5))
        self.assertEqual(99, control.quantile(range(1, 101), 0.99))
        self.assertEqual(7, control.quantile([7], 0.99))

    def test_the_report_shows_one_and_three_routers_side_by_side(self):
        r = Results()
        for test, scale in (("1 router", 1.0), ("3 routers", 0.5)):
            for verb in ("reg_mr", "dereg_mr", "create_qp", "destroy_qp", "attach", "detach", "ping"):
                r.add("control", test, verb + "_per_s", 1000 * scale, "1/s")
                r.add("control", test, verb + "_p50_us", 500 / scale, "us")
                r.add("control", test, verb + "_p99_us", 5000 / scale, "us")
        text = Report(r, []).control()
        self.assertIn("Control verbs, with the orchestrator in the loop", text)
        self.assertIn("1 router: per s", text)
        self.assertIn("3 routers: p99 µs", text)
        self.assertIn("| reg_mr | 1000 | 500 | 5000 | 500 | 1000 | 10000 |", text)
        self.assertEqual("", Report(Results(), []).control(), "no section without figures")


if __name__ == "__main__":
    unittest.main()
