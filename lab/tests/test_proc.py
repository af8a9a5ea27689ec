"""Unit tests of fflab.proc: a child of ours that ended is not alive (kill -0 would say it
is, while it is a zombie), exit statuses as a shell reports them."""

import os
import subprocess
import sys
import time
import unittest

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))

from fflab import proc  # noqa: E402


class ProcTest(unittest.TestCase):
    def test_an_ended_child_and_its_group_are_not_alive(self):
        p = subprocess.Popen(["sleep", "0.2"], start_new_session=True)
        self.assertTrue(proc.pid_alive(p.pid))
        self.assertTrue(proc.group_alive(p.pid))
        self.assertTrue(proc.wait_until(lambda: not proc.group_alive(p.pid), 10, interval=0.05))
        self.assertFalse(proc.pid_alive(p.pid))

    def test_running_is_false_for_a_zombie(self):
        p = subprocess.Popen(["true"])
        deadline = time.monotonic() + 10
        while proc.running(p.pid) and time.monotonic() < deadline:
            time.sleep(0.02)
        self.assertFalse(proc.running(p.pid))  # a zombie until we wait
        p.wait()

    def test_no_such_process(self):
        self.assertFalse(proc.pid_alive(None))
        self.assertFalse(proc.group_alive(0))
        self.assertFalse(proc.group_alive(1))

    def test_exit_status(self):
        self.assertEqual(0, proc.exit_status(0))
        self.assertEqual(7, proc.exit_status(7))
        self.assertEqual(143, proc.exit_status(-15))


if __name__ == "__main__":
    unittest.main()
