package org.freeflow.router.internal.loopback;

/** What the data-path self-test found wrong: a completion in error, data not intact, a stall. */
final class SelfTestFailure extends RuntimeException {

    private static final long serialVersionUID = 1L;

    SelfTestFailure(String message) {
        super(message, null, false, false);
    }
}
