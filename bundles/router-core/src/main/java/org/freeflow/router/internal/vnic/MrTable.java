package org.freeflow.router.internal.vnic;

import org.freeflow.posix.api.Errno;

/**
 * The memory regions of one container, by key: {@code key = (index << 8) |
 * generation}, lkey == rkey.  A slot's generation changes every time it is
 * reused, so a stale key does not name the new region.  Changed on the
 * poller thread only (through PollerService.call); {@link #lookup} is also
 * made by transport threads, which may see the table a moment old (a region
 * is immutable, its fields final: a stale hit is a region just deregistered,
 * which {@link MemoryRegion#beginWrite} refuses).
 */
final class MrTable {

    interface RegionFactory {
        MemoryRegion create(int key);
    }

    private static final int MAX_INDEX = (1 << 24) - 1;

    private final int limit;
    private MemoryRegion[] slots = new MemoryRegion[16];
    private byte[] generations = new byte[16];
    private int[] free = new int[16];
    private int freeCount;
    private int nextIndex = 1;
    private int count;

    MrTable(int limit) {
        this.limit = Math.min(limit, MAX_INDEX);
    }

    /** The region named by {@code key}, or null. */
    MemoryRegion lookup(int key) {
        int index = key >>> 8;
        MemoryRegion[] all = slots; // read once: another thread's lookup may race a grow
        if (index >= all.length) {
            return null;
        }
        MemoryRegion mr = all[index];
        return mr != null && mr.key == key ? mr : null;
    }

    /** Picks a key, creates the region with it and stores it; ENOMEM when full. */
    MemoryRegion add(RegionFactory factory) {
        if (count >= limit) {
            throw new VerbsException(Errno.ENOMEM, "too many memory regions");
        }
        int index = freeCount > 0 ? free[--freeCount] : nextIndex++;
        if (index >= slots.length) {
            grow(Math.max(index + 1, slots.length * 2));
        }
        int generation = (generations[index] + 1) & 0xff;
        generations[index] = (byte) generation;
        MemoryRegion mr;
        try {
            mr = factory.create((index << 8) | generation);
        } catch (RuntimeException e) {
            free[freeCount++] = index;
            throw e;
        }
        slots[index] = mr;
        count++;
        return mr;
    }

    /** Removes {@code mr}; its key stops resolving at once. */
    void remove(MemoryRegion mr) {
        int index = mr.key >>> 8;
        if (index < slots.length && slots[index] == mr) {
            slots[index] = null;
            if (freeCount == free.length) {
                free = java.util.Arrays.copyOf(free, free.length * 2);
            }
            free[freeCount++] = index;
            count--;
        }
    }

    int size() {
        return count;
    }

    private void grow(int size) {
        slots = java.util.Arrays.copyOf(slots, size);
        generations = java.util.Arrays.copyOf(generations, size);
        if (free.length < size) {
            free = java.util.Arrays.copyOf(free, size);
        }
    }
}
