"""Unit tests of fflab.ipv4: address arithmetic and the choice of the fabric subnet.
Run: python3 -m unittest discover -s lab/tests"""

import os
import sys
import unittest

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))

from fflab import ipv4  # noqa: E402
from fflab.errors import LabError  # noqa: E402


class AddressTest(unittest.TestCase):
    def test_dotted_and_int_round_trip(self):
        for address in ("0.0.0.0", "10.97.3.1", "192.168.255.254", "255.255.255.255"):
            self.assertEqual(address, ipv4.to_dotted(ipv4.to_int(address)))
        self.assertEqual(0x0A610301, ipv4.to_int("10.97.3.1"))

    def test_valid_ipv4(self):
        self.assertTrue(ipv4.valid_ipv4("10.0.0.1"))
        for bad in ("10.0.0", "10.0.0.256", "a.b.c.d", "10.0.0.1/24", "", " 10.0.0.1", None):
            self.assertFalse(ipv4.valid_ipv4(bad), bad)

    def test_prefix_mask(self):
        self.assertEqual(0, ipv4.prefix_mask(0))
        self.assertEqual(0xFFFFFF00, ipv4.prefix_mask(24))
        self.assertEqual(0xFFFFFFFF, ipv4.prefix_mask(32))
        self.assertEqual(0xFF000000, ipv4.prefix_mask(8))

    def test_overlaps_either_way(self):
        self.assertTrue(ipv4.overlaps("10.97.0.0/24", "10.97.0.17/24"))
        self.assertTrue(ipv4.overlaps("10.97.0.0/24", "10.0.0.1/8"))  # the machine's /8 holds it
        self.assertTrue(ipv4.overlaps("10.0.0.0/8", "10.97.5.1/24"))
        self.assertFalse(ipv4.overlaps("10.97.1.0/24", "10.97.0.1/24"))
        self.assertFalse(ipv4.overlaps("10.97.0.0/24", "192.168.1.1/16"))


class SubnetTest(unittest.TestCase):
    def test_addresses_of_a_subnet(self):
        s = ipv4.Subnet(ipv4.to_int("10.97.4.77"), 24)
        self.assertEqual("10.97.4.0/24", s.cidr)
        self.assertEqual("10.97.4.1", s.root_address)
        self.assertEqual("10.97.4.2", s.host_address(1))
        self.assertEqual("10.97.4.5", s.host_address(4))

    def test_first_free_default_subnet(self):
        used = ["127.0.0.1/8", "10.97.0.1/24", "10.97.1.9/24", "172.17.0.1/16"]
        self.assertEqual("10.97.2.0/24", ipv4.choose_subnet("", 2, used).cidr)
        self.assertEqual("10.97.0.0/24", ipv4.choose_subnet("", 1, ["127.0.0.1/8"]).cidr)

    def test_no_free_default_subnet(self):
        with self.assertRaisesRegex(LabError, "no free 10.97.X.0/24"):
            ipv4.choose_subnet("", 1, ["10.0.0.1/8"])

    def test_requested_subnet(self):
        s = ipv4.choose_subnet("192.168.50.9/28", 3, ["10.0.0.1/8"])
        self.assertEqual("192.168.50.0/28", s.cidr)
        self.assertEqual("192.168.50.4", s.host_address(3))

    def test_requested_subnet_in_use(self):
        with self.assertRaisesRegex(LabError, "subnet 10.1.0.0/16 is in use"):
            ipv4.choose_subnet("10.1.0.0/16", 1, ["10.1.2.3/24"])

    def test_bad_requested_subnets(self):
        for bad in ("10.1.0.0", "10.1.0.0/7", "10.1.0.0/30", "10.1.0/24", "10.1.0.0/x", "10.1.0.0/24/1"):
            with self.assertRaisesRegex(LabError, "bad --subnet '%s'" % bad.replace(".", r"\.")):
                ipv4.choose_subnet(bad, 1, [])

    def test_subnet_too_small(self):
        # a /29 has 8 addresses: network, root, hosts, broadcast
        self.assertEqual("10.5.0.0/29", ipv4.choose_subnet("10.5.0.0/29", 5, []).cidr)
        with self.assertRaisesRegex(LabError, "too small for 6 host"):
            ipv4.choose_subnet("10.5.0.0/29", 6, [])


if __name__ == "__main__":
    unittest.main()
