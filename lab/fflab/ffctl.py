"""ffctl, the routers' admin client (native/target/bin/ffctl, or a stand-in)."""

import subprocess
from dataclasses import dataclass

EX_TEMPFAIL = 75  # the router asks to try again later (its orchestrator is not ready)
TIMED_OUT = 124  # as timeout(1) reports it


@dataclass
class Reply:
    code: int
    output: str  # standard output and error, without the last newline

    @property
    def ok(self):
        return self.code == 0

    def facts(self):
        """The reply's key=value lines as a dict (the first of each key)."""
        return parse_key_values(self.output)


def parse_key_values(text):
    facts = {}
    for line in text.split("\n"):
        key, eq, value = line.partition("=")
        if eq and key not in facts:
            facts[key] = value
    return facts


class Ffctl:
    def __init__(self, binary):
        self.binary = binary

    def call(self, socket, *args, timeout):
        argv = [self.binary, "--socket", socket] + list(args)
        try:
            r = subprocess.run(argv, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                               timeout=timeout)
        except subprocess.TimeoutExpired as e:
            out = (e.output or b"").decode(errors="replace").rstrip("\n")
            return Reply(TIMED_OUT, (out + "\n" if out else "") + "ffctl timed out after %d s" % timeout)
        except OSError as e:
            return Reply(126, "%s: %s" % (self.binary, e.strerror))
        return Reply(r.returncode, r.stdout.decode(errors="replace").rstrip("\n"))

    def ping(self, socket):
        return self.call(socket, "ping", timeout=5).ok

    def cluster(self, socket):
        """'ffctl cluster': key=value lines; exit 75 while the orchestrator is not ready."""
        return self.call(socket, "cluster", timeout=5)
