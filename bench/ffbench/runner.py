"""What every step needs: the lab, the plan, the results, and a server-client pair of
programs in the two containers c1 (client, sender) and c2 (server, receiver)."""

import itertools
import re

from .lab import finish, read, stop

CLIENT, SERVER = "c1", "c2"

# How often a perftest run is repeated after perftest gave up on its own clock calibration
CALIBRATION_RETRIES = 3

# perftest times with the CPU's cycle counter and, before its report, measures the counter's
# frequency against gettimeofday over a few hundred short busy waits (get_clock.c). When
# other work preempts those waits, the fit is poor and perftest ends with exit status 1:
#     Correlation coefficient r^2: 0.409 < 0.9
#     Can't produce a report
# That says nothing about FreeFlow; the same run again usually calibrates.
_R2_LINE = re.compile(r"Correlation coefficient r\^2: (\S+) < 0\.9")
_NO_REPORT = "Can't produce a report"


class StepError(RuntimeError):
    pass


class CalibrationError(StepError):
    """A perftest run that perftest aborted because its CPU-clock calibration failed."""

    def __init__(self, message, reason):
        super().__init__(message)
        self.reason = reason


def calibration_failure(*outputs):
    """'r^2 0.409 < 0.9' if one of OUTPUTS is perftest giving up on its clock calibration
    (the r^2 line and "Can't produce a report", from the same program), else None."""
    for out in outputs:
        m = _R2_LINE.search(out or "")
        if m and _NO_REPORT in out:
            return "r^2 %s < 0.9" % m.group(1)
    return None


def human_size(n):
    for unit, div in (("MiB", 1 << 20), ("KiB", 1 << 10)):
        if n >= div and n % div == 0:
            return "%d %s" % (n // div, unit)
    return "%d B" % n


def tail(text, lines=25):
    return "\n".join(text.rstrip().splitlines()[-lines:])


class Runner:
    def __init__(self, lab, plan, results, helpers):
        self.lab = lab
        self.plan = plan
        self.r = results
        self.helpers = helpers  # {"memcpy_bw": path, "ff_idle_qp": path}
        self._ports = itertools.cycle(range(18515, 18535))
        self.server_ip = None
        self.mode = None
        self.retries = []      # [(perftest label, reason)]: runs repeated after a calibration failure
        self.on_retry = None   # called with a line of text at each retry (the progress output)

    @staticmethod
    def _bind(fn, *args):
        """A step's function: FN(*ARGS) when the step runs."""
        return lambda: fn(*args)

    def pair(self, label, server_argv, client_argv, port, timeout, env=None, client_wait=None):
        """Server in c2, client in c1; waits for both. Returns (client output, server output)."""
        srv, srv_log = self.lab.start(SERVER, server_argv, label + "-srv", env=env)
        try:
            self.lab.wait_port(SERVER, port, 30)
            cli, cli_log = self.lab.start(CLIENT, client_argv, label + "-cli", env=env)
            if client_wait:
                client_wait(cli)
            rc = finish(cli, timeout)
            src = finish(srv, 10)
        finally:
            stop(srv)
        out, sout = read(cli_log), read(srv_log)
        if rc != 0 or src not in (0, None):
            message = ("%s: client exit %s, server exit %s\n--- client (%s) ---\n%s\n--- server (%s) ---\n%s"
                       % (label, rc, src, cli_log, tail(out), srv_log, tail(sout)))
            reason = calibration_failure(out, sout)
            raise CalibrationError(message, reason) if reason else StepError(message)
        return out, sout

    def perftest(self, tool, args, label, timeout, client_wait=None):
        """TOOL in c2 (server) and c1 (client); the client's output. A run that perftest
        aborts because its clock calibration failed is run again, up to CALIBRATION_RETRIES
        times (each retry in self.retries); any other failure is the step's."""
        for attempt in range(CALIBRATION_RETRIES + 1):
            port = next(self._ports)
            argv = [tool, "-p", str(port)] + [str(a) for a in args]
            run_label = label if attempt == 0 else "%s-retry%d" % (label, attempt)
            try:
                out, _ = self.pair(run_label, argv, argv + [SERVER], port, timeout, client_wait=client_wait)
                return out
            except CalibrationError as e:
                if attempt == CALIBRATION_RETRIES:
                    raise StepError("%s: perftest's clock calibration failed %d times in a row (last: %s)\n%s"
                                    % (label, attempt + 1, e.reason, e)) from e
                self.retries.append((label, e.reason))
                if self.on_retry:
                    self.on_retry("  %s: perftest's clock calibration failed (%s); running it again (retry %d of %d)"
                                  % (label, e.reason, attempt + 1, CALIBRATION_RETRIES))
        raise AssertionError("not reached")
