package org.freeflow.transport.tcp.internal;

import java.nio.ByteBuffer;
import org.freeflow.router.api.transport.Payload;

/**
 * A view of one received frame body: its fixed fields by absolute reads
 * from {@link #base}, and the data after them as a one-segment
 * {@link Payload}.  Reused, pointed at one checked body after another.
 */
abstract class BodyView implements Payload {

    /** The body viewed. */
    ByteBuffer body;
    /** Where the body starts in {@link #body}. */
    int base;
    private final int fixed;
    private ByteBuffer data;

    /** @param fixed bytes of the fixed part, before the data */
    BodyView(int fixed) {
        this.fixed = fixed;
    }

    /** Points the view at {@code checkedBody}, which holds at least the fixed part. */
    void view(ByteBuffer checkedBody) {
        body = checkedBody;
        base = checkedBody.position();
        data = null;
    }

    @Override
    public long length() {
        return body.limit() - (base + fixed);
    }

    @Override
    public int segments() {
        return length() == 0 ? 0 : 1;
    }

    @Override
    public ByteBuffer segment(int i) {
        if (data == null) {
            data = body.duplicate().position(base + fixed);
        }
        return data;
    }
}
