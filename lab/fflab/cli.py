"""./freeflow lab ARGS: the session of one command and the dispatch to it."""

import os
import shutil
import signal
import sys

from fflab import args as cli_args
from fflab import lifecycle, report, run
from fflab.errors import PROG, LabError, error, warn
from fflab.state import DEFAULT_STATE_ROOT, LabLayout, LabLock, StateStore
from fflab.usage import LAB_USAGE

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
EXIT_LAUNCHER = 125  # lab run/exec: a launcher error, told apart from the program's status


class Session:
    """One lab command: the lab's names, lock and state, and the environment's defaults."""

    def __init__(self, lab, env):
        self.lab = lab
        self.env = env
        self.layout = LabLayout(env.get("FREEFLOW_LAB_STATE") or DEFAULT_STATE_ROOT, lab)
        self.lock = LabLock(self.layout.lock_file)
        self.store = StateStore(self.layout, self.lock)

    warn = staticmethod(warn)

    def assembly(self):
        return self.env.get("FREEFLOW_ASSEMBLY") or os.path.join(REPO, "assembly", "target", "assembly")

    def ffctl_default(self):
        return self.env.get("FREEFLOW_FFCTL") or os.path.join(REPO, "native", "target", "bin", "ffctl")

    def lib_default(self):
        return self.env.get("FREEFLOW_LIB") or os.path.join(REPO, "native", "target", "lib")

    @staticmethod
    def need_root():
        if os.geteuid() != 0:
            raise LabError("lab mode needs root (network namespaces, veth, bridges)")

    @staticmethod
    def need_commands(*names):
        for name in names:
            if shutil.which(name) is None:
                raise LabError("'%s' is not installed (scripts/install-deps.sh installs it)" % name)

    def require_lab(self):
        """The state of a lab that is up, or LabError."""
        state = self.store.load()
        if state is None:
            raise LabError("lab '%s' is not up (./%s lab --lab %s up)" % (self.lab, PROG, self.lab))
        if state.state != lifecycle.STATE_UP:
            raise LabError("lab '%s' is not ready (state: %s); ./%s lab --lab %s down"
                           % (self.lab, state.state, PROG, self.lab))
        return state


class Terminated(Exception):
    """SIGTERM outside lab run: unwinds, so that what a command made is cleaned up."""


def _raise_terminated(_signum, _frame):
    raise Terminated()


def dispatch(session, sub, rest):
    env = session.env
    if sub == "up":
        return lifecycle.LabUp(session, cli_args.parse_up(rest, env)).run()
    if sub == "down":
        cli_args.parse_nothing(rest, "down")
        return lifecycle.lab_down(session)
    if sub == "run":
        return run.lab_run(session, cli_args.parse_run(rest))
    if sub == "exec":
        return run.lab_exec(session, cli_args.parse_exec(rest))
    if sub == "wait-port":
        return run.lab_wait_port(session, cli_args.parse_wait_port(rest))
    if sub == "port":
        return run.lab_port(session, cli_args.parse_port(rest))
    if sub == "link":
        return lifecycle.set_link(session, cli_args.parse_link(rest))
    if sub == "kill-router":
        return lifecycle.kill_router(session, cli_args.parse_router(rest, sub))
    if sub == "start-router":
        return lifecycle.start_router(session, cli_args.parse_router(rest, sub, env))
    if sub == "status":
        cli_args.parse_nothing(rest, "status")
        return report.lab_status(session)
    if sub == "inspect":
        return report.lab_inspect(session, cli_args.parse_inspect(rest))
    if sub == "logs":
        return report.lab_logs(session, cli_args.parse_logs(rest))
    if sub == "config":
        return report.lab_config(session, cli_args.parse_config(rest))
    if sub in ("help", "--help", "-h"):
        sys.stdout.write(LAB_USAGE)
        return 0
    raise LabError("unknown lab command '%s' (./%s --help)" % (sub, PROG))


def main(argv, env=None):
    env = os.environ if env is None else env
    sub = None
    try:
        lab, rest = cli_args.split_lab_option(argv, env.get("FREEFLOW_LAB") or "ff")
        if not rest:
            sys.stdout.write(LAB_USAGE)
            return 2
        sub, rest = rest[0], rest[1:]
        if sub != "run":
            signal.signal(signal.SIGTERM, _raise_terminated)
        return dispatch(Session(lab, env), sub, rest)
    except LabError as e:
        error(e.message)
        if e.code is not None:
            return e.code
        return EXIT_LAUNCHER if sub in ("run", "exec") else 1
    except KeyboardInterrupt:
        return 128 + signal.SIGINT
    except Terminated:
        return 128 + signal.SIGTERM
    except BrokenPipeError:
        return 141
