"""The run's loop over the suite's steps: the progress line, failed steps and retried ones.

A step that fails is recorded (meta row 'failure') and the run goes on. A step in which
perftest had to be run again because its own clock calibration failed (Runner.perftest)
is recorded too (meta row 'retry'): its figures are those of the run that completed.
"""


def times(n):
    return "once" if n == 1 else "%d times" % n


def retried_text(n):
    """'1 step retried after perftest's clock calibration failed' (n steps: 'n steps')."""
    return "%d step%s retried after perftest's clock calibration failed" % (n, "" if n == 1 else "s")


class Steps:
    def __init__(self, runner, results, progress):
        self.runner = runner
        self.r = results
        self.progress = progress
        self.failures = 0
        self.retried = 0  # steps with at least one perftest run repeated
        runner.on_retry = progress.message

    def run(self, steps):
        """Runs the (label, estimate, function) steps in order; the first two (the lab and
        its containers) end the run if they fail: nothing else can run without them."""
        for i, (label, _, fn) in enumerate(steps):
            self.progress.step(label)
            before = len(self.runner.retries)
            try:
                summary, error = fn(), None
            except Exception as e:  # a failed step is reported, the run goes on
                summary, error = None, e
            retries = self.runner.retries[before:]
            if retries:
                self.retried += 1
                runs = {}
                for run, reason in retries:
                    runs.setdefault(run, []).append(reason)
                self.r.add("meta", "run", "retry", "", "", note="%s: %s" % (label, "; ".join(
                    "%s run again %s after perftest's clock calibration failed (%s)"
                    % (run, times(len(reasons)), ", ".join(reasons)) for run, reasons in runs.items())))
            if error is None:
                note = " (retried %s after perftest's clock calibration failed)" % times(len(retries)) \
                    if retries else ""
                self.progress.done("%s%s" % (summary, note))
                continue
            self.failures += 1
            first = str(error).splitlines()[0] if str(error) else type(error).__name__
            self.progress.done("FAILED: " + first)
            self.r.add("meta", "run", "failure", "", "", note="%s: %s" % (label, " | ".join(str(error).splitlines())))
            if i < 2:
                break
