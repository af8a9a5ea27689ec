"""What every step needs: the lab, the plan, the results, and a server-client pair of
programs in the two containers c1 (client, sender) and c2 (server, receiver)."""

import itertools

from .lab import finish, read, stop

CLIENT, SERVER = "c1", "c2"


class StepError(RuntimeError):
    pass


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
            raise StepError("%s: client exit %s, server exit %s\n--- client (%s) ---\n%s\n--- server (%s) ---\n%s"
                            % (label, rc, src, cli_log, tail(out), srv_log, tail(sout)))
        return out, sout

    def perftest(self, tool, args, label, timeout, client_wait=None):
        port = next(self._ports)
        argv = [tool, "-p", str(port)] + [str(a) for a in args]
        out, _ = self.pair(label, argv, argv + [SERVER], port, timeout, client_wait=client_wait)
        return out
