package org.freeflow.posix.api;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

class MembarrierTest {

    @Test
    void globalExpeditedWorksExactlyWhenTheKernelSaysItIsSupported() {
        boolean supported = Membarrier.globalExpeditedSupported();
        boolean worked;
        try {
            for (int i = 0; i < 100; i++) {
                Membarrier.globalExpedited();
            }
            worked = true;
        } catch (PosixException e) {
            worked = false;
        }
        assertEquals(supported, worked);
    }
}
