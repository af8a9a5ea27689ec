"""Entry point: ``python3 -P lab/fflab/__main__.py ARGS`` (what ./freeflow lab runs) or
``python3 -m fflab ARGS`` with lab/ on sys.path."""

import os
import sys

if not __package__:
    # run as a file: make the package importable (and nothing else of its directory)
    sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

from fflab.cli import main  # noqa: E402

sys.exit(main(sys.argv[1:]))
