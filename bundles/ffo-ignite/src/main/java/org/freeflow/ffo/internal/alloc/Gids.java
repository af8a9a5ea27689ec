package org.freeflow.ffo.internal.alloc;

/**
 * Container GIDs: link-local {@code fe80::4646:<32-bit id>}, 0x4646 ("FF")
 * marking FreeFlow, the id unique in the cluster.  Printed in RFC 5952 form.
 */
public final class Gids {

    private Gids() {
    }

    /** The GID text of container id {@code id} (an unsigned 32-bit value). */
    public static String of(int id) {
        return "fe80::4646:" + Integer.toHexString(id >>> 16) + ":" + Integer.toHexString(id & 0xffff);
    }

    /** The id in a GID made by {@link #of}, or -1 when the text is not one. */
    public static long idOf(String gid) {
        String prefix = "fe80::4646:";
        if (gid == null || !gid.startsWith(prefix)) {
            return -1;
        }
        String[] groups = gid.substring(prefix.length()).split(":", -1);
        if (groups.length != 2) {
            return -1;
        }
        try {
            int hi = Integer.parseInt(groups[0], 16);
            int lo = Integer.parseInt(groups[1], 16);
            if (hi > 0xffff || lo > 0xffff || hi < 0 || lo < 0) {
                return -1;
            }
            return ((long) hi << 16) | lo;
        } catch (NumberFormatException e) {
            return -1;
        }
    }

    /** Maps a sequence value onto the id space 1..2^32-1 (0 is never used). */
    public static int idFromSequence(long value) {
        return (int) (Math.floorMod(value - 1, 0xFFFF_FFFFL) + 1);
    }
}
