package org.freeflow.e2e;

import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

/** The virtual device as the unmodified ibverbs-utils see it from a container. */
@ExtendWith(LabExtension.class)
@Timeout(180)
class DevicesIT {
    private static final Duration RUN = Duration.ofSeconds(30);
    private static final Pattern PORT_LID = Pattern.compile("port_lid:\\s*(\\d+)");

    @Test
    void ibvDevicesListsFreeflow0(Lab lab) throws InterruptedException {
        ProcessResult r = lab.container("dev-list").run(RUN, "ibv_devices").assertSuccess();
        assertTrue(Pattern.compile("(?m)^\\s*freeflow0\\s+[0-9a-f]{16}\\s*$").matcher(r.output()).find(),
                () -> "freeflow0 and its node GUID are not listed: " + r.describe());
    }

    @Test
    void ibvDevinfoShowsAnActiveInfinibandPort(Lab lab) throws InterruptedException {
        ProcessResult r = lab.container("dev-info").run(RUN, "ibv_devinfo").assertSuccess();
        String out = r.output();
        for (String expected : new String[] {
            "hca_id:\\s*freeflow0", "transport:\\s*InfiniBand", "vendor_id:\\s*0x1af4",
            "phys_port_cnt:\\s*1", "port:\\s*1", "state:\\s*PORT_ACTIVE", "link_layer:\\s*InfiniBand"}) {
            assertTrue(Pattern.compile(expected).matcher(out).find(), () -> "no '" + expected + "': " + r.describe());
        }
        assertNotEquals(0, lid(r), () -> "LID 0: " + r.describe());
    }

    @Test
    void everyContainerHasItsOwnLid(Lab lab) throws InterruptedException {
        try (LabProcess first = lab.container("dev-lid-a").start("sh", "-c", "ibv_devinfo && sleep 30")) {
            assertTrue(first.awaitOutput(PORT_LID, RUN), () -> "no port_lid from the first container:\n" + first.output());
            ProcessResult second = lab.container("dev-lid-b").run(RUN, "ibv_devinfo").assertSuccess();
            Matcher m = PORT_LID.matcher(first.output());
            assertTrue(m.find());
            assertNotEquals(Integer.parseInt(m.group(1)), lid(second),
                    () -> "two containers with one LID:\n" + first.output() + "\n" + second.describe());
        }
    }

    private static int lid(ProcessResult r) {
        Matcher m = PORT_LID.matcher(r.output());
        assertTrue(m.find(), () -> "no port_lid: " + r.describe());
        return Integer.parseInt(m.group(1));
    }
}
