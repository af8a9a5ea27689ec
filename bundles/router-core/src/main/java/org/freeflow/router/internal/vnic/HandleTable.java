package org.freeflow.router.internal.vnic;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.freeflow.posix.api.Errno;

/**
 * Handles of one kind of object of one verbs context: small positive ints,
 * not reused until they wrap.  Confined to the control thread.
 */
final class HandleTable<T> {

    private final String kind;
    private final int limit;
    private final Map<Integer, T> objects = new HashMap<>();
    private int next = 1;

    HandleTable(String kind, int limit) {
        this.kind = kind;
        this.limit = limit;
    }

    /** The next handle that {@link #put} will use; ENOMEM when the table is full. */
    int reserve() {
        if (objects.size() >= limit) {
            throw new VerbsException(Errno.ENOMEM, "too many " + kind + "s");
        }
        while (next <= 0 || objects.containsKey(next)) {
            next = next <= 0 ? 1 : next + 1;
        }
        return next;
    }

    /** Stores {@code object} under the handle {@link #reserve} returned. */
    void put(int handle, T object) {
        objects.put(handle, object);
        if (handle == next) {
            next++;
        }
    }

    /** The object, or EINVAL. */
    T get(int handle) {
        T object = objects.get(handle);
        if (object == null) {
            throw new VerbsException(Errno.EINVAL, "no " + kind + " with handle " + handle);
        }
        return object;
    }

    /** Forgets the handle. */
    void remove(int handle) {
        objects.remove(handle);
    }

    int size() {
        return objects.size();
    }

    /** Everything, newest handle first (the order to destroy in). */
    List<T> newestFirst() {
        List<Integer> handles = new ArrayList<>(objects.keySet());
        handles.sort((a, b) -> Integer.compare(b, a));
        List<T> out = new ArrayList<>(handles.size());
        for (Integer h : handles) {
            out.add(objects.get(h));
        }
        return out;
    }
}
