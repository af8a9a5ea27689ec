"""Unit tests of fflab.cfgfile: keys of Karaf .cfg files set in place, comments and order kept."""

import os
import sys
import tempfile
import unittest

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))

from fflab import cfgfile  # noqa: E402


class SetKeyTest(unittest.TestCase):
    def test_replaces_every_uncommented_line_of_the_key(self):
        text = "# hostName = old, a comment\nhostName = a\n  hostName: b\nother=1\n"
        self.assertEqual("# hostName = old, a comment\nhostName=h1\nhostName=h1\nother=1\n",
                         cfgfile.set_key(text, "hostName", "h1"))

    def test_appends_a_missing_key(self):
        self.assertEqual("a=1\nb=2\n", cfgfile.set_key("a=1\n", "b", "2"))
        self.assertEqual("a=1\nb=2\n", cfgfile.set_key("a=1", "b", "2"))  # no final newline
        self.assertEqual("b=2\n", cfgfile.set_key("", "b", "2"))

    def test_a_key_that_only_starts_the_same_is_another_key(self):
        self.assertEqual("socketDirX=1\nsocketDir=/s\n", cfgfile.set_key("socketDirX=1\n", "socketDir", "/s"))

    def test_value_is_written_as_given(self):
        self.assertEqual("k=a=b, c\n", cfgfile.set_key("k=1\n", "k", "a=b, c"))
        self.assertEqual("k=\n", cfgfile.set_key("k=1\n", "k", ""))

    def test_file_is_made_and_edited_in_place(self):
        with tempfile.TemporaryDirectory() as d:
            path = os.path.join(d, "org.freeflow.qos.cfg")
            cfgfile.set_in_file(path, "maxQpsPerContainer", "7")
            inode = os.stat(path).st_ino
            cfgfile.set_keys_in_file(path, [("maxQpsPerContainer", "8"), ("x", "y")])
            with open(path) as f:
                self.assertEqual("maxQpsPerContainer=8\nx=y\n", f.read())
            self.assertEqual(inode, os.stat(path).st_ino)  # Karaf's watcher sees an edit


if __name__ == "__main__":
    unittest.main()
