package org.freeflow.ffo.internal.alloc;

import java.util.BitSet;
import java.util.Collection;

/**
 * An IPv4 network in CIDR form (e.g. {@code 10.98.0.0/16}) and the lowest-free
 * host allocation over it.  The network and broadcast addresses are never handed
 * out, so prefixes longer than /30 are refused.
 */
public final class Ipv4Network {

    private final int network;
    private final int prefixLength;

    private Ipv4Network(int network, int prefixLength) {
        this.network = network;
        this.prefixLength = prefixLength;
    }

    /** Parses {@code a.b.c.d/n}; host bits must be zero. */
    public static Ipv4Network parse(String cidr) {
        if (cidr == null) {
            throw new IllegalArgumentException("virtual network is missing");
        }
        int slash = cidr.indexOf('/');
        if (slash < 0) {
            throw new IllegalArgumentException("virtual network '" + cidr + "' lacks a /prefix");
        }
        int prefix;
        try {
            prefix = Integer.parseInt(cidr.substring(slash + 1).trim());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("bad prefix length in '" + cidr + "'", e);
        }
        if (prefix < 8 || prefix > 30) {
            throw new IllegalArgumentException("prefix length of '" + cidr + "' must be 8..30");
        }
        int address = parseAddress(cidr.substring(0, slash).trim());
        if ((address & ~mask(prefix)) != 0) {
            throw new IllegalArgumentException("'" + cidr + "' has host bits set");
        }
        return new Ipv4Network(address, prefix);
    }

    /** Parses a dotted quad into its 32-bit value. */
    public static int parseAddress(String dotted) {
        String[] parts = dotted.split("\\.", -1);
        if (parts.length != 4) {
            throw new IllegalArgumentException("'" + dotted + "' is not an IPv4 address");
        }
        int value = 0;
        for (String part : parts) {
            int octet;
            try {
                octet = Integer.parseInt(part);
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("'" + dotted + "' is not an IPv4 address", e);
            }
            if (part.isEmpty() || part.length() > 3 || octet < 0 || octet > 255) {
                throw new IllegalArgumentException("'" + dotted + "' is not an IPv4 address");
            }
            value = (value << 8) | octet;
        }
        return value;
    }

    /** Formats a 32-bit value as a dotted quad. */
    public static String format(int address) {
        return (address >>> 24) + "." + ((address >>> 16) & 0xff) + "."
                + ((address >>> 8) & 0xff) + "." + (address & 0xff);
    }

    private static int mask(int prefix) {
        return prefix == 0 ? 0 : -1 << (32 - prefix);
    }

    public int prefixLength() {
        return prefixLength;
    }

    /** Number of assignable hosts (size minus network and broadcast). */
    public int hostCount() {
        return (1 << (32 - prefixLength)) - 2;
    }

    /** True when {@code address} is an assignable host of this network. */
    public boolean isHost(int address) {
        int offset = address - network;
        return (address & mask(prefixLength)) == network && offset >= 1 && offset <= hostCount();
    }

    /**
     * The lowest host address not in {@code used} (dotted quads; addresses outside
     * this network are ignored).
     *
     * @throws IllegalStateException when every host address is taken
     */
    public String lowestFree(Collection<String> used) {
        BitSet taken = new BitSet(hostCount() + 1);
        for (String address : used) {
            int value;
            try {
                value = parseAddress(address);
            } catch (IllegalArgumentException e) {
                continue;
            }
            if (isHost(value)) {
                taken.set(value - network);
            }
        }
        int offset = taken.nextClearBit(1);
        if (offset > hostCount()) {
            throw new IllegalStateException("virtual network " + this + " is exhausted");
        }
        return format(network + offset);
    }

    @Override
    public String toString() {
        return format(network) + "/" + prefixLength;
    }
}
