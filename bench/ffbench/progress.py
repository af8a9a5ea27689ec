"""The progress line: step i of n, time spent and the estimate of the whole run."""

import sys
import time


def clock(seconds):
    seconds = int(round(seconds))
    return "%d:%02d" % (seconds // 60, seconds % 60)


class Progress:
    def __init__(self, estimates, stream=sys.stderr):
        self.estimates = list(estimates)
        self.stream = stream
        self.tty = stream.isatty()
        self.t0 = time.monotonic()
        self.index = 0
        self._width = 0

    def elapsed(self):
        return time.monotonic() - self.t0

    def _line(self, text, final):
        if self.tty:
            pad = max(0, self._width - len(text))
            self.stream.write("\r" + text + " " * pad + ("\n" if final else ""))
            self._width = 0 if final else len(text)
        elif final:
            self.stream.write(text + "\n")
        self.stream.flush()

    def step(self, label):
        """A step starts: '[ 7/41 0:42 of ~2:31] label'."""
        self.index += 1
        remaining = sum(self.estimates[self.index - 1:])
        total = self.elapsed() + remaining
        self._current = "[%2d/%d %s of ~%s] %s" % (self.index, len(self.estimates), clock(self.elapsed()),
                                                   clock(total), label)
        self._line(self._current + " ...", False)

    def done(self, summary):
        self._line("%s: %s" % (self._current, summary), True)

    def message(self, text):
        if self.tty and self._width:
            self._line("", True)
        self.stream.write(text + "\n")
        self.stream.flush()
