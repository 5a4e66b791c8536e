package io.dumpsink.testsupport;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;
import static org.junit.platform.engine.discovery.DiscoverySelectors.selectClass;
import static org.junit.platform.launcher.core.LauncherDiscoveryRequestBuilder.request;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;

import org.junit.jupiter.api.Disabled;
import org.junit.jupiter.api.Test;
import org.junit.platform.launcher.core.LauncherConfig;
import org.junit.platform.launcher.core.LauncherFactory;

/** Runs sample tests through a real JUnit Platform launcher and checks the lines the listener prints. */
class SkippedTestsReportTest {
    @Test
    void listsEachSkippedOrAbortedTestWithItsReasonAndNothingForTheOneThatRan() {
        ByteArrayOutputStream printed = new ByteArrayOutputStream();
        SkippedTestsReport listener = run(SkippingSample.class, printed);
        assertThat(listener.report()).first().isEqualTo("[SKIPPED] 2 test(s) did not run here:");
        assertThat(printed.toString(StandardCharsets.UTF_8).lines()).as("what the console gets")
                .containsExactlyElementsOf(listener.report());
        assertThat(listener.report()).containsExactlyInAnyOrder(
                "[SKIPPED] 2 test(s) did not run here:",
                "[SKIPPED]   io.dumpsink.testsupport.SkippedTestsReportTest$SkippingSample.needsCeph(): Assumption"
                        + " failed: Ceph RGW not up: start tools/ceph-rgw/start.sh",
                "[SKIPPED]   io.dumpsink.testsupport.SkippedTestsReportTest$SkippingSample.disabled(): no podman here");
    }

    @Test
    void printsNothingWhenEveryTestRan() {
        ByteArrayOutputStream printed = new ByteArrayOutputStream();
        assertThat(run(RunningSample.class, printed).report()).isEmpty();
        assertThat(printed.size()).isZero();
    }

    /** Runs a sample through its own launcher, printing into {@code printed}, never onto the build's console. */
    private static SkippedTestsReport run(Class<?> sample, ByteArrayOutputStream printed) {
        SkippedTestsReport listener = new SkippedTestsReport(new PrintStream(printed, true, StandardCharsets.UTF_8));
        LauncherFactory.create(LauncherConfig.builder().enableTestExecutionListenerAutoRegistration(false)
                        .build())
                .execute(request().selectors(selectClass(sample)).build(), listener);
        return listener;
    }

    /**
     * Fixtures, not tests of this build: skipped on purpose, and run only by {@link #run}'s own launcher (surefire
     * does not discover nested classes, so its count for this module stays at the two tests above).
     */
    static class SkippingSample {
        @Test
        void runs() {
        }

        @Test
        void needsCeph() {
            assumeTrue(false, "Ceph RGW not up: start tools/ceph-rgw/start.sh");
        }

        @Test
        @Disabled("no podman here")
        void disabled() {
        }
    }

    static class RunningSample {
        @Test
        void runs() {
        }
    }
}
