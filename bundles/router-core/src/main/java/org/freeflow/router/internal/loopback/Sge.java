package org.freeflow.router.internal.loopback;

/** A scatter-gather entry as the application posts it. */
public record Sge(long addr, int length, int lkey) {
}
