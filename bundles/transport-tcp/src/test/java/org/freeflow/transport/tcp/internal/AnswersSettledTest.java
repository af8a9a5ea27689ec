package org.freeflow.transport.tcp.internal;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.freeflow.router.api.transport.Acknowledgements;
import org.junit.jupiter.api.Test;

class AnswersSettledTest {

    private final AnswersSettled answers = new AnswersSettled();

    @Test
    void aRequestWaitsForEachRequesterThroughTheHighestPsnAnsweredBeforeItAndNoFurther() {
        InboundExecutorTest.Requester a = new InboundExecutorTest.Requester();
        InboundExecutorTest.Requester b = new InboundExecutorTest.Requester();
        answers.answered(a, 3);
        answers.answered(b, 1);
        answers.answered(a, 5);
        answers.answered(a, 4); // an answer repeated after a reconnect: no lower mark
        AnswersSettled.Owed owed = answers.take();
        assertArrayEquals(new Acknowledgements[] {a, b}, owed.requesters());
        assertArrayEquals(new long[] {5, 1}, owed.through());
        assertNull(answers.take(), "taken: the next request waits for nothing");

        answers.answered(a, 9); // answers behind the request do not hold it up
        a.completedThrough = 4;
        b.completedThrough = 1;
        assertTrue(owed.unsettled(), "a completed 4 of the 5 answered before the request");
        a.completedThrough = 5;
        assertFalse(owed.unsettled(), "a has not completed 9 yet: that came after the request");
    }

    @Test
    void manyRequestersAreAllWaitedFor() {
        InboundExecutorTest.Requester[] requesters = new InboundExecutorTest.Requester[9];
        for (int i = 0; i < requesters.length; i++) {
            requesters[i] = new InboundExecutorTest.Requester();
            answers.answered(requesters[i], i);
            requesters[i].completedThrough = i;
        }
        requesters[8].completedThrough = 7;
        AnswersSettled.Owed owed = answers.take();
        assertTrue(owed.unsettled());
        requesters[8].completedThrough = 8;
        assertFalse(owed.unsettled());
    }
}
