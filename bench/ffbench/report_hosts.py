"""The report's section on the rows between hosts (ffbench/hosts.py): c1 on h1, c2 on h2."""

from .hosts import DEFAULT_MODE, PAIR_SIZE, PAIRS, SECTION_BASE, SECTION_BW, SECTION_CPU, SECTION_LAT, \
    SECTION_PAIRS
from .markdown import num, ratio, sizes, table
from .plan import BW_OPS, LAT_OPS, MiB
from .runner import human_size


def between_hosts(r):
    """The section, or '' when the run measured nothing between hosts."""
    if not any(row["section"].startswith("hosts_") for row in r.rows):
        return ""
    return "\n\n".join([_intro(r), _throughput(r), _latency(r), _cpu(r), _pairs(r)])


def _intro(r):
    g = r.get
    lat = [" / ".join(num(g(SECTION_BASE, "sockperf", k, size=size)) for k in ("p10_us", "p50_us", "p99_us"))
           + " µs (%s)" % human_size(max(size, 14)) for size in sizes(r, SECTION_BASE, "p50_us")]
    return ("## Between hosts (c1 on h1, c2 on h2)\n\nA lab of two hosts of its own; the routers carry RDMA "
            "between them over their tcp transport, in their default poller mode unless a row says otherwise. "
            "Baselines of the same run: iperf3 TCP from h1's namespace to h2's, one stream, %s Gbps (the TCP the "
            "transport runs on); iperf3 between c1 and c2 over the VXLAN overlay %s Gbps; sockperf ping-pong "
            "over the overlay, one way p10 / median / p99: %s."
            % (num(g(SECTION_BASE, "iperf3_hosts", "bw_gbps"), 1), num(g(SECTION_BASE, "iperf3", "bw_gbps"), 1),
               "; ".join(lat) or "n/a"))


def _throughput(r):
    hosts = r.get(SECTION_BASE, "iperf3_hosts", "bw_gbps")
    rows = []
    for size in sizes(r, SECTION_BW, "bw_gbps"):
        row = [human_size(size)]
        for op, tool in BW_OPS:
            bw = r.get(SECTION_BW, tool, "bw_gbps", op=op, size=size, mode=DEFAULT_MODE)
            row += [num(bw, 2), ratio(bw, hosts)]
        rows.append(row)
    header = ["size"]
    for _, tool in BW_OPS:
        header += [tool + ", Gbps", "× iperf3 h1 → h2"]
    return "### Throughput between hosts\n\nperftest `-D` runs, c1 → c2, median of the runs.\n\n" + table(header, rows)


def _latency(r):
    sp = r.get(SECTION_BASE, "sockperf", "p50_us", size=64)
    rows = []
    for mode in (DEFAULT_MODE, "fastpath"):
        for op, tool in LAT_OPS:
            for size in sizes(r, SECTION_LAT, "p50_us"):
                g = lambda k: r.get(SECTION_LAT, tool, k, op=op, size=size, mode=mode)  # noqa: E731
                if g("p50_us") is None:
                    continue
                rows.append([tool, human_size(size), mode, num(g("p10_us")), num(g("p50_us")), num(g("p99_us")),
                             ratio(g("p50_us"), sp)])
    return ("### Latency between hosts, µs\n\nperftest `-U` samples after a warm-up; send and write one way "
            "(RTT/2), read a round trip.\n\n"
            + table(["test", "size", "mode", "p10", "median", "p99", "× sockperf 64 B (overlay)"], rows))


def _cpu(r):
    rows = []
    for row in r.rows:
        if row["section"] == SECTION_CPU and row["metric"] == "bw_gbps":
            tool, op = row["test"], row["op"]
            g = lambda k: r.get(SECTION_CPU, tool, k, op=op, size=MiB, mode=row["mode"])  # noqa: E731
            bw = g("bw_gbps")
            both = None if g("router_h1_pct") is None or g("router_h2_pct") is None else \
                g("router_h1_pct") + g("router_h2_pct")
            rows.append(["%s 1 MiB" % tool, num(bw, 2), num(g("router_h1_pct"), 0), num(g("router_h2_pct"), 0),
                         num(both / bw if both is not None and bw else None, 0)])
    return ("### CPU per router between hosts, % of a core\n\nSampled from /proc during a `-D` run.\n\n"
            + table(["test", "Gbps", "router h1 (sender)", "router h2 (receiver)", "both, % per Gbps"], rows))


def _pairs(r):
    g = lambda k: r.get(SECTION_PAIRS, "ib_send_bw", k, op="send", size=PAIR_SIZE, mode=DEFAULT_MODE)  # noqa: E731
    each = [g("pair%d_gbps" % (i + 1)) for i in range(PAIRS)]
    return ("### %d QP pairs at once between hosts\n\nib_send_bw %s, %d pairs c1 → c2 at once: aggregate %s Gbps "
            "against %s Gbps for one pair alone (%s), Jain's index %s; each pair: %s Gbps."
            % (PAIRS, human_size(PAIR_SIZE), PAIRS, num(g("aggregate_gbps")), num(g("one_pair_gbps")),
               ratio(g("aggregate_gbps"), g("one_pair_gbps")), num(g("jain_index"), 3),
               ", ".join(num(v) for v in each)))
