package org.freeflow.router.internal.testing;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import java.util.List;

/**
 * Values for the fuzz targets: mostly ones that mean something (a live
 * handle, a bound, a bound plus or minus one), sometimes anything, so that
 * the fuzzer gets past the first check of an operation and still tries the
 * edges.
 */
public final class FuzzValues {

    private FuzzValues() {
    }

    /** One of {@code candidates} (7 times in 8), else any int. */
    public static int pick(FuzzedDataProvider data, int... candidates) {
        if (candidates.length == 0 || data.consumeInt(0, 7) == 7) {
            return data.consumeInt();
        }
        return candidates[data.consumeInt(0, candidates.length - 1)];
    }

    /** One of {@code candidates}, always. */
    public static int oneOf(FuzzedDataProvider data, int... candidates) {
        return candidates[data.consumeInt(0, candidates.length - 1)];
    }

    /** One of {@code candidates} (7 times in 8), else any long. */
    public static long pickLong(FuzzedDataProvider data, long... candidates) {
        if (candidates.length == 0 || data.consumeInt(0, 7) == 7) {
            return data.consumeLong();
        }
        return candidates[data.consumeInt(0, candidates.length - 1)];
    }

    /** {@code base} moved by -2..2 (3 times in 4), else any int. */
    public static int near(FuzzedDataProvider data, int base) {
        return data.consumeInt(0, 3) == 3 ? data.consumeInt() : base + data.consumeInt(-2, 2);
    }

    /** {@code base} moved by -2..2 (3 times in 4), else any long. */
    public static long nearLong(FuzzedDataProvider data, long base) {
        return data.consumeInt(0, 3) == 3 ? data.consumeLong() : base + data.consumeInt(-2, 2);
    }

    /**
     * A handle for a request: one that was handed out (live or since
     * destroyed), else 0, a small number or anything.
     */
    public static int handle(FuzzedDataProvider data, List<Integer> handedOut) {
        int choice = data.consumeInt(0, 7);
        if (choice < 5 && !handedOut.isEmpty()) {
            return handedOut.get(data.consumeInt(0, handedOut.size() - 1));
        }
        return choice == 7 ? data.consumeInt() : data.consumeInt(0, 4);
    }

    /** A subset of {@code bits} (7 times in 8), else any int. */
    public static int flags(FuzzedDataProvider data, int bits) {
        return data.consumeInt(0, 7) == 7 ? data.consumeInt() : data.consumeInt() & bits;
    }
}
