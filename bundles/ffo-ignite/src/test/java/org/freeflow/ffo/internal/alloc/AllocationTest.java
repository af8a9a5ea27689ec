package org.freeflow.ffo.internal.alloc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;

import org.junit.jupiter.api.Test;

class AllocationTest {

    @Test
    void lidsStartAtOneAndFillGaps() {
        assertEquals(1, LowestFree.lid(List.of()));
        assertEquals(2, LowestFree.lid(List.of(1, 3)));
        assertEquals(4, LowestFree.lid(Set.of(3, 1, 2)));
    }

    @Test
    void lidsStopBeforeMulticast() {
        List<Integer> used = new ArrayList<>();
        for (int lid = 1; lid <= 0xBFFE; lid++) {
            used.add(lid);
        }
        assertEquals(0xBFFF, LowestFree.lid(used));
        used.add(0xBFFF);
        used.add(0xC000); // outside the unicast range: ignored
        assertThrows(IllegalStateException.class, () -> LowestFree.lid(used));
    }

    @Test
    void gidsAreLinkLocalWithTheFreeFlowMarker() {
        assertEquals("fe80::4646:0:1", Gids.of(1));
        assertEquals("fe80::4646:1:2", Gids.of(0x1_0002));
        assertEquals("fe80::4646:ffff:ffff", Gids.of(-1));
        assertEquals(0xFFFF_FFFFL, Gids.idOf(Gids.of(-1)));
        assertEquals(0x1_0002L, Gids.idOf("fe80::4646:1:2"));
        assertEquals(-1L, Gids.idOf("fe80::1"));
    }

    @Test
    void containerIdsNeverZero() {
        assertEquals(1, Gids.idFromSequence(1));
        assertEquals(-1, Gids.idFromSequence(0xFFFF_FFFFL)); // 0xffffffff
        assertEquals(1, Gids.idFromSequence(0x1_0000_0000L)); // wraps past 0
    }

    @Test
    void qpnsAre24BitAndSkipZeroAndOne() {
        assertEquals(2, Qpns.fromSequence(2));
        assertEquals(0xFF_FFFF, Qpns.fromSequence(0xFF_FFFF));
        assertEquals(2, Qpns.fromSequence(0x100_0000));
        assertEquals(3, Qpns.fromSequence(0x100_0001));
        for (long v = 0; v < 5; v++) {
            int qpn = Qpns.fromSequence(v);
            assertEquals(true, qpn >= 2 && qpn <= 0xFF_FFFF, "qpn " + qpn);
        }
    }

    @Test
    void namesAreDnsLabels() {
        assertEquals("c1", Names.container("c1"));
        assertEquals("web-0", Names.container("web-0"));
        assertEquals("default", Names.tenant(null));
        assertEquals("default", Names.tenant(" "));
        assertEquals("acme", Names.tenant("acme"));
        assertThrows(IllegalArgumentException.class, () -> Names.container("-a"));
        assertThrows(IllegalArgumentException.class, () -> Names.container("A"));
        assertThrows(IllegalArgumentException.class, () -> Names.container(""));
        assertThrows(IllegalArgumentException.class, () -> Names.container(null));
        assertThrows(IllegalArgumentException.class, () -> Names.container("a".repeat(64)));
        assertThrows(IllegalArgumentException.class, () -> Names.host("host 1"));
    }
}
