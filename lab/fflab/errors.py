"""Messages on standard error, as the launcher has always printed them, and LabError."""

import sys

PROG = "freeflow"


class LabError(Exception):
    """A failure to report as 'freeflow: error: MESSAGE' and exit with CODE (None: the
    command's own launcher code, 1 or 125)."""

    def __init__(self, message, code=None):
        super().__init__(message)
        self.message = message
        self.code = code


def info(message):
    print("%s: %s" % (PROG, message), file=sys.stderr, flush=True)


def warn(message):
    print("%s: warning: %s" % (PROG, message), file=sys.stderr, flush=True)


def error(message):
    print("%s: error: %s" % (PROG, message), file=sys.stderr, flush=True)
