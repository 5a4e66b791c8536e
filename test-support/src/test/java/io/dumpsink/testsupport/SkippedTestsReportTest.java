package io.dumpsink.testsupport;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;
import static org.junit.platform.engine.discovery.DiscoverySelectors.selectClass;
import static org.junit.platform.launcher.core.LauncherDiscoveryRequestBuilder.request;

import org.junit.jupiter.api.Disabled;
import org.junit.jupiter.api.Test;
import org.junit.platform.launcher.core.LauncherConfig;
import org.junit.platform.launcher.core.LauncherFactory;

/** Runs sample tests through a real JUnit Platform launcher and checks the lines the listener prints. */
class SkippedTestsReportTest {
    @Test
    void listsEachSkippedOrAbortedTestWithItsReasonAndNothingForTheOneThatRan() {
        SkippedTestsReport listener = run(SkippingSample.class);
        assertThat(listener.report()).first().isEqualTo("[SKIPPED] 2 test(s) did not run here:");
        assertThat(listener.report()).containsExactlyInAnyOrder(
                "[SKIPPED] 2 test(s) did not run here:",
                "[SKIPPED]   io.dumpsink.testsupport.SkippedTestsReportTest$SkippingSample.needsCeph(): Assumption"
                        + " failed: Ceph RGW not up: start tools/ceph-rgw/start.sh",
                "[SKIPPED]   io.dumpsink.testsupport.SkippedTestsReportTest$SkippingSample.disabled(): no podman here");
    }

    @Test
    void printsNothingWhenEveryTestRan() {
        assertThat(run(RunningSample.class).report()).isEmpty();
    }

    private static SkippedTestsReport run(Class<?> sample) {
        SkippedTestsReport listener = new SkippedTestsReport();
        LauncherFactory.create(LauncherConfig.builder().enableTestExecutionListenerAutoRegistration(false)
                        .build())
                .execute(request().selectors(selectClass(sample)).build(), listener);
        return listener;
    }

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
