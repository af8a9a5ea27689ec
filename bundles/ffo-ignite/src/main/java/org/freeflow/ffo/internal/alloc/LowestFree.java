package org.freeflow.ffo.internal.alloc;

import java.util.BitSet;
import java.util.Collection;

/** Lowest-free allocation of small integers (LIDs). */
public final class LowestFree {

    /** First unicast LID. */
    public static final int MIN_LID = 1;
    /** Last unicast LID (0xC000 and above are multicast). */
    public static final int MAX_LID = 0xBFFF;

    private LowestFree() {
    }

    /**
     * The lowest value of [min, max] not in {@code used}.
     *
     * @throws IllegalStateException when all are taken
     */
    public static int in(Collection<Integer> used, int min, int max, String what) {
        BitSet taken = new BitSet(max - min + 1);
        for (Integer value : used) {
            if (value != null && value >= min && value <= max) {
                taken.set(value - min);
            }
        }
        int offset = taken.nextClearBit(0);
        if (offset > max - min) {
            throw new IllegalStateException("no free " + what + " left in " + min + ".." + max);
        }
        return min + offset;
    }

    /** The lowest free unicast LID. */
    public static int lid(Collection<Integer> used) {
        return in(used, MIN_LID, MAX_LID, "LID");
    }
}
