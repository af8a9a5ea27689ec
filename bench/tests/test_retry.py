"""Unit tests of how the bench takes a perftest run that perftest aborted for its own
clock calibration: recognised, run again a bounded number of times, reported; any other
failure stays a failure. Run: python3 -m unittest discover -s bench/tests"""

import io
import os
import sys
import tempfile
import unittest

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))

from ffbench import runner  # noqa: E402
from ffbench.progress import Progress  # noqa: E402
from ffbench.report import Report  # noqa: E402
from ffbench.results import Results  # noqa: E402
from ffbench.runner import CALIBRATION_RETRIES, Runner, StepError, calibration_failure  # noqa: E402
from ffbench.steps import Steps  # noqa: E402

# what ib_send_bw -s 65536 -D 2 printed when its calibration failed under load (trimmed)
CALIBRATION_FAILED = """\
# ib_send_bw -p 18520 -s 65536 -D 2 -f 0 --report_gbits c2
---------------------------------------------------------------------------------------
                    Send BW Test
 Dual-port       : OFF\t\tDevice         : ffrdma0
 Number of qps   : 1\t\tTransport type : IB
---------------------------------------------------------------------------------------
 #bytes     #iterations    BW peak[Gb/sec]    BW average[Gb/sec]   MsgRate[Mpps]
Correlation coefficient r^2: 0.409 < 0.9
Can't produce a report
"""

GOOD = """\
# ib_send_bw -p 18521 -s 65536 -D 2 -f 0 --report_gbits c2
 #bytes     #iterations    BW peak[Gb/sec]    BW average[Gb/sec]   MsgRate[Mpps]
 65536      310000           0.00               81.26  \t\t   0.155000
---------------------------------------------------------------------------------------
"""

OTHER_FAILURE = """\
# ib_send_bw -p 18520 -s 65536 -D 2 c2
Couldn't connect to c2:18520
Unable to open file descriptor for socket connection Unable to init the socket connection
"""


class FakeProcess:
    """What Runner.pair asks of a Popen: an exit status and a pid."""

    def __init__(self, rc):
        self.returncode = rc
        self.pid = 4242

    def wait(self, timeout=None):
        return self.returncode

    def poll(self):
        return self.returncode

    def terminate(self):
        pass

    def kill(self):
        pass


class FakeLab:
    """Plays back, per perftest run, the (client exit, client output, server exit, server
    output) it was given; remembers the labels it was asked to start."""

    def __init__(self, log_dir, runs):
        self.log_dir = log_dir
        self.runs = list(runs)
        self.started = []
        self._current = None

    def start(self, container, argv, label, env=None):
        if container == runner.SERVER:
            self._current = self.runs.pop(0)
            rc, out = self._current[2], self._current[3]
        else:
            rc, out = self._current[0], self._current[1]
        self.started.append(label)
        log = os.path.join(self.log_dir, label + ".log")
        with open(log, "w") as f:
            f.write(out)
        return FakeProcess(rc), log

    def wait_port(self, container, port, timeout=30):
        pass


def fake_runner(d, runs):
    lab = FakeLab(d, runs)
    return Runner(lab, plan=None, results=Results(), helpers={}), lab


class DetectionTest(unittest.TestCase):
    def test_the_calibration_failure_is_recognised(self):
        self.assertEqual("r^2 0.409 < 0.9", calibration_failure(CALIBRATION_FAILED))
        self.assertEqual("r^2 0.409 < 0.9", calibration_failure("", CALIBRATION_FAILED))  # the server's

    def test_other_output_is_not(self):
        self.assertIsNone(calibration_failure(GOOD))
        self.assertIsNone(calibration_failure(OTHER_FAILURE, ""))
        self.assertIsNone(calibration_failure(""))
        # both lines are needed, and from the same program
        self.assertIsNone(calibration_failure("Can't produce a report\n"))
        self.assertIsNone(calibration_failure("Correlation coefficient r^2: 0.409 < 0.9\n"))
        self.assertIsNone(calibration_failure("Correlation coefficient r^2: 0.409 < 0.9\n", "Can't produce a report\n"))


class RetryTest(unittest.TestCase):
    def setUp(self):
        self._dir = tempfile.TemporaryDirectory()
        self.dir = self._dir.name

    def tearDown(self):
        self._dir.cleanup()

    def test_a_calibration_failure_is_run_again(self):
        run, lab = fake_runner(self.dir, [(1, CALIBRATION_FAILED, 0, ""), (0, GOOD, 0, "")])
        lines = []
        run.on_retry = lines.append
        out = run.perftest("ib_send_bw", ["-s", 65536, "-D", 2], "ib_send_bw-65536-1", 32)
        self.assertEqual(GOOD, out)
        self.assertEqual([("ib_send_bw-65536-1", "r^2 0.409 < 0.9")], run.retries)
        self.assertEqual(["ib_send_bw-65536-1-srv", "ib_send_bw-65536-1-cli",
                          "ib_send_bw-65536-1-retry1-srv", "ib_send_bw-65536-1-retry1-cli"], lab.started)
        self.assertEqual(1, len(lines))
        self.assertIn("clock calibration failed (r^2 0.409 < 0.9); running it again (retry 1 of 3)", lines[0])

    def test_the_server_failing_its_calibration_is_run_again_too(self):
        run, _ = fake_runner(self.dir, [(0, GOOD, 1, CALIBRATION_FAILED), (0, GOOD, 0, "")])
        self.assertEqual(GOOD, run.perftest("ib_send_bw", [], "x", 10))
        self.assertEqual(1, len(run.retries))

    def test_retries_are_bounded(self):
        runs = [(1, CALIBRATION_FAILED, 0, "")] * (CALIBRATION_RETRIES + 2)
        run, lab = fake_runner(self.dir, runs)
        with self.assertRaises(StepError) as e:
            run.perftest("ib_send_bw", [], "bw", 10)
        self.assertEqual(2 * (CALIBRATION_RETRIES + 1), len(lab.started))  # the first run and 3 more
        self.assertEqual(CALIBRATION_RETRIES, len(run.retries))
        self.assertIn("clock calibration failed 4 times in a row", str(e.exception))
        self.assertNotIsInstance(e.exception, runner.CalibrationError)

    def test_any_other_failure_is_not_retried(self):
        run, lab = fake_runner(self.dir, [(1, OTHER_FAILURE, 0, ""), (0, GOOD, 0, "")])
        with self.assertRaises(StepError) as e:
            run.perftest("ib_send_bw", [], "bw", 10)
        self.assertIn("Couldn't connect", str(e.exception))
        self.assertEqual(2, len(lab.started))
        self.assertEqual([], run.retries)


class StepsTest(unittest.TestCase):
    """The loop over the steps: what the progress output and the results say."""

    def setUp(self):
        self._dir = tempfile.TemporaryDirectory()
        self.dir = self._dir.name

    def tearDown(self):
        self._dir.cleanup()

    def run_steps(self, runs, steps_of):
        run, _ = fake_runner(self.dir, runs)
        stream = io.StringIO()
        loop = Steps(run, run.r, Progress([1] * 4, stream=stream))
        loop.run(steps_of(run))
        return loop, run.r, stream.getvalue()

    def test_a_retried_step_is_reported(self):
        def steps(run):
            bw = lambda: "%d bytes" % len(run.perftest("ib_send_bw", [], "ib_send_bw-65536-1", 10))  # noqa: E731
            return [("lab up", 1, lambda: "up"), ("containers", 1, lambda: "c1, c2"),
                    ("ib_send_bw 64 KiB", 1, bw), ("ib_write_bw 64 KiB", 1, bw)]
        loop, r, out = self.run_steps([(1, CALIBRATION_FAILED, 0, ""), (0, GOOD, 0, ""), (0, GOOD, 0, "")], steps)
        self.assertEqual((0, 1), (loop.failures, loop.retried))
        self.assertIn("ib_send_bw-65536-1: perftest's clock calibration failed (r^2 0.409 < 0.9); running it "
                      "again (retry 1 of 3)\n", out)
        self.assertIn("ib_send_bw 64 KiB: %d bytes (retried once after perftest's clock calibration failed)\n"
                      % len(GOOD), out)
        self.assertIn("ib_write_bw 64 KiB: %d bytes\n" % len(GOOD), out)
        notes = [row["note"] for row in r.rows if row["metric"] == "retry"]
        self.assertEqual(["ib_send_bw 64 KiB: ib_send_bw-65536-1 run again once after perftest's clock "
                          "calibration failed (r^2 0.409 < 0.9)"], notes)

        r.add("meta", "run", "failures", loop.failures, "")
        r.add("meta", "run", "retried_steps", loop.retried, "")
        md = Report(r, []).markdown()
        self.assertIn("- **Retries**: 1 step retried after perftest's clock calibration failed", md)
        self.assertIn("\n## Retried steps\n", md)
        self.assertIn("\n- ib_send_bw 64 KiB: ib_send_bw-65536-1 run again once", md)
        self.assertNotIn("## Failed steps", md)

    def test_a_step_that_fails_otherwise_is_a_failure(self):
        def steps(run):
            return [("lab up", 1, lambda: "up"), ("containers", 1, lambda: "c1, c2"),
                    ("ib_send_bw 64 KiB", 1, lambda: run.perftest("ib_send_bw", [], "bw", 10)),
                    ("next", 1, lambda: "done")]
        loop, r, out = self.run_steps([(1, OTHER_FAILURE, 0, "")], steps)
        self.assertEqual((1, 0), (loop.failures, loop.retried))
        self.assertIn("ib_send_bw 64 KiB: FAILED: bw: client exit 1, server exit 0\n", out)
        self.assertIn("next: done\n", out)  # the run goes on
        self.assertEqual([], [row for row in r.rows if row["metric"] == "retry"])
        r.add("meta", "run", "failures", loop.failures, "")
        r.add("meta", "run", "retried_steps", loop.retried, "")
        md = Report(r, []).markdown()
        self.assertIn("## Failed steps", md)
        self.assertNotIn("Retried steps", md)
        self.assertNotIn("**Retries**", md)

    def test_no_lab_ends_the_run(self):
        def boom():
            raise RuntimeError("lab up failed")
        loop, _, out = self.run_steps([], lambda run: [("lab up", 1, boom), ("containers", 1, lambda: "c1, c2")])
        self.assertEqual(1, loop.failures)
        self.assertNotIn("containers", out)


if __name__ == "__main__":
    unittest.main()
