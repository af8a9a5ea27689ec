package org.freeflow.transport.tcp.internal;

import java.util.Arrays;
import org.freeflow.router.api.transport.Acknowledgements;

/**
 * The answers a connection passed to this router's requesters since the
 * last request came in, as the PSN each requester was answered through: a
 * request that comes in next is executed once each of them settled that far
 * ({@link Acknowledgements#settled(long)}); answers that come in after it do
 * not hold it up.  One per connection, on its I/O thread.
 */
final class AnswersSettled {

    /** What a request waits for: requester {@code i} settled through {@code through[i]}. */
    record Owed(Acknowledgements[] requesters, long[] through) {

        /** True while one of the requesters has not settled what it was answered before the request. */
        boolean unsettled() {
            for (int i = 0; i < requesters.length; i++) {
                if (!requesters[i].settled(through[i])) {
                    return true;
                }
            }
            return false;
        }
    }

    private Acknowledgements[] requesters = new Acknowledgements[4];
    private long[] through = new long[4];
    private int size;

    /** {@code to} was answered through {@code psn}. */
    void answered(Acknowledgements to, long psn) {
        for (int i = 0; i < size; i++) {
            if (requesters[i] == to) {
                through[i] = Math.max(through[i], psn);
                return;
            }
        }
        if (size == requesters.length) {
            requesters = Arrays.copyOf(requesters, 2 * size);
            through = Arrays.copyOf(through, 2 * size);
        }
        requesters[size] = to;
        through[size++] = psn;
    }

    /** True when a request that came in now would wait for nothing. */
    boolean none() {
        return size == 0;
    }

    /** What a request that comes in now waits for (null: nothing), and forgets it. */
    Owed take() {
        if (size == 0) {
            return null;
        }
        Owed owed = new Owed(Arrays.copyOf(requesters, size), Arrays.copyOf(through, size));
        Arrays.fill(requesters, 0, size, null);
        size = 0;
        return owed;
    }
}
