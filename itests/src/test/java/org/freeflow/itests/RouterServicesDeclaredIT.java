package org.freeflow.itests;

import static org.junit.Assert.assertTrue;
import static org.junit.Assume.assumeTrue;

import java.io.File;
import java.util.jar.JarFile;

import org.junit.Test;

/**
 * Runs outside the container (plain JUnit) so that its skip shows in the
 * report: while the distribution's router-core does not declare a
 * VirtualNicService component, DistributionIT's router checks are inactive
 * (Pax Exam reports an in-container assumption as a pass).
 */
public class RouterServicesDeclaredIT {

    private static final String SERVICE = "org.freeflow.router.api.VirtualNicService";

    @Test
    public void routerCoreDeclaresVirtualNicService() throws Exception {
        String version = System.getProperty("freeflow.version", "0.1.0-SNAPSHOT");
        File jar = new File(System.getProperty("freeflow.assembly", "../assembly/target/assembly"),
                "system/org/freeflow/freeflow-router-core/" + version + "/freeflow-router-core-" + version + ".jar");
        assertTrue("router-core in the distribution: " + jar, jar.isFile());
        try (JarFile file = new JarFile(jar)) {
            String provided = file.getManifest().getMainAttributes().getValue("Provide-Capability");
            assumeTrue("router-core does not provide " + SERVICE + " yet: DistributionIT's router checks are inactive",
                    provided != null && provided.contains(SERVICE));
        }
    }
}
