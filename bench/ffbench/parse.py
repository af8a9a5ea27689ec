"""Parsers of what the measuring programs print. Each raises ValueError on output it
cannot read, so that a broken run shows as a failed step, never as a made-up number."""

import json
import math
import re

_NUM = r"[-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?"
_NUM_OR_NAN = r"(?:%s|[-+]?nan|[-+]?inf)" % _NUM  # perftest prints -nan for a stdev it overflowed


def _perftest_bw_row(text, unit, hint):
    """The last result row of ib_{send,write,read}_bw whose header says BW in UNIT."""
    rows = re.findall(r"^\s*(\d+)\s+(\d+)\s+(%s)\s+(%s)\s+(%s)\s*$" % (_NUM, _NUM, _NUM), text, re.M)
    if "BW average[%s]" % unit not in text or not rows:
        raise ValueError("no perftest bandwidth row (%s)" % hint)
    size, iters, peak, avg, rate = rows[-1]
    return int(size), int(iters), float(peak), float(avg), float(rate)


def perftest_bw(text):
    """The result row of ib_{send,write,read}_bw run with --report_gbits."""
    size, iters, peak, avg, rate = _perftest_bw_row(text, "Gb/sec", "with --report_gbits")
    return {"size": size, "iterations": iters, "bw_peak_gbps": peak, "bw_gbps": avg, "msg_rate_mpps": rate}


def perftest_bw_mbps(text):
    """The result row of ib_{send,write,read}_bw in perftest's default unit, MB/sec (perftest's
    MB is 2^20 bytes), as it reports without --report_gbits."""
    size, iters, peak, avg, rate = _perftest_bw_row(text, "MB/sec", "in MB/sec, without --report_gbits")
    return {"size": size, "iterations": iters, "bw_peak_mbps": peak, "bw_mbps": avg, "msg_rate_mpps": rate}


def perftest_lat_summary(text):
    """The summary row of ib_*_lat run with -n (or perftest's default of 1000 iterations):
    microseconds, one way for send/write, round trip for read, as perftest reports them.
    Not for -D runs: perftest then prints its average only, no t_typical."""
    summary = re.findall(r"^\s*(\d+)\s+(\d+)" + r"\s+(%s)" % _NUM_OR_NAN * 7 + r"\s*$", text, re.M)
    if "t_typical" not in text or not summary:
        raise ValueError("no perftest latency row with t_typical")
    s = summary[-1]
    keys = ("t_min", "t_max", "t_typical", "t_avg", "t_stdev", "p99", "p999")
    row = {"size": int(s[0]), "iterations": int(s[1])}
    row.update({k: float(v) for k, v in zip(keys, s[2:])})
    return row


def perftest_lat(text):
    """ib_*_lat run with -U: the summary row (perftest_lat_summary) and every sample."""
    row = perftest_lat_summary(text)
    samples = [float(v) for v in re.findall(r"^\d+, (%s)\s*$" % _NUM, text, re.M)]
    if not samples:
        raise ValueError("no perftest latency samples (run with -U)")
    row["samples"] = samples
    return row


REGMR_FIGURES = ("reg_us_per_mib", "dereg_us_per_mib", "touch_after_reg_us_per_mib", "touch_resident_us_per_mib")


def regmr_cost(text):
    """bench/src/ff_regmr_cost's result lines, one per size: {size_mib: {figure: median}}
    with the figures of REGMR_FIGURES and 'reps'."""
    sizes = {}
    for line in re.findall(r"^regmr (.*)$", text, re.M):
        fields = dict(kv.split("=", 1) for kv in line.split() if "=" in kv)
        try:
            size = int(fields["size_mib"])
            row = {"reps": int(fields["reps"])}
            row.update({k: float(fields[k]) for k in REGMR_FIGURES})
        except (KeyError, ValueError) as e:
            raise ValueError("a bad ff_regmr_cost line: %r (%s)" % (line, e)) from e
        sizes[size] = row
    if not sizes:
        raise ValueError("no ff_regmr_cost result")
    return sizes


def percentile(sorted_values, p):
    """Nearest-rank percentile of an already sorted list (p in 0..100)."""
    if not sorted_values:
        raise ValueError("no values")
    rank = math.ceil(p / 100.0 * len(sorted_values) - 1e-9)
    return sorted_values[max(0, min(len(sorted_values), rank) - 1)]


def latency_stats(samples, discard):
    """p10, median and p99 of SAMPLES after the first DISCARD (the warm-up)."""
    kept = sorted(samples[discard:] if len(samples) > discard * 2 else samples)
    return {"p10": percentile(kept, 10), "p50": percentile(kept, 50), "p99": percentile(kept, 99),
            "n": len(kept)}


def iperf3_gbps(text):
    """iperf3 -J: the receiver's throughput."""
    start = text.find("{")
    if start < 0:
        raise ValueError("no iperf3 JSON")
    data = json.loads(text[start:])
    if "error" in data:
        raise ValueError("iperf3: " + data["error"])
    return data["end"]["sum_received"]["bits_per_second"] / 1e9


def sockperf_full_log(text):
    """sockperf --full-log: the latency column (one way, microseconds), in order."""
    vals = re.findall(r"^\s*\d+,\s*%s,\s*%s,\s*(%s)\s*$" % (_NUM, _NUM, _NUM), text, re.M)
    if not vals:
        raise ValueError("no sockperf samples")
    return [float(v) for v in vals]


def sockperf_summary(text):
    m = re.search(r"avg-latency=(%s)" % _NUM, text)
    p50 = re.search(r"percentile 50\.000 =\s*(%s)" % _NUM, text)
    if not m or not p50:
        raise ValueError("no sockperf summary")
    return {"avg": float(m.group(1)), "p50": float(p50.group(1))}


def ucx_final(text):
    """ucx_perftest's 'Final:' row: iterations, latency 50%ile/avg (us), bandwidth (MB/s,
    where UCX's MB is 2^20 bytes), message rate."""
    m = re.search(r"^Final:\s+(\d+)" + r"\s+(%s)" % _NUM * 7, text, re.M)
    if not m:
        raise ValueError("no ucx_perftest Final row")
    v = [float(x) for x in m.groups()]
    return {"iterations": int(v[0]), "lat_p50": v[1], "lat_avg": v[2], "lat_overall": v[3],
            "bw_mib_s": v[4], "bw_gbps": v[4] * 1048576 * 8 / 1e9, "msg_rate": v[6]}


def memcpy_gbps(text):
    m = re.search(r"\bgbps=(%s)" % _NUM, text)  # the best trial, not mean_gbps
    if not m:
        raise ValueError("no memcpy_bw result")
    return float(m.group(1))


CONTROL_VERBS = ("reg_mr", "dereg_mr", "create_qp", "destroy_qp")


def control_rates(text):
    """bench/src/ff_control_rate's lines: {verb: {"count", "per_s", "p50_us", "p99_us"}}, every
    verb of CONTROL_VERBS present."""
    verbs = {}
    for line in re.findall(r"^control (.*)$", text, re.M):
        fields = dict(kv.split("=", 1) for kv in line.split() if "=" in kv)
        try:
            verbs[fields["verb"]] = {"count": int(fields["count"]), "per_s": float(fields["per_s"]),
                                     "p50_us": float(fields["p50_us"]), "p99_us": float(fields["p99_us"])}
        except (KeyError, ValueError) as e:
            raise ValueError("a bad ff_control_rate line: %r (%s)" % (line, e)) from e
    missing = [v for v in CONTROL_VERBS if v not in verbs]
    if missing:
        raise ValueError("ff_control_rate printed no figure for %s" % ", ".join(missing))
    return verbs
