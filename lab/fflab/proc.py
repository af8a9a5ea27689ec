"""Processes: is one there, wait for its end, signal a process group."""

import os
import signal
import time


def reap(pid_or_group):
    """Collects the exit status of our children that ended (a PID, or -PGID for a group):
    a zombie still answers kill -0, and one of ours stays one until we wait for it."""
    while True:
        try:
            pid, _ = os.waitpid(pid_or_group, os.WNOHANG)
        except ChildProcessError:
            return
        if pid == 0:
            return


def pid_alive(pid):
    """kill -0 PID (a child of ours that ended is not alive)"""
    if not pid:
        return False
    reap(pid)
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def group_alive(pgid):
    """kill -0 -PGID (children of ours that ended are not alive)"""
    if not _is_group(pgid):
        return False
    reap(-pgid)
    try:
        os.killpg(pgid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _is_group(pgid):
    return isinstance(pgid, int) and pgid > 1


def running(pid):
    """PID exists and is not a zombie."""
    try:
        with open("/proc/%d/stat" % pid) as f:
            stat = f.read()
    except OSError:
        return False
    return stat.rpartition(") ")[2][:1] != "Z"


def signal_group(pgid, sig):
    if not _is_group(pgid):
        return
    try:
        os.killpg(pgid, sig)
    except (ProcessLookupError, PermissionError):
        pass


def signal_pids(pids, sig):
    for pid in pids:
        try:
            os.kill(pid, sig)
        except (ProcessLookupError, PermissionError):
            pass


def wait_until(condition, timeout, interval=0.2):
    """True once CONDITION() holds, False if TIMEOUT seconds passed first."""
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() >= deadline:
            return False
        time.sleep(interval)
    return True


def wait_group_gone(pgid, timeout):
    return wait_until(lambda: not group_alive(pgid), timeout)


def exit_status(returncode):
    """A Popen return code as a shell reports it: 128+N for a death by signal N."""
    return 128 - returncode if returncode < 0 else returncode


TERMINATING_SIGNALS = (signal.SIGINT, signal.SIGTERM)
