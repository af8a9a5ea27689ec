"""The bench's own lab, driven through ``./freeflow lab --lab NAME ...`` as a person would.

Two long-lived containers (a ``sleep`` each) hold the network namespaces, so that every
test, FreeFlow or baseline, runs between the same two containers with ``lab exec``.
``lab exec`` ends in exec(2) of the program, so a Popen's pid is the program's pid.
"""

import json
import os
import re
import subprocess
import time


class LabError(RuntimeError):
    pass


class Lab:
    def __init__(self, repo, name, log_dir):
        self.repo = repo
        self.name = name
        self.log_dir = log_dir
        self._holders = {}
        self._seq = 0

    # ------------------------------------------------------------------ commands

    def command(self, *args):
        return [os.path.join(self.repo, "freeflow"), "lab", "--lab", self.name, *args]

    def admin(self, *args, timeout=60, check=True):
        """Runs ``./freeflow lab ARGS`` to its end; returns its output."""
        r = subprocess.run(self.command(*args), stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                           stdin=subprocess.DEVNULL, timeout=timeout, text=True)
        if check and r.returncode != 0:
            raise LabError("./freeflow lab %s failed (exit %d):\n%s" % (" ".join(args), r.returncode, r.stdout))
        return r.stdout

    def log_path(self, label):
        self._seq += 1
        return os.path.join(self.log_dir, "%03d-%s.log" % (self._seq, label))

    # ------------------------------------------------------------------ lifetime

    def up(self, timeout=240, hosts=1):
        self.admin("down", timeout=120, check=False)  # what a killed run left
        self.admin("up", "--hosts", str(hosts), "--timeout", str(timeout), timeout=timeout + 60)

    def down(self):
        for name in list(self._holders):
            self.stop_container(name)
        return self.admin("down", timeout=180, check=False)

    def start_container(self, name, timeout=60, host="h1"):
        """A container on HOST that lives until stop_container: ``lab run --name NAME -- sleep``."""
        log = open(self.log_path("container-" + name), "w")
        p = subprocess.Popen(self.command("run", "--host", host, "--name", name, "--", "sleep", "infinity"),
                             stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL)
        log.close()
        self._holders[name] = p
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if p.poll() is not None:
                raise LabError("container %s ended at once (exit %s)" % (name, p.returncode))
            facts = self.inspect(name, check=False)
            if facts.get("alive") is True:
                return facts
            time.sleep(0.2)
        raise LabError("container %s did not start within %d s" % (name, timeout))

    def stop_container(self, name):
        p = self._holders.pop(name, None)
        if p is None or p.poll() is not None:
            return
        p.terminate()  # lab run ends the program, detaches and removes the container
        try:
            p.wait(30)
        except subprocess.TimeoutExpired:
            p.kill()
            p.wait(10)

    # ------------------------------------------------------------------ facts

    def inspect(self, name, check=True):
        """``lab inspect --json NAME``: the facts of host hN or container NAME, typed as the
        launcher prints them (numbers, true/false, None); {} when it fails and not CHECK."""
        r = subprocess.run(self.command("inspect", "--json", name), stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                           stdin=subprocess.DEVNULL, timeout=30, text=True)
        if r.returncode != 0:
            if check:
                raise LabError("./freeflow lab inspect --json %s failed (exit %d):\n%s%s"
                               % (name, r.returncode, r.stdout, r.stderr))
            return {}
        try:
            facts = json.loads(r.stdout)
        except ValueError as e:
            raise LabError("./freeflow lab inspect --json %s printed no JSON (%s):\n%s" % (name, e, r.stdout))
        if not isinstance(facts, dict):
            raise LabError("./freeflow lab inspect --json %s printed no JSON object:\n%s" % (name, r.stdout))
        return facts

    def host_namespace(self, host="h1"):
        return self.inspect(host)["namespace"]

    def router_pids(self, host="h1"):
        """Every process in the host's namespace: the router (bin/karaf and its JVM)."""
        out = subprocess.run(["ip", "netns", "pids", self.host_namespace(host)], stdout=subprocess.PIPE,
                             text=True, timeout=10).stdout
        return [int(p) for p in out.split()]

    def karaf_log(self, host="h1"):
        return self.inspect(host)["karaf_log"]

    # ------------------------------------------------------------------ programs

    def start(self, container, argv, label, env=None):
        """Starts ARGV in CONTAINER (``lab exec``); output to a log file. Returns (Popen, log)."""
        log = self.log_path(label)
        cmd = self.command("exec", "--name", container, "--")
        if env:
            cmd += ["env"] + ["%s=%s" % kv for kv in sorted(env.items())]
        cmd += list(argv)
        with open(log, "w") as f:
            f.write("# %s\n" % " ".join(argv))
            f.flush()
            p = subprocess.Popen(cmd, stdout=f, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL)
        return p, log

    def run_in_new(self, host, container, argv, label):
        """ARGV in a new container on HOST (``lab run``: attached, and detached when ARGV
        ends); output to a log file. Returns (Popen, log)."""
        log = self.log_path(label)
        with open(log, "w") as f:
            f.write("# %s\n" % " ".join(argv))
            f.flush()
            p = subprocess.Popen(self.command("run", "--host", host, "--name", container, "--", *argv), stdout=f,
                                 stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL)
        return p, log

    def wait_port(self, container, port, timeout=30):
        self.admin("wait-port", "--name", container, str(port), "--timeout", str(timeout), timeout=timeout + 15)

    def get_config(self, pid, host="h1"):
        """The host's router configuration etc/PID.cfg (``lab config``) as {key: value}."""
        facts = {}
        for line in self.admin("config", "--host", host, pid, timeout=30).splitlines():
            k, sep, v = line.partition("=")
            if sep and not line.lstrip().startswith("#"):
                facts[k.strip()] = v.strip()
        return facts

    def set_config(self, pid, key, value, host="h1"):
        """``lab config`` of the host's router; Karaf applies the file's change live."""
        self.admin("config", "--host", host, pid, "%s=%s" % (key, value), timeout=30)

    def wait_log(self, path, offset, pattern, timeout):
        """Waits until the log, past OFFSET, has a line matching PATTERN; returns it or None."""
        rx = re.compile(pattern, re.IGNORECASE)
        deadline = time.monotonic() + timeout
        while True:
            try:
                with open(path, errors="replace") as f:
                    f.seek(offset)
                    for line in f.read().splitlines():
                        if rx.search(line):
                            return line
            except OSError:
                pass
            if time.monotonic() >= deadline:
                return None
            time.sleep(0.2)


def stop(p, grace=10):
    """TERM, then KILL: for programs the bench started (by their pid only)."""
    if p.poll() is not None:
        return p.returncode
    p.terminate()
    try:
        return p.wait(grace)
    except subprocess.TimeoutExpired:
        p.kill()
        return p.wait(10)


def finish(p, timeout):
    """Waits for P's end; a program still running after TIMEOUT is stopped (rc None)."""
    try:
        return p.wait(timeout)
    except subprocess.TimeoutExpired:
        stop(p)
        return None


def read(log):
    with open(log, errors="replace") as f:
        return f.read()
