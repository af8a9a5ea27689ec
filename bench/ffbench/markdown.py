"""Numbers and tables of the report, in Markdown."""

NA = "n/a"


def num(v, digits=2):
    if v is None or v == "":
        return NA
    v = float(v)
    if abs(v) >= 100:
        return "%.0f" % v
    if abs(v) >= 10 and digits > 1:
        return "%.1f" % v
    return "%.*f" % (digits, v)


def ratio(a, b, digits=2):
    if a in (None, "") or b in (None, "") or float(b) == 0:
        return NA
    return "%s×" % num(float(a) / float(b), digits if float(a) / float(b) >= 0.01 else 4)


def table(header, rows):
    out = ["| " + " | ".join(header) + " |", "|" + "|".join("---" for _ in header) + "|"]
    out += ["| " + " | ".join(str(c) for c in row) + " |" for row in rows]
    return "\n".join(out)


def sizes(r, section, metric):
    return sorted({row["size"] for row in r.rows if row["section"] == section and row["metric"] == metric
                   and row["size"] != ""})
