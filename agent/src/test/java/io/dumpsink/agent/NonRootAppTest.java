package io.dumpsink.agent;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.dumpsink.agent.testing.Dumps;
import io.dumpsink.agent.testing.OomProgram;
import io.dumpsink.agent.testing.TestingAgent;
import io.dumpsink.agent.testing.TestingS3;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A non-root app (uid 1000) writes its dump into a pod folder the kubelet created (owned by root, 0755). Needs
 * root to set that up, as on a node; elsewhere it is skipped and says so.
 */
class NonRootAppTest {
    @TempDir
    Path tmp;
    TestingS3 s3;
    AgentApp agent;

    @BeforeEach
    void setUp() throws Exception {
        assumeTrue("root".equals(System.getProperty("user.name")), "needs root to create kubelet-like folders");
        s3 = new TestingS3(tmp.resolve("s3"));
    }

    @AfterEach
    void tearDown() throws Exception {
        if (agent != null) {
            agent.stop();
        }
        if (s3 != null) {
            s3.close();
        }
    }

    @Test
    void appRunningAsUid1000WritesItsDumpIntoAKubeletCreatedFolder() throws Exception {
        Files.setPosixFilePermissions(tmp, PosixFilePermissions.fromString("rwxr-xr-x"));
        Path watch = tmp.resolve("watch");
        Path podDir = watch.resolve("shop").resolve("api-1");
        Files.createDirectories(podDir);
        for (Path dir : new Path[] {watch, watch.resolve("shop"), podDir}) {
            Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxr-xr-x")); // as the kubelet does
        }
        agent = new TestingAgent(s3, watch, tmp.resolve("state")).with("dumpsink.agent.settle-time", "1s").start();
        Dumps.await("the pod folder to be writable", Duration.ofSeconds(10), () -> {
            try {
                return Files.getPosixFilePermissions(podDir).equals(PosixFilePermissions.fromString("rwxrwxrwx"));
            } catch (java.io.IOException e) {
                return false;
            }
        });
        assertThat(Files.getPosixFilePermissions(watch.resolve("shop")))
                .as("only pod folders are opened up").isEqualTo(PosixFilePermissions.fromString("rwxr-xr-x"));

        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        Process app = new ProcessBuilder("setpriv", "--reuid=1000", "--regid=1000", "--clear-groups", java,
                "-Xmx16m", "-XX:-UsePerfData", "-XX:+HeapDumpOnOutOfMemoryError", "-XX:HeapDumpPath=" + podDir + "/",
                "-cp", System.getProperty("java.class.path"), OomProgram.class.getName())
                .redirectErrorStream(true).redirectOutput(tmp.resolve("app.log").toFile()).start();
        assertThat(app.waitFor(120, TimeUnit.SECONDS)).isTrue();
        assertThat(Files.readString(tmp.resolve("app.log"))).contains("Dumping heap to").contains("Heap dump file created");

        // the dump, its heap histogram and its manifest
        Dumps.await("the dump in the bucket", Duration.ofSeconds(60), () -> s3.keys().size() == 3);
        assertThat(s3.keys()).allSatisfy(key -> assertThat(key).startsWith("test-cluster/node-1/shop/api-1/"));
        try (var left = Files.list(podDir)) {
            assertThat(left).as("the node's copy is gone").isEmpty();
        }
    }
}
