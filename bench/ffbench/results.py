"""The measured figures as rows of one CSV (long format), which the report reads back:
section, test, op, size (bytes), mode, metric, value, unit, note."""

import csv

FIELDS = ("section", "test", "op", "size", "mode", "metric", "value", "unit", "note")


class Results:
    def __init__(self, rows=None):
        self.rows = list(rows or [])

    def add(self, section, test, metric, value, unit, op="", size="", mode="", note=""):
        self.rows.append({"section": section, "test": test, "op": op, "size": "" if size == "" else int(size),
                          "mode": mode, "metric": metric, "value": value, "unit": unit, "note": note})

    def get(self, section, test, metric, op="", size="", mode=""):
        """The value of one figure, or None if it was not measured."""
        size = "" if size == "" else int(size)
        for r in self.rows:
            if (r["section"], r["test"], r["op"], r["size"], r["mode"], r["metric"]) == \
                    (section, test, op, size, mode, metric):
                return r["value"]
        return None

    def note(self, section, test, metric, op="", size="", mode=""):
        size = "" if size == "" else int(size)
        for r in self.rows:
            if (r["section"], r["test"], r["op"], r["size"], r["mode"], r["metric"]) == \
                    (section, test, op, size, mode, metric):
                return r["note"]
        return ""

    def meta(self, key):
        v = self.get("meta", "run", key)
        return "" if v is None else v

    def write_csv(self, path):
        with open(path, "w", newline="") as f:
            w = csv.DictWriter(f, fieldnames=FIELDS)
            w.writeheader()
            for r in self.rows:
                row = dict(r)
                if isinstance(row["value"], float):
                    row["value"] = "%.6g" % row["value"]
                w.writerow(row)

    @classmethod
    def read_csv(cls, path):
        rows = []
        with open(path, newline="") as f:
            for r in csv.DictReader(f):
                r["size"] = int(r["size"]) if r["size"] else ""
                if r["section"] != "meta":
                    try:
                        r["value"] = float(r["value"])
                    except ValueError:
                        pass
                rows.append(r)
        return cls(rows)
