"""Unit tests of fflab.state: lab.json round trip, atomic writes under the lock, the lock."""

import json
import os
import sys
import tempfile
import unittest

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))

from fflab.state import (ROUTER_RUNNING, ROUTER_STOPPED, ContainerRecord, HostRecord, LabLayout,  # noqa: E402
                         LabLock, LabState, StateStore)


def sample_state():
    state = LabState(lab="lp", state="up", subnet="10.97.0.0/24", root_address="10.97.0.1", ffctl="/f/ffctl",
                     lib="/f/lib", assembly="/f/assembly", container_mtu=1450, created="2026-12-04T10:00:00Z")
    state.hosts = [HostRecord("h1", 1, "lp-h1", "10.97.0.2", "lp-h1", pid=100, router=ROUTER_RUNNING),
                   HostRecord("h2", 2, "lp-h2", "10.97.0.3", "lp-h2")]
    state.containers["c1"] = ContainerRecord(name="c1", host="h2", namespace="lp-c-c1", tenant="default",
                                             vip="10.98.2.2", prefix="16", lid="514", gid="fe80::4646:202",
                                             socket="/s/c1.sock", veth="vh-c1", pid=None, owner=42,
                                             started="2026-12-04T10:01:00Z")
    return state


class StateTest(unittest.TestCase):
    def test_json_round_trip(self):
        state = sample_state()
        again = LabState.from_json(state.to_json())
        self.assertEqual(state, again)
        self.assertEqual(ROUTER_STOPPED, again.host("h2").router)
        self.assertIsNone(again.host("h3"))
        self.assertEqual(["h1"], [h.name for h in again.running_hosts()])

    def test_json_is_plain_and_typed(self):
        d = json.loads(sample_state().to_json())
        self.assertEqual(1, d["version"])
        self.assertEqual(100, d["hosts"][0]["pid"])
        self.assertIsNone(d["hosts"][1]["pid"])
        self.assertEqual("10.98.2.2", d["containers"]["c1"]["vip"])

    def test_unknown_keys_are_ignored(self):
        d = sample_state().to_dict()
        d["future"] = 1
        d["hosts"][0]["faults"] = []
        self.assertEqual(sample_state(), LabState.from_dict(d))

    def test_layout_names(self):
        layout = LabLayout("/run/x", "lp")
        self.assertEqual("/run/x/lp/lab.json", layout.state_file)
        self.assertEqual("/run/x/.lp.lock", layout.lock_file)
        self.assertEqual("lp-h2", layout.host_namespace("h2"))
        self.assertEqual("lp-c-c1", layout.container_namespace("c1"))
        self.assertEqual("lp-fab", layout.fabric_bridge)
        self.assertEqual("/run/x/lp/h1/sock/admin.sock", layout.admin_socket("h1"))
        self.assertEqual("/run/x/lp/h1/karaf/data/log/karaf.log", layout.karaf_log("h1"))
        self.assertEqual("/etc/netns/.freeflow-lp.hosts", layout.hosts_file)


class StoreTest(unittest.TestCase):
    def setUp(self):
        self.tmp = tempfile.TemporaryDirectory()
        self.layout = LabLayout(self.tmp.name, "lp")
        self.store = StateStore(self.layout, LabLock(self.layout.lock_file))

    def tearDown(self):
        self.tmp.cleanup()

    def test_no_state(self):
        self.assertIsNone(self.store.load())
        self.assertFalse(self.store.exists())
        with self.store.update() as state:
            self.assertIsNone(state)
        self.assertFalse(os.path.exists(self.layout.dir))

    def test_save_needs_the_lock(self):
        with self.assertRaises(AssertionError):
            self.store.save(sample_state())

    def test_save_load_update(self):
        with self.store.lock:
            self.store.save(sample_state())
        self.assertEqual(sample_state(), self.store.load())
        with self.store.update() as state:
            state.host("h2").router = ROUTER_RUNNING
            state.host("h2").pid = 200
        self.assertEqual(200, self.store.load().host("h2").pid)
        # written whole: no temporary file is left beside it
        self.assertEqual(["lab.json"], os.listdir(self.layout.dir))

    def test_update_that_fails_saves_nothing(self):
        with self.store.lock:
            self.store.save(sample_state())
        with self.assertRaises(RuntimeError):
            with self.store.update() as state:
                state.state = "broken"
                raise RuntimeError("boom")
        self.assertEqual("up", self.store.load().state)

    def test_lock_is_reentrant_and_released(self):
        lock = self.store.lock
        with lock:
            with lock:
                self.assertTrue(lock.held)
            self.assertTrue(lock.held)
        self.assertFalse(lock.held)
        self.assertIsNone(lock.fd)

    def test_lock_excludes_another_holder(self):
        import fcntl

        with self.store.lock:
            fd = os.open(self.layout.lock_file, os.O_WRONLY)
            try:
                with self.assertRaises(BlockingIOError):
                    fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            finally:
                os.close(fd)
        fd = os.open(self.layout.lock_file, os.O_WRONLY)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)  # free again
        finally:
            os.close(fd)


if __name__ == "__main__":
    unittest.main()
