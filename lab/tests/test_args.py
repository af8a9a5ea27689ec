"""Unit tests of fflab.args: the lab's command lines, their defaults and their errors."""

import contextlib
import io
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


class ReadAsAlwaysTest(unittest.TestCase):
    """What argparse alone would read otherwise, read as the launcher always has."""

    def assertRefused(self, parse, argv, message):
        with self.assertRaisesRegex(LabError, message, msg=argv):
            parse(argv)

    def test_an_empty_value_after_equals_is_a_value(self):
        self.assertRefused(args.parse_run, ["--name=", "--", "true"], "^lab run: --name is required$")
        self.assertEqual("", args.parse_run(["--name", "c1", "--tenant=", "--", "true"]).tenant)
        self.assertEqual("", args.parse_config(["--host=", "pid"]).host)
        up = lambda argv: args.parse_up(argv, {})  # noqa: E731
        self.assertRefused(up, ["--hosts="], "^--hosts must be 1..99$")
        self.assertRefused(up, ["--timeout="], "^--timeout must be a number of seconds$")
        self.assertRefused(up, ["--config="], "^bad --config '' ")
        self.assertRefused(args.parse_logs, ["--lines="], "^lab logs: bad --lines ''$")
        self.assertRefused(args.parse_logs, ["-n="], "^lab logs: bad --lines ''$")
        self.assertRefused(args.parse_wait_port, ["--name", "c2", "1", "--timeout="], "^lab wait-port: bad timeout ''$")
        self.assertRefused(lambda a: args.parse_router(a, "start-router", {}), ["h1", "--timeout="],
                           "^--timeout must be a number of seconds$")

    def test_no_value_or_an_empty_word_is_a_missing_value(self):
        cases = [(lambda a: args.split_lab_option(a, "ff"), ["--lab", "", "status"], "--lab needs a name"),
                 (lambda a: args.parse_up(a, {}), ["--hosts", ""], "--hosts needs a number"),
                 (lambda a: args.parse_up(a, {}), ["--subnet"], "--subnet needs a CIDR"),
                 (lambda a: args.parse_up(a, {}), ["--config", ""], "--config needs PID:KEY=VALUE"),
                 (args.parse_run, ["--name", "", "--", "true"], "--name needs a name"),
                 (args.parse_run, ["--name", "c1", "--tenant"], "--tenant needs a name"),
                 (args.parse_exec, ["--name"], "--name needs a name"),
                 (args.parse_wait_port, ["--name", "c2", "1", "--timeout"], "--timeout needs seconds"),
                 (args.parse_port, ["up", "--name"], "--name needs a name"),
                 (args.parse_logs, ["-n"], "-n needs a number"),
                 (args.parse_logs, ["--lines", ""], "--lines needs a number"),
                 (args.parse_config, ["pid", "--host"], "--host needs a name"),
                 (lambda a: args.parse_router(a, "start-router", {}), ["--timeout", "", "h1"],
                  "--timeout needs seconds")]
        for parse, argv, message in cases:
            self.assertRefused(parse, argv, "^%s$" % message)

    def test_the_next_word_is_the_value_whatever_it_looks_like(self):
        self.assertEqual("-x", args.parse_run(["--name", "c1", "--host", "-x", "--", "true"]).host)
        o = args.parse_exec(["--name", "-c", "sh"])
        self.assertEqual(("-c", ["sh"]), (o.name, o.command))
        self.assertEqual("--x", args.parse_run(["--name", "c1", "--tenant", "--x", "--", "true"]).tenant)
        self.assertEqual("-1", args.parse_up(["--subnet", "-1"], {}).subnet)
        self.assertRefused(lambda a: args.parse_up(a, {}), ["--config", "-x"], "^bad --config '-x' ")
        self.assertRefused(args.parse_logs, ["--lines", "-5"], "^lab logs: bad --lines '-5'$")
        for argv, name in ((["--lab", "--lab", "status"], "--lab"), (["--lab", "--", "status"], "--"),
                           (["--lab=--", "status"], "--")):
            self.assertRefused(lambda a: args.split_lab_option(a, "ff"), argv, "^bad lab name '%s':" % name)

    def test_a_value_of_double_dash_is_kept(self):  # argparse before 3.11.9 hands it over as []
        self.assertRefused(lambda a: args.parse_up(a, {}), ["--config", "--"], "^bad --config '--' ")
        self.assertRefused(lambda a: args.parse_up(a, {}), ["--config=--"], "^bad --config '--' ")
        self.assertRefused(args.parse_logs, ["-n", "--"], "^lab logs: bad --lines '--'$")
        self.assertRefused(args.parse_run, ["--name=--", "--", "true"], "^bad container name '--'")
        self.assertRefused(lambda a: args.parse_router(a, "start-router", {}), ["--timeout", "--", "h1"],
                           "^--timeout must be a number of seconds$")

    def test_the_command_is_never_read(self):
        o = args.parse_run(["--name", "c1", "--", "--host", "h9", "--name", "x", "-n", "5", "--tenant="])
        self.assertEqual(("h1", "c1", "", ["--host", "h9", "--name", "x", "-n", "5", "--tenant="]),
                         (o.host, o.name, o.tenant, o.command))
        o = args.parse_run(["--name", "c1", "ib_send_bw", "-d", "mlx5_0", "--name", "--tenant=t", "--"])
        self.assertEqual(("c1", "", ["ib_send_bw", "-d", "mlx5_0", "--name", "--tenant=t", "--"]),
                         (o.name, o.tenant, o.command))
        self.assertEqual(["sh", "--", "--host"], args.parse_run(["--name", "c1", "sh", "--", "--host"]).command)
        self.assertEqual(["", "-x"], args.parse_run(["--name", "c1", "", "-x"]).command)
        self.assertEqual(["--", "x"], args.parse_exec(["--name", "c2", "--", "--", "x"]).command)
        self.assertRefused(args.parse_exec, ["--name", "c2", "--"], "^lab exec: no command$")
        argv = ["run", "--name", "c", "--", "prog", "--lab=x", "--", "--lab", "y"]
        self.assertEqual(("ff", argv), args.split_lab_option(list(argv), "ff"))
        self.assertEqual(("lp", ["run", "--name", "c", "prog", "-d", "x"]),
                         args.split_lab_option(["run", "--name", "c", "prog", "-d", "x", "--lab", "lp"], "ff"))

    def test_no_abbreviation_help_file_or_stuck_short_value(self):
        self.assertRefused(args.parse_run, ["--nam", "c1", "--", "true"], "^lab run: unknown option '--nam'$")
        self.assertRefused(args.parse_run, ["--hosts", "h2", "--name", "c1", "--", "true"], "unknown option '--hosts'")
        for word in ("--host", "--help", "-h", "@file", "--hosts3"):
            self.assertRefused(lambda a: args.parse_up(a, {}), [word, "2"], "^lab up: unknown argument '%s'$" % word)
        self.assertRefused(args.parse_logs, ["-n5"], "^lab logs: unknown argument '-n5'$")
        self.assertEqual([7, 7, 7], [args.parse_logs(a).lines for a in (["-n", "7"], ["-n=7"], ["--lines=7"])])
        self.assertEqual(("ff", ["--la", "x", "status"]), args.split_lab_option(["--la", "x", "status"], "ff"))

    def test_double_dash_is_just_a_word_outside_run_and_exec(self):
        cases = [(lambda a: args.parse_up(a, {}), ["--", "--hosts", "2"], "lab up: unknown argument '--'"),
                 (args.parse_wait_port, ["--name", "c2", "1", "--"], "lab wait-port: unknown option '--'"),
                 (args.parse_port, ["--name", "c1", "--", "up"], "lab port: unknown argument '--'"),
                 (args.parse_logs, ["--", "-n", "5"], "lab logs: unknown argument '--'"),
                 (args.parse_config, ["pid", "--", "k=v"], "lab config: unknown option '--'"),
                 (lambda a: args.parse_router(a, "start-router", {}), ["h1", "--", "--timeout", "5"],
                  "lab start-router: unknown argument '--'")]
        for parse, argv, message in cases:
            self.assertRefused(parse, argv, "^%s$" % message)

    def test_words_argparse_takes_for_arguments_are_still_refused(self):
        for word in ("-5", "-x y", "-"):
            self.assertRefused(args.parse_wait_port, ["--name", "c2", word],
                               "^lab wait-port: unknown option '%s'$" % word)
            self.assertRefused(args.parse_run, ["--name", "c1", word, "--", "true"],
                               "^lab run: unknown option '%s'$" % word)
            self.assertRefused(args.parse_config, ["pid", word], "^lab config: unknown option '%s'$" % word)
            self.assertRefused(lambda a: args.parse_router(a, "kill-router"), [word],
                               "^lab kill-router: unknown argument '%s'$" % word)
            self.assertRefused(args.parse_logs, [word], "^lab logs: unknown argument '%s'$" % word)

    def test_repeated_options_and_words_in_order(self):
        self.assertEqual(3, args.parse_up(["--hosts", "0", "--hosts=3"], {}).hosts)
        self.assertEqual("h3", args.parse_run(["--host", "h2", "--name", "c1", "--host=h3", "true"]).host)
        self.assertEqual(("b", ["status"]), args.split_lab_option(["--lab", "a", "status", "--lab=b"], "ff"))
        o = args.parse_config(["pid", "k=1", "--host", "h2", "j=2", "--host=h3", "i=3"])
        self.assertEqual(("h3", "pid", [("k", "1"), ("j", "2"), ("i", "3")]), (o.host, o.pid, o.settings))
        self.assertEqual(7, args.parse_router(["--timeout", "5", "h1", "--timeout=7"], "start-router", {}).timeout)
        self.assertRefused(lambda a: args.parse_router(a, "start-router", {}),
                           ["--timeout", "0", "--timeout", "5", "h1"], "^--timeout must be a number of seconds$")

    def test_the_first_mistake_on_the_line_is_told(self):
        self.assertRefused(lambda a: args.parse_up(a, {}), ["--nope", "--hosts"], "^lab up: unknown argument '--nope'$")
        self.assertRefused(lambda a: args.parse_up(a, {}), ["--hosts", "--nope"], "^--hosts must be 1..99$")
        self.assertRefused(args.parse_run, ["--what", "--name"], "^lab run: unknown option '--what'$")
        self.assertRefused(args.parse_wait_port, ["1", "2", "--name"], "^lab wait-port: one port only$")
        self.assertRefused(args.parse_port, ["sideways", "--name"], "^lab port: unknown argument 'sideways'$")
        self.assertRefused(args.parse_config, ["pid", "-x", "--host"], "^lab config: unknown option '-x'$")

    def test_argparse_never_prints_or_exits(self):
        lines = [["--nope"], ["--hosts"], ["-h"], ["--help"], ["--lab"], ["--json=1"], ["@x"], ["--=x"], ["---"]]
        parsers = [lambda a: args.split_lab_option(a + ["--lab", "BAD"], "ff"), lambda a: args.parse_up(a, {}),
                   args.parse_run, args.parse_exec, args.parse_wait_port, args.parse_port, args.parse_logs,
                   args.parse_config, lambda a: args.parse_router(a, "kill-router"),
                   lambda a: args.parse_router(a, "start-router", {})]
        out, err = io.StringIO(), io.StringIO()
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
            for parse in parsers:
                for argv in lines:
                    with self.assertRaises(LabError, msg=argv):
                        parse(list(argv))
            with self.assertRaisesRegex(LabError, "^lab up: boom$"):
                args._Parser("lab up").error("boom")  # argparse's own complaints, should one come
        self.assertEqual(("", ""), (out.getvalue(), err.getvalue()))


if __name__ == "__main__":
    unittest.main()


class LinkArgsTest(unittest.TestCase):
    def test_host_and_state_in_either_order(self):
        self.assertEqual(args.LinkOptions("h2", "down"), args.parse_link(["h2", "down"]))
        self.assertEqual(args.LinkOptions("h3", "up"), args.parse_link(["up", "h3"]))

    def test_a_cut_of_some_milliseconds(self):
        self.assertEqual(args.LinkOptions("h2", "down", 100), args.parse_link(["h2", "down", "--for", "100"]))
        self.assertEqual(args.LinkOptions("h2", "down", 5), args.parse_link(["--for=5", "h2", "down"]))
        for argv, message in ((["h2", "up", "--for", "100"],
                               "lab link: --for goes with down (up again after that many milliseconds)"),
                              (["h2", "down", "--for", "0"], "--for must be a number of milliseconds"),
                              (["h2", "down", "--for", "x"], "--for must be a number of milliseconds")):
            with self.assertRaises(LabError) as e:
                args.parse_link(argv)
            self.assertEqual(message, str(e.exception), argv)

    def test_mistakes(self):
        for argv, message in ((["down"], "lab link: which host? (e.g. h2)"),
                              (["x1", "down"], "lab link: bad host 'x1' (hN)"),
                              (["h2"], "lab link: down or up?"),
                              (["h2", "sideways"], "lab link: unknown argument 'sideways'"),
                              (["h2", "down", "up"], "lab link: unknown argument 'up'"),
                              (["h2", "--fast", "down"], "lab link: unknown argument '--fast'")):
            with self.assertRaises(LabError) as e:
                args.parse_link(argv)
            self.assertEqual(message, str(e.exception), argv)
