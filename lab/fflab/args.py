"""The lab's command lines, parsed by argparse as the launcher always read them: options as
'--opt VALUE' or '--opt=VALUE', '--lab NAME' anywhere before '--'. Each parse_* returns the
options of one subcommand or raises LabError with the message the launcher prints."""

import argparse
import re
from dataclasses import dataclass, field
from typing import List, Optional

from fflab.errors import LabError
from fflab.ipv4 import is_uint

LAB_NAME = re.compile(r"[a-z][a-z0-9]{0,7}")
CONTAINER_NAME = re.compile(r"[a-z0-9]([a-z0-9-]{0,30}[a-z0-9])?")
TENANT_NAME = re.compile(r"[A-Za-z0-9._-]{1,64}")
CONFIG_ITEM = re.compile(r"[A-Za-z0-9._-]+:[A-Za-z0-9._-]+=.*", re.S)
PID_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]*")
HOST_NAME = re.compile(r"h[0-9]+")
MAX_HOSTS = 99
DEFAULT_UP_TIMEOUT = 180


class _Value(argparse.Action):
    """How an option of ours keeps its value: the last one given, or with MANY all of them in
    order; CHECK, if given, turns each into what is kept (or raises LabError) where it stands.
    argparse before 3.11.9 and 3.12.3 hands a value of '--' ('--lab=--') over as [] (CPython
    gh-109475): it was '--'."""

    def __init__(self, option_strings, dest, many=False, check=None, **kwargs):
        super().__init__(option_strings, dest, **kwargs)
        self.many = many
        self.check = check

    def __call__(self, parser, namespace, values, option_string=None):
        value = "--" if values == [] else values
        if self.check:
            value = self.check(value)
        setattr(namespace, self.dest, (getattr(namespace, self.dest) + [value]) if self.many else value)


class _Parser(argparse.ArgumentParser):
    """The options of one command line (PROG: 'lab up', 'lab run', ...), read by argparse.

    It never prints or exits: every mistake is a LabError with the launcher's message. It
    knows no abbreviations, no -h and no @file; the words that are not its options go, in
    order, to the caller, who takes them as arguments or refuses them."""

    def __init__(self, prog):
        super().__init__(prog=prog, add_help=False, allow_abbrev=False, exit_on_error=False)
        self.needs = {}  # an option that takes a value, as typed -> what its value is
        self.aliases = {}  # a short spelling -> its long option

    def add_value(self, name, needs, alias=None, **kwargs):
        """Declares option NAME, which takes a value; NEEDS says what one is ('a name'). KWARGS
        are argparse's and _Value's (default, many, check)."""
        self.add_argument(name, action=_Value, **kwargs)
        self.needs[name] = needs
        if alias:
            self.needs[alias] = needs
            self.aliases[alias] = name

    def read(self, argv, take):
        """(options, what TAKE makes of the other words): TAKE gets the words of ARGV that are
        not its options, in order, '--' and all after it among them, and raises LabError for
        one it refuses."""
        options, taken, _ = self._read(argv, False, take)
        return options, taken

    def read_command(self, argv, unknown):
        """(options, command): the options of ARGV, and the command, which is what follows
        '--', or everything from the first word that is not an option on. UNKNOWN is the
        message for an option before the command that is not one of ours."""
        options, _, rest = self._read(argv, True, lambda words: _refuse(words, unknown))
        return options, rest[1:] if rest[:1] == ["--"] else rest

    def error(self, message):
        """argparse's own complaint, a LabError: argparse must not print usage or exit."""
        raise LabError("%s: %s" % (self.prog, message))

    def _read(self, argv, command_follows, take):
        """(options, TAKE(words), the rest): without COMMAND_FOLLOWS the rest, from '--' on, is
        among the words. An option left without a value is reported after TAKE has seen the
        words before it, so that the first mistake on the line is the one told; a value that
        a CHECK refuses is told as argparse meets it, before TAKE sees any word."""
        options, rest, missing = self._split(argv, command_follows)
        try:
            namespace, words = self.parse_known_args(options)
        except argparse.ArgumentError as e:
            self.error(str(e))
        if not command_follows:
            words, rest = words + rest, []
        taken = take(words)
        if missing:
            raise missing
        return namespace, taken, rest

    def _split(self, argv, command_follows):
        """(the options of ARGV, the rest, a missing value's LabError or None). The options end
        at '--', which starts the rest, or, if COMMAND_FOLLOWS, at the first word that is not an
        option; argparse sees neither the rest nor '--'.

        In the options each of ours that takes a value is written 'OPT=VALUE' with its long
        name: argparse would refuse a VALUE that looks like an option ('--name -x') and take ''
        for one, where the launcher has always taken the next word, whatever it is, and said
        'OPT needs ...' for none or ''. At such an option the options end, with its error."""
        options = []
        words = iter(argv)
        for word in words:
            if word == "--" or (command_follows and not word.startswith("-")):
                return options, [word] + list(words), None
            if word in self.needs:
                value = next(words, "")
                if value == "":
                    return options, [], LabError("%s needs %s" % (word, self.needs[word]))
                word = "%s=%s" % (word, value)
            options.append(self._long(word))
        return options, [], None

    def _long(self, word):
        """WORD with an alias ('-n', '-n=5') spelled as its long option."""
        name, eq, value = word.partition("=")
        return self.aliases.get(name, name) + eq + value


def _refuse(words, message):
    """Raises LabError MESSAGE % the first of WORDS, if there is one."""
    if words:
        raise LabError(message % words[0])


def valid_container_name(name):
    """Whether NAME may name a container: lower-case letters, digits and '-', at most 32."""
    return bool(CONTAINER_NAME.fullmatch(name or ""))


def split_lab_option(argv, default_lab):
    """(lab name, the other arguments): '--lab NAME' may stand anywhere before '--'."""
    parser = _Parser("lab")
    parser.add_value("--lab", "a name", default=default_lab)
    options, rest = parser.read(argv, list)
    if not LAB_NAME.fullmatch(options.lab):
        raise LabError("bad lab name '%s': a lower-case letter, then up to 7 letters or digits" % options.lab)
    return options.lab, rest


def _no_arguments(args, command):
    _refuse(args, "lab " + command + ": unknown argument '%s'")


def _timeout(text, message):
    if not is_uint(text):
        raise LabError(message)
    return int(text)


def _seconds(text):
    """A --timeout of lab up or start-router: a whole number of seconds, at least 1."""
    if not (is_uint(text) and int(text) >= 1):
        raise LabError("--timeout must be a number of seconds")
    return int(text)


@dataclass
class ConfigItem:
    """--config PID:KEY=VALUE"""

    pid: str
    key: str
    value: str

    @classmethod
    def parse(cls, text):
        if not CONFIG_ITEM.fullmatch(text):
            raise LabError("bad --config '%s' (want PID:KEY=VALUE)" % text)
        pid, _, kv = text.partition(":")
        key, _, value = kv.partition("=")
        return cls(pid, key, value)


@dataclass
class UpOptions:
    hosts: int = 1
    subnet: str = ""
    timeout: int = DEFAULT_UP_TIMEOUT
    configs: List[ConfigItem] = field(default_factory=list)


def parse_up(args, env):
    parser = _Parser("lab up")
    parser.add_value("--hosts", "a number", default="1")
    parser.add_value("--subnet", "a CIDR", default=env.get("FREEFLOW_LAB_SUBNET", ""))
    parser.add_value("--timeout", "seconds", default=env.get("FREEFLOW_LAB_TIMEOUT", str(DEFAULT_UP_TIMEOUT)))
    parser.add_value("--config", "PID:KEY=VALUE", many=True, default=[])
    options, _ = parser.read(args, lambda words: _refuse(words, "lab up: unknown argument '%s'"))
    if not (is_uint(options.hosts) and 1 <= int(options.hosts) <= MAX_HOSTS):
        raise LabError("--hosts must be 1..%d" % MAX_HOSTS)
    timeout = _seconds(options.timeout)
    return UpOptions(int(options.hosts), options.subnet, timeout, [ConfigItem.parse(c) for c in options.config])


@dataclass
class RunOptions:
    host: str
    name: str
    tenant: str
    command: List[str]


def parse_run(args):
    parser = _Parser("lab run")
    parser.add_value("--host", "a name", default="h1")
    parser.add_value("--name", "a name", default="")
    parser.add_value("--tenant", "a name", default="")
    options, command = parser.read_command(args, "lab run: unknown option '%s'")
    if not command:
        raise LabError("lab run: no command (./freeflow lab run --name NAME -- CMD ...)")
    if not options.name:
        raise LabError("lab run: --name is required")
    if not valid_container_name(options.name):
        raise LabError("bad container name '%s' (lower-case letters, digits and '-', at most 32)" % options.name)
    if options.tenant and not TENANT_NAME.fullmatch(options.tenant):
        raise LabError("bad tenant name '%s'" % options.tenant)
    return RunOptions(options.host, options.name, options.tenant, command)


@dataclass
class ExecOptions:
    name: str
    command: List[str]


def parse_exec(args):
    parser = _Parser("lab exec")
    parser.add_value("--name", "a name", default="")
    options, command = parser.read_command(args, "lab exec: unknown option '%s'")
    if not command:
        raise LabError("lab exec: no command")
    if not options.name:
        raise LabError("lab exec: --name is required")
    return ExecOptions(options.name, command)


@dataclass
class WaitPortOptions:
    name: str
    port: int
    timeout: int = 30


def _the_port(words):
    """wait-port's one argument, the port, as written ('' if none)."""
    port = ""
    for word in words:
        if word.startswith("-"):
            raise LabError("lab wait-port: unknown option '%s'" % word)
        if port:
            raise LabError("lab wait-port: one port only")
        port = word
    return port


def parse_wait_port(args):
    parser = _Parser("lab wait-port")
    parser.add_value("--name", "a name", default="")
    parser.add_value("--timeout", "seconds", default="30")
    options, port = parser.read(args, _the_port)
    if not options.name:
        raise LabError("lab wait-port: --name is required")
    if not valid_container_name(options.name):
        raise LabError("bad container name '%s'" % options.name)
    if not (is_uint(port) and 1 <= int(port) <= 65535):
        raise LabError("lab wait-port: bad port '%s'" % port)
    timeout = _timeout(options.timeout, "lab wait-port: bad timeout '%s'" % options.timeout)
    return WaitPortOptions(options.name, int(port), timeout)


@dataclass
class PortOptions:
    name: str
    state: str


def _the_state(words):
    """port's one argument: 'down' or 'up' ('' if none)."""
    state = ""
    for word in words:
        if word not in ("down", "up"):
            raise LabError("lab port: unknown argument '%s'" % word)
        if state:
            raise LabError("lab port: down or up, once")
        state = word
    return state


def parse_port(args):
    parser = _Parser("lab port")
    parser.add_value("--name", "a name", default="")
    options, state = parser.read(args, _the_state)
    if not options.name:
        raise LabError("lab port: --name is required")
    if not state:
        raise LabError("lab port: down or up?")
    return PortOptions(options.name, state)


@dataclass
class InspectOptions:
    name: str
    json: bool = False


def parse_inspect(args):
    as_json = "--json" in args
    names = [a for a in args if a != "--json"]
    if len(names) != 1 or args.count("--json") > 1:
        raise LabError("lab inspect: one host or container name (and --json for one JSON object)")
    return InspectOptions(names[0], as_json)


@dataclass
class LogsOptions:
    host: str = "h1"
    lines: int = 50


def parse_logs(args):
    parser = _Parser("lab logs")
    parser.add_value("--host", "a name", default="h1")
    parser.add_value("--lines", "a number", alias="-n", default="50")
    options, _ = parser.read(args, lambda words: _refuse(words, "lab logs: unknown argument '%s'"))
    if not is_uint(options.lines):
        raise LabError("lab logs: bad --lines '%s'" % options.lines)
    return LogsOptions(options.host, int(options.lines))


@dataclass
class ConfigOptions:
    host: str
    pid: str
    settings: List[tuple]


def _pid_and_sets(words):
    """config's arguments: (the PID, '' if none; the KEY=VALUE words after it)."""
    pid, sets = "", []
    for word in words:
        if word.startswith("-"):
            raise LabError("lab config: unknown option '%s'" % word)
        if pid:
            sets.append(word)
        else:
            pid = word
    return pid, sets


def _setting(kv):
    """(KEY, VALUE) of one KEY=VALUE argument of config."""
    key, eq, value = kv.partition("=")
    if not eq or not PID_NAME.fullmatch(key):
        raise LabError("lab config: want KEY=VALUE, not '%s'" % kv)
    if "\n" in kv:
        raise LabError("lab config: a value is one line")
    return key, value


def parse_config(args):
    parser = _Parser("lab config")
    parser.add_value("--host", "a name", default="h1")
    options, (pid, sets) = parser.read(args, _pid_and_sets)
    if not pid:
        raise LabError("lab config: which PID? (e.g. org.freeflow.fastpath)")
    if not PID_NAME.fullmatch(pid):
        raise LabError("lab config: bad PID '%s'" % pid)
    return ConfigOptions(options.host, pid, [_setting(kv) for kv in sets])


@dataclass
class RouterOptions:
    """kill-router hN, start-router hN [--timeout S]"""

    host: str
    timeout: Optional[int] = None


def _the_host(words, command):
    """kill-router's or start-router's one argument, the host, as written ('' if none)."""
    host = ""
    for word in words:
        if word.startswith("-") or host:
            raise LabError("lab %s: unknown argument '%s'" % (command, word))
        host = word
    return host


def parse_router(args, command, env=None):
    parser = _Parser("lab " + command)
    parser.set_defaults(timeout=None)
    if command == "start-router":
        # checked where it stands, as the launcher always did: '--timeout 0 --timeout 5' is an error
        parser.add_value("--timeout", "seconds", check=_seconds)
    options, host = parser.read(args, lambda words: _the_host(words, command))
    if not host:
        raise LabError("lab %s: which host? (e.g. h2)" % command)
    if not HOST_NAME.fullmatch(host):
        raise LabError("lab %s: bad host '%s' (hN)" % (command, host))
    timeout = options.timeout
    if command == "start-router" and timeout is None:
        timeout = _seconds((env or {}).get("FREEFLOW_LAB_TIMEOUT", str(DEFAULT_UP_TIMEOUT)))
    return RouterOptions(host, timeout)


@dataclass
class LinkOptions:
    host: str
    state: str
    for_ms: int = 0  # down --for MS: up again after MS milliseconds, in the same command


def _milliseconds(text):
    """--for of lab link: a whole number of milliseconds, at least 1."""
    if not (is_uint(text) and int(text) >= 1):
        raise LabError("--for must be a number of milliseconds")
    return int(text)


def _host_and_state(words):
    """link's arguments: (the host, '' if none; down or up, '' if none)."""
    host, state = "", ""
    for word in words:
        if word in ("down", "up") and not state:
            state = word
        elif word.startswith("-") or host or word in ("down", "up"):
            raise LabError("lab link: unknown argument '%s'" % word)
        else:
            host = word
    return host, state


def parse_link(args):
    parser = _Parser("lab link")
    parser.set_defaults(for_ms=0)
    parser.add_value("--for", "milliseconds", dest="for_ms", check=_milliseconds)
    options, (host, state) = parser.read(args, _host_and_state)
    if not host:
        raise LabError("lab link: which host? (e.g. h2)")
    if not HOST_NAME.fullmatch(host):
        raise LabError("lab link: bad host '%s' (hN)" % host)
    if not state:
        raise LabError("lab link: down or up?")
    if options.for_ms and state != "down":
        raise LabError("lab link: --for goes with down (up again after that many milliseconds)")
    return LinkOptions(host, state, options.for_ms)


def parse_nothing(args, command):
    _no_arguments(args, command)
