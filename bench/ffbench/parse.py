"""Parsers of what the measuring programs print. Each raises ValueError on output it
cannot read, so that a broken run shows as a failed step, never as a made-up number."""

import json
import math
import re

_NUM = r"[-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?"
_NUM_OR_NAN = r"(?:%s|[-+]?nan|[-+]?inf)" % _NUM  # perftest prints -nan for a stdev it overflowed


def perftest_bw(text):
    """The result row of ib_{send,write,read}_bw run with --report_gbits."""
    rows = re.findall(r"^\s*(\d+)\s+(\d+)\s+(%s)\s+(%s)\s+(%s)\s*$" % (_NUM, _NUM, _NUM), text, re.M)
    if "BW average[Gb/sec]" not in text or not rows:
        raise ValueError("no perftest bandwidth row (with --report_gbits)")
    size, iters, peak, avg, rate = rows[-1]
    return {"size": int(size), "iterations": int(iters), "bw_peak_gbps": float(peak),
            "bw_gbps": float(avg), "msg_rate_mpps": float(rate)}


def perftest_lat(text):
    """ib_*_lat run with -U: the summary row and every sample (microseconds, one way for
    send/write, round trip for read, as perftest reports them)."""
    summary = re.findall(r"^\s*(\d+)\s+(\d+)" + r"\s+(%s)" % _NUM_OR_NAN * 7 + r"\s*$", text, re.M)
    if not summary:
        raise ValueError("no perftest latency row")
    s = summary[-1]
    samples = [float(v) for v in re.findall(r"^\d+, (%s)\s*$" % _NUM, text, re.M)]
    if not samples:
        raise ValueError("no perftest latency samples (run with -U)")
    keys = ("t_min", "t_max", "t_typical", "t_avg", "t_stdev", "p99", "p999")
    row = {"size": int(s[0]), "iterations": int(s[1])}
    row.update({k: float(v) for k, v in zip(keys, s[2:])})
    row["samples"] = samples
    return row


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
