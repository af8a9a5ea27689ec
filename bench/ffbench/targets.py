"""The bench's targets (bench/README.md, Targets), judged on the figures of one run."""

import statistics

from . import first
from .plan import BW_OPS, FIRST_PHASES, FIRST_TOOLS, KiB, MiB


class Target:
    def __init__(self, key, text, value, unit, reference, ref_text, factor, sense, mode_note="", inverse=False):
        self.key = key
        self.text = text
        self.value = value            # FreeFlow's figure
        self.unit = unit
        self.reference = reference    # the baseline figure, or the absolute limit
        self.ref_text = ref_text
        self.factor = factor          # required ratio value/reference (sense '>=', '<=' or '<')
        self.sense = sense
        self.mode_note = mode_note
        self.inverse = inverse        # the ratio is reference/value (a latency against its steady state)

    @property
    def ratio(self):
        if self.value is None or not self.reference:
            return None
        if self.inverse:
            return self.reference / self.value if self.value else None
        return self.value / self.reference

    @property
    def met(self):
        r = self.ratio
        if r is None:
            return None
        if self.sense == "<":
            return r < self.factor
        return r >= self.factor if self.sense == ">=" else r <= self.factor

    @property
    def verdict(self):
        return {True: "met", False: "not met", None: "n/a"}[self.met]


def _mode_note(r, mode):
    applied = r.get("mode", "config", "applied", mode=mode)
    if applied in (None, ""):
        return "mode %s not configured" % mode
    return "" if float(applied) else "the router did not confirm mode %s (key ignored?)" % mode


def duel_runs(r, mode):
    """The medians of the interleaved fastpath/adaptive 2 B latency runs of one mode."""
    return [row["value"] for row in r.rows
            if row["section"] == "duel" and row["mode"] == mode and row["metric"].startswith("p50_us_run")]


def _mode_lat(r, mode):
    """2 B send latency of a mode: the median of its interleaved runs, else its one per-mode run."""
    runs = duel_runs(r, mode)
    if runs:
        return statistics.median(runs)
    return r.get("modelat", "ib_send_lat", "p50_us", op="send", size=2, mode=mode)


def judge(r):
    """The targets, in the order of bench/README.md."""
    t = []
    mem = r.get("baseline", "memcpy", "bw_gbps", size=MiB)
    tcp = r.get("baseline", "iperf3", "bw_gbps")
    for op, tool in (("write", "ib_write_bw"), ("send", "ib_send_bw")):
        bw = r.get("bw", tool, "bw_gbps", op=op, size=MiB, mode="fastpath")
        t.append(Target("%s_1m_memcpy" % op, "%s 1 MiB ≥ 0.5 × memcpy(1 MiB)" % tool, bw, "Gbps", mem,
                        "memcpy 1 MiB", 0.5, ">="))
        t.append(Target("%s_1m_tcp" % op, "%s 1 MiB ≥ 5 × iperf3 (same containers)" % tool, bw, "Gbps", tcp,
                        "iperf3", 5.0, ">="))
    for op, tool in BW_OPS:
        small = r.get("bw", tool, "bw_gbps", op=op, size=2 * KiB, mode="fastpath")
        big = r.get("bw", tool, "bw_gbps", op=op, size=MiB, mode="fastpath")
        t.append(Target("%s_2k_vs_1m" % op, "%s 2 KiB ≥ 0.5 × %s 1 MiB" % (tool, tool), small, "Gbps", big,
                        "%s 1 MiB" % tool, 0.5, ">="))
    lat = r.get("lat", "ib_send_lat", "p50_us", op="send", size=2, mode="fastpath")
    sp = r.get("baseline", "sockperf", "p50_us", size=2)
    t.append(Target("send_lat_vs_tcp", "2 B ib_send_lat median (fastpath) ≤ 0.1 × sockperf TCP median", lat,
                    "µs", sp, "sockperf", 0.1, "<="))
    for mode in ("lowcpu", "adaptive"):
        idle = r.get("idle", "connected_qp", "router_pct", mode=mode)
        t.append(Target("idle_%s" % mode, "idle router (%s, connected QPs, no traffic) < 2 %% of a core" % mode,
                        idle, "% of a core", 2.0, "limit 2 %", 1.0, "<", _mode_note(r, mode)))
    fast, adap = _mode_lat(r, "fastpath"), _mode_lat(r, "adaptive")
    n = min(len(duel_runs(r, "fastpath")), len(duel_runs(r, "adaptive")))
    how = " (median of %d runs in turns)" % n if n > 1 else ""
    t.append(Target("adaptive_lat", "adaptive 2 B ib_send_lat median ≤ 1.2 × fastpath" + how, adap, "µs", fast,
                    "fastpath", 1.2, "<=", _mode_note(r, "adaptive")))
    return t + first_contact(r) + between_hosts(r)


def between_hosts(r):
    """The inter-host targets (bench/README.md): c1 on h1, c2 on h2, the routers' default mode."""
    t = []
    hosts = r.get("hosts_baseline", "iperf3_hosts", "bw_gbps")
    overlay = r.get("hosts_baseline", "iperf3", "bw_gbps")
    mode = "default"
    for op, tool in (("write", "ib_write_bw"), ("send", "ib_send_bw")):
        bw = r.get("hosts_bw", tool, "bw_gbps", op=op, size=MiB, mode=mode)
        t.append(Target("hosts_%s_1m_tcp" % op, "between hosts: %s 1 MiB ≥ 1.0 × iperf3 host → host" % tool, bw,
                        "Gbps", hosts, "iperf3 h1 → h2", 1.0, ">="))
        t.append(Target("hosts_%s_1m_overlay" % op, "between hosts: %s 1 MiB ≥ 1.5 × iperf3 over the overlay" % tool,
                        bw, "Gbps", overlay, "iperf3 c1 → c2 (overlay)", 1.5, ">="))
    for op, tool in BW_OPS:
        small = r.get("hosts_bw", tool, "bw_gbps", op=op, size=2 * KiB, mode=mode)
        big = r.get("hosts_bw", tool, "bw_gbps", op=op, size=MiB, mode=mode)
        t.append(Target("hosts_%s_2k_vs_1m" % op, "between hosts: %s 2 KiB ≥ 0.5 × %s 1 MiB" % (tool, tool), small,
                        "Gbps", big, "%s 1 MiB" % tool, 0.5, ">="))
    lat = r.get("hosts_lat", "ib_send_lat", "p50_us", op="send", size=2, mode=mode)
    sp = r.get("hosts_baseline", "sockperf", "p50_us", size=64)
    t.append(Target("hosts_send_lat_vs_tcp", "between hosts: 2 B ib_send_lat median ≤ 0.5 × sockperf 64 B (overlay)",
                    lat, "µs", sp, "sockperf 64 B", 0.5, "<="))
    one = r.get("hosts_pairs", "ib_send_bw", "one_pair_gbps", op="send", size=64 * KiB, mode=mode)
    total = r.get("hosts_pairs", "ib_send_bw", "aggregate_gbps", op="send", size=64 * KiB, mode=mode)
    fair = r.get("hosts_pairs", "ib_send_bw", "jain_index", op="send", size=64 * KiB, mode=mode)
    t.append(Target("hosts_pairs_aggregate", "between hosts: 8 QP pairs at once, aggregate ≥ 0.9 × one pair", total,
                    "Gbps", one, "one pair", 0.9, ">="))
    t.append(Target("hosts_pairs_jain", "between hosts: 8 QP pairs at once, Jain's index ≥ 0.99", fair, "", 1.0,
                    "limit 0.99", 0.99, ">="))
    return t


def _phase_note(r, phase):
    if phase != first.DEFAULT:
        return _mode_note(r, phase)
    mode, logged, _ = first.start_mode(r)
    if logged:
        return ""
    return "the router logged no mode; its configuration says %s" % mode if mode else "the router's mode unknown"


def first_runs(r):
    """How many default-flag runs per tool and mode the run made (plan.first_runs)."""
    try:
        return int(r.meta("first_runs"))
    except ValueError:
        return 3


def first_contact(r):
    """The first-contact targets (bench/README.md): per mode, every default-flag run of each
    tool ≥ 0.8 × the steady state (the worst judged); then the default mode against fastpath."""
    t = []
    runs = first_runs(r)
    for phase in FIRST_PHASES:
        where = first.phase_name(r, phase)
        for op, tool in FIRST_TOOLS:
            steady = first.steady_figure(r, tool, phase)
            ref = "%s %s" % (tool, first.steady_flags(r, tool))
            if first.is_latency(tool):
                text = "first contact, %s: %s default-flag runs, steady t_typical / run's ≥ 0.8 (worst of %d)" % (
                    where, tool, runs)
            else:
                text = "first contact, %s: %s default-flag runs ≥ 0.8 × steady state (worst of %d)" % (
                    where, tool, runs)
            t.append(Target("first_%s_%s" % (tool, phase), text, first.worst_run(r, tool, phase, runs),
                            first.figure_unit(tool), steady, ref, 0.8, ">=", _phase_note(r, phase),
                            inverse=first.is_latency(tool)))
    default, fast = first.DEFAULT, "fastpath"
    where = first.phase_name(r, default)
    notes = "; ".join(n for n in (_phase_note(r, default), _mode_note(r, fast)) if n)
    t.append(Target("first_write_1m_default_vs_fastpath",
                    "first contact: ib_write_bw -s 1 MiB -n 3000, %s ≥ 0.9 × fastpath" % where,
                    first.write_1m(r, default), "MB/s", first.write_1m(r, fast), "fastpath", 0.9, ">=", notes))
    t.append(Target("first_send_lat_default_vs_fastpath",
                    "first contact: default-flag ib_send_lat t_typical, %s ≤ 1.1 × fastpath (median of %d runs)"
                    % (where, runs),
                    first.send_lat_median(r, default, runs), "µs", first.send_lat_median(r, fast, runs), "fastpath",
                    1.1, "<=", notes))
    return t


def add_rows(r, targets):
    """The verdicts as rows of the CSV (section 'target'), replacing earlier ones."""
    r.rows = [row for row in r.rows if row["section"] != "target"]
    for t in targets:
        note = t.verdict + ("; " + t.mode_note if t.mode_note else "")
        r.add("target", t.key, "ratio", t.ratio if t.ratio is not None else "", "x", note=note)
