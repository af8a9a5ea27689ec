package org.freeflow.ffo.internal.alloc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.List;
import java.util.stream.IntStream;

import org.junit.jupiter.api.Test;

class Ipv4NetworkTest {

    @Test
    void firstHostSkipsTheNetworkAddress() {
        Ipv4Network net = Ipv4Network.parse("10.98.0.0/16");
        assertEquals("10.98.0.1", net.lowestFree(List.of()));
        assertEquals(16, net.prefixLength());
        assertEquals(65534, net.hostCount());
        assertEquals("10.98.0.0/16", net.toString());
    }

    @Test
    void takesTheLowestGap() {
        Ipv4Network net = Ipv4Network.parse("10.98.0.0/16");
        assertEquals("10.98.0.2", net.lowestFree(List.of("10.98.0.1", "10.98.0.3")));
        assertEquals("10.98.1.0", net.lowestFree(range("10.98.0.0", 1, 255)));
    }

    @Test
    void ignoresAddressesOutsideAndGarbage() {
        Ipv4Network net = Ipv4Network.parse("192.168.4.0/24");
        assertEquals("192.168.4.1", net.lowestFree(List.of("10.0.0.1", "192.168.4.0", "nonsense")));
    }

    @Test
    void neverHandsOutTheBroadcastAddress() {
        Ipv4Network net = Ipv4Network.parse("10.1.2.0/30");
        assertEquals(2, net.hostCount());
        assertEquals("10.1.2.2", net.lowestFree(List.of("10.1.2.1")));
        assertThrows(IllegalStateException.class, () -> net.lowestFree(List.of("10.1.2.1", "10.1.2.2")));
    }

    @Test
    void exhaustionOfASlash24() {
        Ipv4Network net = Ipv4Network.parse("10.0.0.0/24");
        List<String> all = range("10.0.0.0", 1, 254);
        assertThrows(IllegalStateException.class, () -> net.lowestFree(all));
    }

    @Test
    void rejectsMalformedNetworks() {
        assertThrows(IllegalArgumentException.class, () -> Ipv4Network.parse("10.98.0.1/16"));
        assertThrows(IllegalArgumentException.class, () -> Ipv4Network.parse("10.98.0.0"));
        assertThrows(IllegalArgumentException.class, () -> Ipv4Network.parse("10.98.0.0/31"));
        assertThrows(IllegalArgumentException.class, () -> Ipv4Network.parse("10.98.0/16"));
        assertThrows(IllegalArgumentException.class, () -> Ipv4Network.parse("10.256.0.0/16"));
        assertThrows(IllegalArgumentException.class, () -> Ipv4Network.parse("10.98.0.0/x"));
    }

    @Test
    void formatsAndParsesHighAddresses() {
        assertEquals("255.254.0.1", Ipv4Network.format(Ipv4Network.parseAddress("255.254.0.1")));
    }

    private static List<String> range(String base, int from, int to) {
        int first = Ipv4Network.parseAddress(base);
        return IntStream.rangeClosed(from, to).mapToObj(i -> Ipv4Network.format(first + i)).toList();
    }
}
