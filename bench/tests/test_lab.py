"""Unit tests of how the bench reads ``./freeflow lab inspect --json`` (a stand-in launcher
that prints what the real one prints). Run: python3 -m unittest discover -s bench/tests"""

import os
import sys
import tempfile
import unittest

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))

from ffbench.lab import Lab, LabError  # noqa: E402


class InspectTest(unittest.TestCase):
    def lab_printing(self, stdout, stderr="", status=0):
        repo = tempfile.mkdtemp()
        self.addCleanup(lambda: __import__("shutil").rmtree(repo))
        script = os.path.join(repo, "freeflow")
        with open(script, "w") as f:
            f.write("#!/bin/sh\n[ \"$4 $5\" = \"inspect --json\" ] || exit 9\n"
                    "printf '%%s' '%s'\nprintf '%%s' '%s' >&2\nexit %d\n" % (stdout, stderr, status))
        os.chmod(script, 0o755)
        return Lab(repo, "ffb", repo)

    def test_facts_are_typed(self):
        lab = self.lab_printing('{"name": "c1", "vip": "10.98.1.2", "pid": 42, "alive": true, "tenant": ""}\n',
                                stderr="freeflow: a note\n")
        facts = lab.inspect("c1")
        self.assertEqual({"name": "c1", "vip": "10.98.1.2", "pid": 42, "alive": True, "tenant": ""}, facts)

    def test_failure(self):
        lab = self.lab_printing("", stderr="freeflow: error: lab ffb has no container c9\n", status=1)
        self.assertEqual({}, lab.inspect("c9", check=False))
        with self.assertRaisesRegex(LabError, "has no container c9"):
            lab.inspect("c9")

    def test_not_json(self):
        with self.assertRaisesRegex(LabError, "printed no JSON"):
            self.lab_printing("name=c1\nalive=yes\n").inspect("c1")


if __name__ == "__main__":
    unittest.main()
