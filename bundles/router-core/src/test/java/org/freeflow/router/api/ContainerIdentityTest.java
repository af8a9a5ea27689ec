package org.freeflow.router.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import org.freeflow.router.api.ContainerIdentity.Namespace;
import org.junit.jupiter.api.Test;

class ContainerIdentityTest {

    private static final Namespace NS = new Namespace(4, 4026532000L);

    @Test
    void everyPartGivenMustMatch() {
        ContainerIdentity id = new ContainerIdentity(NS, "/lab/c1", 1000, 1000);
        assertTrue(id.admits(1000, 1000, NS, "/lab/c1"));
        assertTrue(id.admits(1000, 1000, NS, "/lab/c1/worker"), "a cgroup below the container's");
        assertFalse(id.admits(1000, 1000, NS, "/lab/c10"), "a sibling whose name starts alike");
        assertFalse(id.admits(1001, 1000, NS, "/lab/c1"), "another uid");
        assertFalse(id.admits(1000, 1001, NS, "/lab/c1"), "another gid");
        assertFalse(id.admits(1000, 1000, new Namespace(4, 4026532001L), "/lab/c1"), "another netns");
        assertFalse(id.admits(1000, 1000, null, "/lab/c1"), "a peer whose netns could not be read");
        assertFalse(id.admits(1000, 1000, NS, null), "a peer whose cgroup could not be read");
    }

    @Test
    void partsNotGivenMatchAnything() {
        ContainerIdentity id = new ContainerIdentity(NS, null, -1, -1);
        assertTrue(id.admits(0, 0, NS, null));
        assertTrue(id.admits(65534, 65534, NS, "/anything"));
        assertEquals("netns net:[4026532000]", id.toString());
        assertEquals("netns net:[4026532000], uid 0, gid 5", id.runningAs(0, 5).toString());
    }

    @Test
    void aUidAloneIsNoIdentity() {
        assertThrows(IllegalArgumentException.class, () -> new ContainerIdentity(null, null, 0, 0));
        assertThrows(IllegalArgumentException.class, () -> new ContainerIdentity(null, "relative", -1, -1));
        assertThrows(IllegalArgumentException.class, () -> new ContainerIdentity(NS, null, -2, -1));
    }

    @Test
    void theNamespaceOfAPathIsItsNsfsInode() throws Exception {
        Namespace self = Namespace.of(Path.of("/proc/self/ns/net"));
        assertEquals(self, Namespace.of(Path.of("/proc/thread-self/ns/net")), "same namespace, same name");
        assertTrue(ContainerIdentity.ofNetworkNamespace(Path.of("/proc/self/ns/net")).admits(0, 0, self, null));
    }
}
