"""PNG figures in the manner of the paper's Fig. 9 (throughput), Fig. 10 (latency) and
Fig. 12 (CPU), plus the per-mode latency and idle CPU. matplotlib (Debian's
python3-matplotlib), Agg backend, no display needed."""

import os

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
from matplotlib.ticker import FixedLocator, FuncFormatter, NullLocator  # noqa: E402

from .plan import BW_OPS, LAT_OPS, MODES, MiB  # noqa: E402
from .report import sizes  # noqa: E402
from .runner import human_size  # noqa: E402

COLORS = {"send": "#1f77b4", "write": "#d62728", "read": "#2ca02c", "ucx": "#9467bd", "tcp": "#7f7f7f",
          "memcpy": "#ff7f0e", "router": "#d62728", "client": "#1f77b4", "server": "#2ca02c"}


def _plain(v, _pos):
    return "%g" % v


def _size_axis(ax, xs):
    ax.set_xscale("log", base=2)
    ax.xaxis.set_major_locator(FixedLocator(xs))
    ax.xaxis.set_minor_locator(NullLocator())
    ax.set_xticklabels([human_size(x).replace(" ", "\n") for x in xs])


def _hline(ax, y, text, color, style="--"):
    if y is not None:
        ax.axhline(y, color=color, linestyle=style, linewidth=1.2, label="%s: %.3g" % (text, y))


def _legend_right(ax):
    ax.legend(fontsize=8, loc="upper left", bbox_to_anchor=(1.01, 1.0), borderaxespad=0.0)


def throughput(r, path):
    xs = sizes(r, "bw", "bw_gbps")
    fig, ax = plt.subplots(figsize=(10, 4.8))
    for op, tool in BW_OPS:
        pts = []
        for s in xs:
            g = [r.get("bw", tool, k, op=op, size=s, mode="fastpath") for k in ("bw_gbps", "bw_gbps_min", "bw_gbps_max")]
            if g[0] is not None:
                lo, hi = (g[1], g[2]) if None not in g[1:] else (g[0], g[0])
                pts.append((s, g[0], g[0] - lo, hi - g[0]))
        if pts:
            x, y, lo, hi = zip(*pts)
            ax.errorbar(x, y, yerr=[lo, hi], marker="o", capsize=3, color=COLORS[op],
                        label="FreeFlow %s (median, min–max)" % tool)
    ucx = [(s, r.get("baseline", "ucx_tag_bw", "bw_gbps", size=s)) for s in xs]
    ucx = [p for p in ucx if p[1] is not None]
    if ucx:
        ax.plot(*zip(*ucx), marker="s", linestyle=":", color=COLORS["ucx"], label="UCX posix tag_bw (shm)")
    _hline(ax, r.get("baseline", "memcpy", "bw_gbps", size=MiB), "memcpy 1 MiB, one core", COLORS["memcpy"])
    _hline(ax, r.get("baseline", "memcpy", "bw_gbps", size=256 * MiB), "memcpy 256 MiB, one core",
           COLORS["memcpy"], ":")
    _hline(ax, r.get("baseline", "iperf3", "bw_gbps"), "iperf3 TCP c1 → c2", COLORS["tcp"])
    _size_axis(ax, xs)
    ax.set_ylim(bottom=0)
    ax.set_xlabel("message size")
    ax.set_ylabel("throughput (Gbps)")
    ax.set_title("Throughput between two containers of one host (cf. paper Fig. 9)")
    ax.grid(True, alpha=0.3)
    _legend_right(ax)
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)


def latency(r, path):
    xs = sizes(r, "lat", "p50_us")
    fig, ax = plt.subplots(figsize=(10, 4.8))
    shift = {"send": 0.93, "write": 1.0, "read": 1.07}
    for op, tool in LAT_OPS:
        pts = []
        for s in xs:
            g = [r.get("lat", tool, k, op=op, size=s, mode="fastpath") for k in ("p10_us", "p50_us", "p99_us")]
            if None not in g:
                pts.append((s * shift[op], g))
        if pts:
            x = [p[0] for p in pts]
            med = [p[1][1] for p in pts]
            err = [[p[1][1] - p[1][0] for p in pts], [p[1][2] - p[1][1] for p in pts]]
            ax.errorbar(x, med, yerr=err, marker="o", capsize=3, color=COLORS[op],
                        label="FreeFlow %s (median, p10–p99)" % tool)
    sp = [(s, r.get("baseline", "sockperf", "p50_us", size=s)) for s in xs]
    sp = [p for p in sp if p[1] is not None]
    if sp:
        ax.plot(*zip(*sp), marker="^", linestyle="--", color=COLORS["tcp"], label="sockperf TCP c1 → c2 (median)")
    ucx = [(s, r.get("baseline", "ucx_tag_lat", "p50_us", size=s)) for s in xs]
    ucx = [p for p in ucx if p[1] is not None]
    if ucx:
        ax.plot(*zip(*ucx), marker="s", linestyle=":", color=COLORS["ucx"], label="UCX posix tag_lat (median)")
    _size_axis(ax, xs)
    ax.set_yscale("log")
    ax.set_xlabel("message size")
    ax.set_ylabel("latency (µs, log scale)")
    ax.set_title("Latency between two containers of one host (cf. paper Fig. 10)")
    ax.grid(True, which="both", alpha=0.3)
    _legend_right(ax)
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)


def cpu(r, path):
    tests = sorted({(row["op"], row["test"]) for row in r.rows if row["section"] == "cpu"})
    fig, axes = plt.subplots(1, 2, figsize=(10, 4.4), gridspec_kw={"width_ratios": [max(1, len(tests)) * 1.2, 1]})
    ax = axes[0]
    groups = [(mode, op, tool) for op, tool in tests for mode in MODES]
    width = 0.26
    for i, who in enumerate(("router", "client", "server")):
        ys = [r.get("cpu", tool, who + "_pct", op=op, size=MiB, mode=mode) or 0 for mode, op, tool in groups]
        bars = ax.bar([g + (i - 1) * width for g in range(len(groups))], ys, width, color=COLORS[who],
                      label={"router": "router (JVM)", "client": "client app (c1)", "server": "server app (c2)"}[who])
        ax.bar_label(bars, fmt="%.0f", fontsize=7)
    ax.set_xticks(range(len(groups)))
    ax.set_xticklabels(["%s\n%s" % (mode, tool) for mode, op, tool in groups], fontsize=8)
    ax.set_ylabel("CPU (% of one core)")
    ax.set_title("At full throughput, 1 MiB messages (cf. Fig. 12)", fontsize=10)
    ax.set_ylim(top=ax.get_ylim()[1] * 1.15)
    ax.grid(True, axis="y", alpha=0.3)
    ax.legend(fontsize=8, loc="upper left", ncol=3)
    ax = axes[1]
    for i, test in enumerate(("no_qp", "connected_qp")):
        ys = [max(0.1, r.get("idle", test, "router_pct", mode=m) or 0) for m in MODES]
        bars = ax.bar([j + (i - 0.5) * 0.38 for j in range(len(MODES))], ys, 0.38,
                      color=["#bbbbbb", COLORS["router"]][i],
                      label=["no QPs", "connected QPs, no traffic"][i])
        ax.bar_label(bars, fmt="%.1f", fontsize=7, padding=1)
    ax.axhline(2.0, color="black", linestyle="--", linewidth=1, label="target: < 2 % (lowcpu, adaptive)")
    ax.set_yscale("log")
    ax.yaxis.set_major_formatter(FuncFormatter(_plain))
    ax.set_xticks(range(len(MODES)))
    ax.set_xticklabels(MODES, fontsize=8)
    ax.set_ylabel("router CPU (% of one core)")
    ax.set_title("Idle router", fontsize=10)
    ax.set_ylim(0.1, 1000)
    ax.grid(True, axis="y", alpha=0.3)
    ax.legend(fontsize=8, loc="upper left")
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)


def modes(r, path):
    fig, ax = plt.subplots(figsize=(5.5, 3.8))
    for i, mode in enumerate(MODES):
        g = [r.get("modelat", "ib_send_lat", k, op="send", size=2, mode=mode) for k in ("p10_us", "p50_us", "p99_us")]
        if None in g:
            continue
        ax.bar(i, g[1], 0.6, color=COLORS["send"], alpha=0.8)
        ax.errorbar(i, g[1], yerr=[[g[1] - g[0]], [g[2] - g[1]]], color="black", capsize=5)
        ax.annotate("%.2f" % g[1], xy=(i + 0.3, g[1]), xytext=(2, 0), textcoords="offset points", fontsize=8,
                    va="center")
    fast = r.get("modelat", "ib_send_lat", "p50_us", op="send", size=2, mode="fastpath")
    if fast is not None:
        ax.axhline(1.2 * fast, color="black", linestyle="--", linewidth=1, label="1.2 × fastpath median")
        ax.legend(fontsize=8, loc="upper left")
    ax.set_yscale("log")
    ax.yaxis.set_major_locator(FixedLocator([0.1, 0.2, 0.5, 1, 2, 5, 10, 20, 50, 100, 200, 500, 1000]))
    ax.yaxis.set_minor_locator(NullLocator())
    ax.yaxis.set_major_formatter(FuncFormatter(_plain))
    ax.set_xlim(-0.6, len(MODES) - 0.2)
    ax.set_xticks(range(len(MODES)))
    ax.set_xticklabels(MODES)
    ax.set_ylabel("µs, one way (median, p10–p99), log scale")
    ax.set_title("2 B ib_send_lat per router mode", fontsize=10)
    ax.grid(True, axis="y", alpha=0.3)
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)


FIGURES = (("Throughput (cf. paper Fig. 9)", "fig9-throughput.png", throughput),
           ("Latency (cf. paper Fig. 10)", "fig10-latency.png", latency),
           ("CPU per process and idle router per mode (cf. paper Fig. 12)", "fig12-cpu.png", cpu),
           ("2 B ib_send_lat per mode", "modes-latency.png", modes))


def draw_all(r, out_dir):
    """Draws every figure; returns [(title, file name)] of those written."""
    done = []
    for title, name, fn in FIGURES:
        fn(r, os.path.join(out_dir, name))
        done.append((title, name))
    return done
