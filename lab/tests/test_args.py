"""Unit tests of fflab.args: the lab's command lines, their defaults and their errors."""

import os
import sys
import unittest

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))

from fflab import args  # noqa: E402
from fflab.errors import LabError  # noqa: E402


class LabOptionTest(unittest.TestCase):
    def test_lab_anywhere_before_the_double_dash(self):
        self.assertEqual(("ff", ["status"]), args.split_lab_option(["status"], "ff"))
        self.assertEqual(("lp", ["up", "--hosts", "2"]), args.split_lab_option(["up", "--lab", "lp", "--hosts", "2"], "ff"))
        self.assertEqual(("lp", ["status"]), args.split_lab_option(["--lab=lp", "status"], "ff"))
        self.assertEqual(("ff", ["run", "--name", "c", "--", "prog", "--lab", "x"]),
                         args.split_lab_option(["run", "--name", "c", "--", "prog", "--lab", "x"], "ff"))

    def test_bad_lab_names(self):
        for bad in ("Lab", "1ab", "toolongname", "a-b", ""):
            with self.assertRaisesRegex(LabError, "bad lab name"):
                args.split_lab_option(["--lab", bad, "status"] if bad else ["--lab=", "status"], "ff")
        with self.assertRaisesRegex(LabError, "--lab needs a name"):
            args.split_lab_option(["status", "--lab"], "ff")


class UpTest(unittest.TestCase):
    def test_defaults_from_the_environment(self):
        o = args.parse_up([], {"FREEFLOW_LAB_SUBNET": "10.5.0.0/24", "FREEFLOW_LAB_TIMEOUT": "60"})
        self.assertEqual((1, "10.5.0.0/24", 60, []), (o.hosts, o.subnet, o.timeout, o.configs))
        self.assertEqual((1, "", 180), (args.parse_up([], {}).hosts, args.parse_up([], {}).subnet,
                                        args.parse_up([], {}).timeout))

    def test_options_both_ways(self):
        o = args.parse_up(["--hosts", "3", "--subnet=10.6.0.0/16", "--timeout", "9",
                           "--config", "org.freeflow.router:dataPathSelfTestMillis=0",
                           "--config=org.freeflow.qos:a.b=x=y"], {})
        self.assertEqual((3, "10.6.0.0/16", 9), (o.hosts, o.subnet, o.timeout))
        self.assertEqual([("org.freeflow.router", "dataPathSelfTestMillis", "0"), ("org.freeflow.qos", "a.b", "x=y")],
                         [(c.pid, c.key, c.value) for c in o.configs])

    def test_errors(self):
        cases = [(["--hosts", "0"], "--hosts must be 1..99"), (["--hosts", "100"], "--hosts must be 1..99"),
                 (["--hosts", "two"], "--hosts must be"), (["--timeout", "0"], "--timeout must be"),
                 (["--hosts"], "--hosts needs a number"), (["--config", "no-key-here"], "bad --config"),
                 (["--config", "pid:=v"], "bad --config"), (["--nope"], "lab up: unknown argument '--nope'")]
        for argv, message in cases:
            with self.assertRaisesRegex(LabError, message, msg=argv):
                args.parse_up(argv, {})


class RunExecTest(unittest.TestCase):
    def test_run(self):
        o = args.parse_run(["--host=h2", "--name", "c1", "--tenant", "blue", "--", "ib_send_bw", "-a"])
        self.assertEqual(("h2", "c1", "blue", ["ib_send_bw", "-a"]), (o.host, o.name, o.tenant, o.command))
        o = args.parse_run(["--name", "c1", "sh", "-c", "--name"])  # the command starts at the first word
        self.assertEqual(("h1", ["sh", "-c", "--name"]), (o.host, o.command))

    def test_run_errors(self):
        cases = [(["--name", "c1"], "no command"), (["--", "true"], "--name is required"),
                 (["--name", "BAD_NAME", "--", "true"], "bad container name 'BAD_NAME'"),
                 (["--name", "-x", "--", "true"], "bad container name"),
                 (["--name", "c" * 33, "--", "true"], "bad container name"),
                 (["--name", "c1", "--tenant", "a b", "--", "true"], "bad tenant name"),
                 (["--what", "--", "true"], "lab run: unknown option '--what'")]
        for argv, message in cases:
            with self.assertRaisesRegex(LabError, message, msg=argv):
                args.parse_run(argv)
        self.assertTrue(args.valid_container_name("a" * 32))
        self.assertFalse(args.valid_container_name("a-"))

    def test_exec(self):
        o = args.parse_exec(["--name", "c2", "--", "env"])
        self.assertEqual(("c2", ["env"]), (o.name, o.command))
        with self.assertRaisesRegex(LabError, "lab exec: no command"):
            args.parse_exec(["--name", "c2"])


class OtherCommandsTest(unittest.TestCase):
    def test_wait_port(self):
        o = args.parse_wait_port(["--name", "c2", "18515", "--timeout", "60"])
        self.assertEqual(("c2", 18515, 60), (o.name, o.port, o.timeout))
        self.assertEqual(30, args.parse_wait_port(["--name", "c2", "1"]).timeout)
        for argv, message in [(["--name", "c2", "0"], "bad port '0'"), (["--name", "c2", "1", "2"], "one port only"),
                              (["18515"], "--name is required"), (["--name", "c2", "5", "--timeout", "x"], "bad timeout")]:
            with self.assertRaisesRegex(LabError, message, msg=argv):
                args.parse_wait_port(argv)

    def test_port(self):
        self.assertEqual(("c1", "down"), (args.parse_port(["--name", "c1", "down"]).name, "down"))
        for argv, message in [(["--name", "c1"], "down or up\\?"), (["--name", "c1", "up", "down"], "once"),
                              (["--name", "c1", "sideways"], "unknown argument 'sideways'")]:
            with self.assertRaisesRegex(LabError, message, msg=argv):
                args.parse_port(argv)

    def test_inspect(self):
        self.assertEqual(("h1", False), (args.parse_inspect(["h1"]).name, args.parse_inspect(["h1"]).json))
        self.assertTrue(args.parse_inspect(["--json", "c1"]).json)
        self.assertTrue(args.parse_inspect(["c1", "--json"]).json)
        for argv in ([], ["a", "b"], ["--json"], ["--json", "--json", "a"]):
            with self.assertRaisesRegex(LabError, "one host or container name", msg=argv):
                args.parse_inspect(argv)

    def test_logs_and_config(self):
        o = args.parse_logs(["--host", "h2", "-n", "5"])
        self.assertEqual(("h2", 5), (o.host, o.lines))
        with self.assertRaisesRegex(LabError, "bad --lines"):
            args.parse_logs(["--lines=x"])
        o = args.parse_config(["--host=h2", "org.freeflow.fastpath", "mode=lowcpu", "pollers=2"])
        self.assertEqual(("h2", "org.freeflow.fastpath", [("mode", "lowcpu"), ("pollers", "2")]),
                         (o.host, o.pid, o.settings))
        for argv, message in [([], "which PID"), (["a/b"], "bad PID"), (["pid", "novalue"], "want KEY=VALUE"),
                              (["pid", "k=a\nb"], "one line")]:
            with self.assertRaisesRegex(LabError, message, msg=argv):
                args.parse_config(argv)

    def test_kill_and_start_router(self):
        self.assertEqual(("h3", None), (args.parse_router(["h3"], "kill-router").host, None))
        o = args.parse_router(["h2"], "start-router", {"FREEFLOW_LAB_TIMEOUT": "77"})
        self.assertEqual(("h2", 77), (o.host, o.timeout))
        self.assertEqual(180, args.parse_router(["h2"], "start-router", {}).timeout)
        self.assertEqual(5, args.parse_router(["--timeout", "5", "h2"], "start-router", {}).timeout)
        for argv, command, message in [([], "kill-router", "which host"), (["c1"], "kill-router", "bad host 'c1'"),
                                       (["h1", "h2"], "start-router", "unknown argument 'h2'"),
                                       (["--timeout", "5", "h1"], "kill-router", "unknown argument '--timeout'"),
                                       (["h1", "--timeout", "0"], "start-router", "--timeout must be")]:
            with self.assertRaisesRegex(LabError, message, msg=argv):
                args.parse_router(argv, command, {})

    def test_no_arguments(self):
        args.parse_nothing([], "down")
        with self.assertRaisesRegex(LabError, "lab status: unknown argument 'x'"):
            args.parse_nothing(["x"], "status")


if __name__ == "__main__":
    unittest.main()
