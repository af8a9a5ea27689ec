"""Unit tests of the pure parts of containers, net, router, ffctl and report: veth names (POSIX
cksum), container MACs, the hosts file, ffctl's replies, the cluster check, inspect's output."""

import json
import os
import sys
import unittest

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))

from fflab import containers, net, report  # noqa: E402
from fflab.ffctl import Reply  # noqa: E402
from fflab.router import in_one_cluster  # noqa: E402
from fflab.state import ContainerRecord  # noqa: E402


class VethTest(unittest.TestCase):
    def test_posix_cksum(self):
        # what `printf %s NAME | cksum` prints first
        self.assertEqual(4294967295, containers.posix_cksum(b""))
        self.assertEqual(1219131554, containers.posix_cksum(b"abc"))
        self.assertEqual(1017556748, containers.posix_cksum(b"a-very-long-container-name"))

    def test_veth_names_fit_ifnamsiz(self):
        self.assertEqual("vh-c1", containers.veth_name("c1"))
        self.assertEqual("vh-twelve-chars", containers.veth_name("twelve-chars"))
        self.assertEqual("vx-1017556748", containers.veth_name("a-very-long-container-name"))
        self.assertTrue(all(len(containers.veth_name(n)) <= 15 for n in ("a" * 12, "a" * 13, "b" * 32)))

    def test_mtu(self):
        self.assertEqual(1500, containers.container_mtu(1))
        self.assertEqual(1450, containers.container_mtu(2))  # VXLAN's 50 bytes


class ContainerMacTest(unittest.TestCase):
    def test_the_mac_follows_the_virtual_ip(self):
        self.assertEqual("02:46:0a:62:00:05", net.container_mac("10.98.0.5"))
        self.assertEqual("02:46:ff:00:7f:01", net.container_mac("255.0.127.1"))
        self.assertNotEqual(net.container_mac("10.98.0.5"), net.container_mac("10.98.0.6"))

    def test_locally_administered_unicast(self):
        first = int(net.container_mac("10.98.1.2").split(":")[0], 16)
        self.assertEqual(0x02, first & 0x03)

    def test_not_an_address(self):
        for bad in ("10.98.0", "10.98.0.256", "a.b.c.d", ""):
            with self.assertRaises(ValueError):
                net.container_mac(bad)


class HostsFileTest(unittest.TestCase):
    def record(self, name, vip):
        return ContainerRecord(name=name, host="h1", namespace="x", tenant="", vip=vip, prefix="16", lid="",
                               gid="", socket="", veth="")

    def test_content(self):
        text = containers.hosts_file_content("lp", [self.record("c1", "10.98.1.2"), self.record("c2", "")])
        self.assertEqual("# written by './freeflow lab' (lab lp): every container of the lab\n"
                         "127.0.0.1\tlocalhost\n::1\tlocalhost ip6-localhost ip6-loopback\n"
                         "10.98.1.2\tc1\n", text)


class FfctlRepliesTest(unittest.TestCase):
    ATTACH = "name=c1\ntenant=blue\nvip=10.98.1.2\nprefix=16\nlid=258\ngid=fe80::4646:102\nsocket=/s/c1.sock"

    def test_attach_reply(self):
        facts = containers.parse_attach_reply(self.ATTACH)
        self.assertEqual(("10.98.1.2", "16", "/s/c1.sock", "258", "blue"),
                         (facts["vip"], facts["prefix"], facts["socket"], facts["lid"], facts["tenant"]))
        self.assertEqual("", containers.parse_attach_reply("ffctl: nothing")["vip"])

    def test_cluster(self):
        ok = "topology_version=3\nservers=2\nhosts_running=2\nhosts_lost=0\nhost_registered=1"
        self.assertTrue(in_one_cluster(Reply(0, ok), 2))
        self.assertFalse(in_one_cluster(Reply(0, ok), 3))
        self.assertFalse(in_one_cluster(Reply(0, ok.replace("host_registered=1", "host_registered=0")), 2))
        self.assertFalse(in_one_cluster(Reply(75, ok), 2))  # not ready
        self.assertFalse(in_one_cluster(Reply(0, "servers=22\nhost_registered=1"), 2))


class InspectOutputTest(unittest.TestCase):
    FACTS = {"name": "h1", "index": 1, "pid": None, "router": "stopped", "alive": False, "socket": "/s"}

    def test_key_value_lines(self):
        self.assertEqual("name=h1\nindex=1\npid=\nrouter=stopped\nalive=no\nsocket=/s\n",
                         report.key_value_lines(self.FACTS))
        self.assertIn("alive=yes\n", report.key_value_lines({"alive": True}))

    def test_container_facts_in_order(self):
        record = ContainerRecord(name="c1", host="h2", namespace="lp-c-c1", tenant="t", vip="10.98.2.2",
                                 prefix="16", lid="514", gid="g", socket="/s", veth="vh-c1", pid=7, owner=6,
                                 started="now")
        facts = report.container_facts(record, True)
        self.assertEqual(["name", "host", "namespace", "tenant", "vip", "prefix", "lid", "gid", "socket", "veth",
                          "pid", "owner", "started", "alive"], list(facts))
        self.assertEqual(facts, json.loads(json.dumps(facts)))


if __name__ == "__main__":
    unittest.main()
