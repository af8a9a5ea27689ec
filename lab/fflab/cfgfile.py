"""Karaf .cfg files (etc/PID.cfg): set a key, keeping comments and order."""

import os
import re

_SEPARATOR = re.compile(r"[ \t]*[=:]")


def set_key(text, key, value):
    """TEXT with KEY=VALUE: every uncommented 'KEY =' (or 'KEY:') line is replaced,
    leading blanks and all; if there is none, the key is appended. The result ends with
    a newline."""
    lines = text.split("\n")
    if lines and lines[-1] == "":
        lines.pop()
    out = []
    replaced = False
    for line in lines:
        stripped = line.lstrip(" \t")
        if stripped.startswith(key) and _SEPARATOR.match(stripped, len(key)):
            out.append("%s=%s" % (key, value))
            replaced = True
        else:
            out.append(line)
    if not replaced:
        out.append("%s=%s" % (key, value))
    return "\n".join(out) + "\n"


def set_in_file(path, key, value):
    """KEY=VALUE in the .cfg file PATH (made if absent). The file is rewritten in place,
    as Karaf's file watcher sees an edit."""
    text = ""
    if os.path.exists(path):
        with open(path, encoding="utf-8", errors="surrogateescape") as f:
            text = f.read()
    with open(path, "w", encoding="utf-8", errors="surrogateescape") as f:
        f.write(set_key(text, key, value))


def set_keys_in_file(path, pairs):
    for key, value in pairs:
        set_in_file(path, key, value)
