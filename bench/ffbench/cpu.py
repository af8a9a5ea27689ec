"""CPU per process from /proc/<pid>/stat (utime + stime, all threads), and per thread
class of the router's JVM from /proc/<pid>/task/<tid>/stat. Percent of one core."""

import os
import time

TICK = os.sysconf("SC_CLK_TCK")

# thread classes of the router's JVM, by the thread's comm (Linux keeps 15 characters)
THREAD_CLASSES = (
    ("poller", ("freeflow-poller",)),
    ("jit", ("C1 CompilerThre", "C2 CompilerThre")),
    ("gc", ("GC Thread", "G1 ")),
)


def _ticks(stat_path):
    with open(stat_path) as f:
        fields = f.read().rsplit(")", 1)[1].split()
    # fields[0] is field 3 (state): utime and stime are fields 14 and 15
    return int(fields[11]) + int(fields[12])


def process_ticks(pid):
    try:
        return _ticks("/proc/%d/stat" % pid)
    except (OSError, IndexError, ValueError):
        return None


def comm(pid):
    try:
        with open("/proc/%d/comm" % pid) as f:
            return f.read().strip()
    except OSError:
        return None


def thread_class(name):
    for cls, prefixes in THREAD_CLASSES:
        if any(name.startswith(p) for p in prefixes):
            return cls
    return "other"


def thread_ticks(pid):
    """Ticks per thread class of PID: {class: ticks}, threads that ended are not counted."""
    out = {}
    try:
        tids = os.listdir("/proc/%d/task" % pid)
    except OSError:
        return out
    for tid in tids:
        base = "/proc/%d/task/%s" % (pid, tid)
        try:
            with open(base + "/comm") as f:
                name = f.read().strip()
            t = _ticks(base + "/stat")
        except (OSError, IndexError, ValueError):
            continue
        cls = thread_class(name)
        out[cls] = out.get(cls, 0) + t
    return out


class Window:
    """CPU of named process groups between start() and stop(), in % of one core.

    groups: {label: [pid, ...]}; threads: pid whose threads are split into classes.
    """

    def __init__(self, groups, threads=None):
        self.groups = groups
        self.threads = threads
        self._t0 = None
        self._a = None
        self._ta = None

    def _snap(self):
        snap = {}
        for label, pids in self.groups.items():
            vals = [process_ticks(p) for p in pids]
            snap[label] = None if any(v is None for v in vals) else sum(vals)
        return snap

    def start(self):
        self._t0 = time.monotonic()
        self._a = self._snap()
        self._ta = thread_ticks(self.threads) if self.threads else {}

    def stop(self):
        b = self._snap()
        tb = thread_ticks(self.threads) if self.threads else {}
        wall = time.monotonic() - self._t0
        pct = {}
        for label in self.groups:
            if self._a[label] is None or b[label] is None:
                pct[label] = None  # a process ended inside the window
            else:
                pct[label] = 100.0 * (b[label] - self._a[label]) / TICK / wall
        split = {cls: 100.0 * (tb.get(cls, 0) - self._ta.get(cls, 0)) / TICK / wall for cls in tb}
        return pct, split, wall
