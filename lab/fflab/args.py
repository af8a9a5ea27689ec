"""The lab's command lines, parsed as the launcher always has: options as '--opt VALUE' or
'--opt=VALUE', '--lab NAME' anywhere before '--'. Each parse_* returns the options of one
subcommand or raises LabError with the message the launcher prints."""

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


class ArgReader:
    """The arguments of one subcommand, read from the front."""

    def __init__(self, args):
        self.args = list(args)

    def __bool__(self):
        return bool(self.args)

    def peek(self):
        return self.args[0]

    def pop(self):
        return self.args.pop(0)

    def rest(self):
        rest, self.args = self.args, []
        return rest

    def option(self, name, needs):
        """The value of option NAME at the front ('NAME VALUE' or 'NAME=VALUE'), taken
        off; None if the front is another argument. NEEDS says what a value is."""
        first = self.args[0]
        if first == name:
            if len(self.args) < 2 or self.args[1] == "":
                raise LabError("%s needs %s" % (name, needs))
            value = self.args[1]
            del self.args[:2]
            return value
        if first.startswith(name + "="):
            self.args.pop(0)
            return first[len(name) + 1:]
        return None


def valid_container_name(name):
    return bool(CONTAINER_NAME.fullmatch(name or ""))


def split_lab_option(argv, default_lab):
    """(lab name, the other arguments): '--lab NAME' may stand anywhere before '--'."""
    reader = ArgReader(argv)
    lab = default_lab
    rest = []
    while reader:
        if reader.peek() == "--":
            rest += reader.rest()
            break
        value = reader.option("--lab", "a name")
        if value is not None:
            lab = value
        else:
            rest.append(reader.pop())
    if not LAB_NAME.fullmatch(lab):
        raise LabError("bad lab name '%s': a lower-case letter, then up to 7 letters or digits" % lab)
    return lab, rest


def _no_arguments(args, command):
    if args:
        raise LabError("lab %s: unknown argument '%s'" % (command, args[0]))


def _timeout(text, message):
    if not is_uint(text):
        raise LabError(message)
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
    reader = ArgReader(args)
    hosts = "1"
    subnet = env.get("FREEFLOW_LAB_SUBNET", "")
    timeout = env.get("FREEFLOW_LAB_TIMEOUT", str(DEFAULT_UP_TIMEOUT))
    configs = []
    while reader:
        for name, needs in (("--hosts", "a number"), ("--subnet", "a CIDR"), ("--timeout", "seconds"),
                            ("--config", "PID:KEY=VALUE")):
            value = reader.option(name, needs)
            if value is None:
                continue
            if name == "--hosts":
                hosts = value
            elif name == "--subnet":
                subnet = value
            elif name == "--timeout":
                timeout = value
            else:
                configs.append(value)
            break
        else:
            raise LabError("lab up: unknown argument '%s'" % reader.peek())
    if not (is_uint(hosts) and 1 <= int(hosts) <= MAX_HOSTS):
        raise LabError("--hosts must be 1..%d" % MAX_HOSTS)
    if not (is_uint(timeout) and int(timeout) >= 1):
        raise LabError("--timeout must be a number of seconds")
    return UpOptions(int(hosts), subnet, int(timeout), [ConfigItem.parse(c) for c in configs])


@dataclass
class RunOptions:
    host: str
    name: str
    tenant: str
    command: List[str]


def parse_run(args):
    reader = ArgReader(args)
    host, name, tenant = "h1", "", ""
    while reader:
        first = reader.peek()
        if first == "--":
            reader.pop()
            break
        value = reader.option("--host", "a name")
        if value is not None:
            host = value
            continue
        value = reader.option("--name", "a name")
        if value is not None:
            name = value
            continue
        value = reader.option("--tenant", "a name")
        if value is not None:
            tenant = value
            continue
        if first.startswith("-"):
            raise LabError("lab run: unknown option '%s'" % first)
        break
    command = reader.rest()
    if not command:
        raise LabError("lab run: no command (./freeflow lab run --name NAME -- CMD ...)")
    if not name:
        raise LabError("lab run: --name is required")
    if not valid_container_name(name):
        raise LabError("bad container name '%s' (lower-case letters, digits and '-', at most 32)" % name)
    if tenant and not TENANT_NAME.fullmatch(tenant):
        raise LabError("bad tenant name '%s'" % tenant)
    return RunOptions(host, name, tenant, command)


@dataclass
class ExecOptions:
    name: str
    command: List[str]


def parse_exec(args):
    reader = ArgReader(args)
    name = ""
    while reader:
        first = reader.peek()
        if first == "--":
            reader.pop()
            break
        value = reader.option("--name", "a name")
        if value is not None:
            name = value
            continue
        if first.startswith("-"):
            raise LabError("lab exec: unknown option '%s'" % first)
        break
    command = reader.rest()
    if not command:
        raise LabError("lab exec: no command")
    if not name:
        raise LabError("lab exec: --name is required")
    return ExecOptions(name, command)


@dataclass
class WaitPortOptions:
    name: str
    port: int
    timeout: int = 30


def parse_wait_port(args):
    reader = ArgReader(args)
    name, port, timeout = "", "", "30"
    while reader:
        value = reader.option("--name", "a name")
        if value is not None:
            name = value
            continue
        value = reader.option("--timeout", "seconds")
        if value is not None:
            timeout = value
            continue
        first = reader.pop()
        if first.startswith("-"):
            raise LabError("lab wait-port: unknown option '%s'" % first)
        if port:
            raise LabError("lab wait-port: one port only")
        port = first
    if not name:
        raise LabError("lab wait-port: --name is required")
    if not valid_container_name(name):
        raise LabError("bad container name '%s'" % name)
    if not (is_uint(port) and 1 <= int(port) <= 65535):
        raise LabError("lab wait-port: bad port '%s'" % port)
    return WaitPortOptions(name, int(port), _timeout(timeout, "lab wait-port: bad timeout '%s'" % timeout))


@dataclass
class PortOptions:
    name: str
    state: str


def parse_port(args):
    reader = ArgReader(args)
    name, state = "", ""
    while reader:
        value = reader.option("--name", "a name")
        if value is not None:
            name = value
            continue
        first = reader.pop()
        if first not in ("down", "up"):
            raise LabError("lab port: unknown argument '%s'" % first)
        if state:
            raise LabError("lab port: down or up, once")
        state = first
    if not name:
        raise LabError("lab port: --name is required")
    if not state:
        raise LabError("lab port: down or up?")
    return PortOptions(name, state)


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
    reader = ArgReader(args)
    host, lines = "h1", "50"
    while reader:
        value = reader.option("--host", "a name")
        if value is not None:
            host = value
            continue
        value = reader.option("--lines", "a number")
        if value is None:
            value = reader.option("-n", "a number")
        if value is not None:
            lines = value
            continue
        raise LabError("lab logs: unknown argument '%s'" % reader.peek())
    if not is_uint(lines):
        raise LabError("lab logs: bad --lines '%s'" % lines)
    return LogsOptions(host, int(lines))


@dataclass
class ConfigOptions:
    host: str
    pid: str
    settings: List[tuple]


def parse_config(args):
    reader = ArgReader(args)
    host, pid, sets = "h1", "", []
    while reader:
        value = reader.option("--host", "a name")
        if value is not None:
            host = value
            continue
        first = reader.pop()
        if first.startswith("-"):
            raise LabError("lab config: unknown option '%s'" % first)
        if not pid:
            pid = first
        else:
            sets.append(first)
    if not pid:
        raise LabError("lab config: which PID? (e.g. org.freeflow.fastpath)")
    if not PID_NAME.fullmatch(pid):
        raise LabError("lab config: bad PID '%s'" % pid)
    settings = []
    for kv in sets:
        key, eq, value = kv.partition("=")
        if not eq or not PID_NAME.fullmatch(key):
            raise LabError("lab config: want KEY=VALUE, not '%s'" % kv)
        if "\n" in kv:
            raise LabError("lab config: a value is one line")
        settings.append((key, value))
    return ConfigOptions(host, pid, settings)


@dataclass
class RouterOptions:
    """kill-router hN, start-router hN [--timeout S]"""

    host: str
    timeout: Optional[int] = None


def parse_router(args, command, env=None):
    reader = ArgReader(args)
    host = ""
    timeout = None
    while reader:
        if command == "start-router":
            value = reader.option("--timeout", "seconds")
            if value is not None:
                if not (is_uint(value) and int(value) >= 1):
                    raise LabError("--timeout must be a number of seconds")
                timeout = int(value)
                continue
        first = reader.pop()
        if first.startswith("-") or host:
            raise LabError("lab %s: unknown argument '%s'" % (command, first))
        host = first
    if not host:
        raise LabError("lab %s: which host? (e.g. h2)" % command)
    if not HOST_NAME.fullmatch(host):
        raise LabError("lab %s: bad host '%s' (hN)" % (command, host))
    if command == "start-router" and timeout is None:
        default = (env or {}).get("FREEFLOW_LAB_TIMEOUT", str(DEFAULT_UP_TIMEOUT))
        if not (is_uint(default) and int(default) >= 1):
            raise LabError("--timeout must be a number of seconds")
        timeout = int(default)
    return RouterOptions(host, timeout)


def parse_nothing(args, command):
    _no_arguments(args, command)
