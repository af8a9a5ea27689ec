package org.freeflow.itests;

import static org.ops4j.pax.exam.CoreOptions.systemProperty;
import static org.ops4j.pax.exam.karaf.options.KarafDistributionOption.configureConsole;
import static org.ops4j.pax.exam.karaf.options.KarafDistributionOption.editConfigurationFilePut;
import static org.ops4j.pax.exam.karaf.options.KarafDistributionOption.karafDistributionConfiguration;
import static org.ops4j.pax.exam.karaf.options.KarafDistributionOption.keepRuntimeFolder;
import static org.ops4j.pax.exam.karaf.options.KarafDistributionOption.logLevel;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.List;

import org.ops4j.pax.exam.Option;
import org.ops4j.pax.exam.karaf.options.LogLevelOption.LogLevel;
import org.ops4j.pax.exam.options.extra.VMOption;

/**
 * Pax Exam options that boot the assembled FreeFlow distribution: Karaf's own
 * JDK 9+ launcher options (Pax Exam does not use bin/karaf), the Ignite opens
 * from bin/setenv, and free ports plus a temporary socket directory so that a
 * test run never meets a router running on this machine.
 */
final class FreeFlowDistribution {

    static final String HOST = "itest";

    private FreeFlowDistribution() {
    }

    static Option[] options() {
        String karaf = System.getProperty("karaf.version", "4.4.10");
        File distribution = new File(System.getProperty("freeflow.distribution",
                "../assembly/target/freeflow-assembly-0.1.0-SNAPSHOT.tar.gz"));
        if (!distribution.isFile()) {
            throw new IllegalStateException("no distribution at " + distribution.getAbsolutePath()
                    + ": build ../assembly first");
        }
        String socketDir = temporaryDirectory("freeflow-itest-sockets");
        int discovery = freePort();
        List<Option> options = new ArrayList<>();
        options.add(karafDistributionConfiguration()
                .frameworkUrl(distribution.toURI().toString())
                .karafVersion(karaf)
                .name("FreeFlow")
                .unpackDirectory(new File("target/exam"))
                .useDeployFolder(false));
        options.add(configureConsole().ignoreLocalConsole().ignoreRemoteShell());
        options.add(logLevel(LogLevel.INFO));
        if (Boolean.getBoolean("freeflow.itest.keep")) {
            options.add(keepRuntimeFolder());
        }
        options.add(systemProperty("pax.exam.service.timeout").value("60000"));
        for (String arg : launcherOptions(karaf)) {
            options.add(new VMOption(arg));
        }
        for (String arg : igniteOptions()) {
            options.add(new VMOption(arg));
        }
        options.add(editConfigurationFilePut("etc/org.freeflow.router.cfg", "socketDir", socketDir));
        options.add(editConfigurationFilePut("etc/org.freeflow.router.cfg", "hostName", HOST));
        options.add(editConfigurationFilePut("etc/org.freeflow.ffo.cfg", "discoveryAddresses",
                "127.0.0.1:" + discovery));
        options.add(editConfigurationFilePut("etc/org.freeflow.ffo.cfg", "discoveryPort", Integer.toString(discovery)));
        options.add(editConfigurationFilePut("etc/org.freeflow.ffo.cfg", "communicationPort",
                Integer.toString(freePort())));
        options.add(editConfigurationFilePut("etc/org.freeflow.ffo.cfg", "clientConnectorPort",
                Integer.toString(freePort())));
        options.add(editConfigurationFilePut("etc/org.freeflow.ffo.cfg", "localAddress", "127.0.0.1"));
        options.add(editConfigurationFilePut("etc/org.apache.karaf.shell.cfg", "sshPort",
                Integer.toString(freePort())));
        options.add(editConfigurationFilePut("etc/org.apache.karaf.management.cfg", "rmiRegistryPort",
                Integer.toString(freePort())));
        options.add(editConfigurationFilePut("etc/org.apache.karaf.management.cfg", "rmiServerPort",
                Integer.toString(freePort())));
        return options.toArray(new Option[0]);
    }

    /** What bin/karaf adds on Java 9+ (Karaf 4.4). */
    private static List<String> launcherOptions(String karaf) {
        return List.of("--add-reads=java.xml=java.logging",
                "--add-exports=java.base/org.apache.karaf.specs.locator=java.xml,ALL-UNNAMED",
                "--patch-module", "java.base=lib/endorsed/org.apache.karaf.specs.locator-" + karaf + ".jar",
                "--patch-module", "java.xml=lib/endorsed/org.apache.karaf.specs.java.xml-" + karaf + ".jar",
                "--add-opens", "java.base/java.security=ALL-UNNAMED",
                "--add-opens", "java.base/java.net=ALL-UNNAMED",
                "--add-opens", "java.base/java.lang=ALL-UNNAMED",
                "--add-opens", "java.base/java.util=ALL-UNNAMED",
                "--add-opens", "java.naming/javax.naming.spi=ALL-UNNAMED",
                "--add-opens", "java.rmi/sun.rmi.transport.tcp=ALL-UNNAMED",
                "--add-exports=java.base/sun.net.www.protocol.file=ALL-UNNAMED",
                "--add-exports=java.base/sun.net.www.protocol.ftp=ALL-UNNAMED",
                "--add-exports=java.base/sun.net.www.protocol.http=ALL-UNNAMED",
                "--add-exports=java.base/sun.net.www.protocol.https=ALL-UNNAMED",
                "--add-exports=java.base/sun.net.www.protocol.jar=ALL-UNNAMED",
                "--add-exports=java.base/sun.net.www.content.text=ALL-UNNAMED",
                "--add-exports=jdk.xml.dom/org.w3c.dom.html=ALL-UNNAMED",
                "--add-exports=jdk.naming.rmi/com.sun.jndi.url.rmi=ALL-UNNAMED",
                "--add-exports=java.rmi/sun.rmi.registry=ALL-UNNAMED",
                "--add-exports=java.security.sasl/com.sun.security.sasl=ALL-UNNAMED",
                "--add-exports=java.naming/com.sun.jndi.ldap=ALL-UNNAMED",
                "-classpath", "lib/jdk9plus/*:lib/boot/*");
    }

    /** The same as FREEFLOW_IGNITE_OPTS in the distribution's bin/setenv. */
    private static List<String> igniteOptions() {
        List<String> args = new ArrayList<>();
        for (String open : new String[] {"java.base/jdk.internal.access", "java.base/jdk.internal.misc",
                "java.base/sun.nio.ch", "java.base/sun.util.calendar", "java.management/com.sun.jmx.mbeanserver",
                "jdk.internal.jvmstat/sun.jvmstat.monitor", "java.base/sun.reflect.generics.reflectiveObjects",
                "jdk.management/com.sun.management.internal", "java.base/java.io", "java.base/java.nio",
                "java.base/java.util.concurrent", "java.base/java.util.concurrent.locks",
                "java.base/java.util.concurrent.atomic", "java.base/java.lang.invoke", "java.base/java.math",
                "java.sql/java.sql", "java.base/java.lang.reflect", "java.base/java.time", "java.base/java.text",
                "java.management/sun.management", "java.desktop/java.awt.font"}) {
            args.add("--add-opens=" + open + "=ALL-UNNAMED");
        }
        args.add("-Djava.net.preferIPv4Stack=true");
        args.add("-DIGNITE_ENABLE_OBJECT_INPUT_FILTER_AUTOCONFIGURATION=false");
        args.add("-DIGNITE_UPDATE_NOTIFIER=false");
        args.add("-Xms512m");
        args.add("-Xmx1024m");
        return args;
    }

    private static int freePort() {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static String temporaryDirectory(String prefix) {
        try {
            File dir = Files.createTempDirectory(prefix).toFile();
            dir.deleteOnExit();
            return dir.getAbsolutePath();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
