package io.dumpsink.testsupport;

import java.io.FileDescriptor;
import java.io.FileOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.platform.engine.TestExecutionResult;
import org.junit.platform.launcher.TestExecutionListener;
import org.junit.platform.launcher.TestIdentifier;
import org.junit.platform.launcher.TestPlan;

/**
 * Prints, at the end of a module's test run, one line per skipped test with its reason (Ceph RGW not up, no
 * Docker engine, no JDK 22+, not root, no podman, ...), so the console of {@code mvn -B verify} says what did not
 * run and why, not only the report files. Registered through {@code META-INF/services}; the JUnit Platform loads
 * it in every module whose tests have this module on their class path.
 *
 * <p>Skipped means either disabled before it ran (an {@code ExecutionCondition} such as Testcontainers'
 * {@code disabledWithoutDocker}, {@code @Disabled}) or aborted by a failed assumption ({@code assumeTrue}).
 */
public final class SkippedTestsReport implements TestExecutionListener {
    private final List<String> skipped = new ArrayList<>();
    private final PrintStream console;
    private TestPlan plan;

    /**
     * Prints straight to the process's stderr: surefire sends System.out/err of a test run to report files
     * (redirectTestOutputToFile), and it shows its forked JVM's own stderr on the console.
     */
    public SkippedTestsReport() {
        this(new PrintStream(new FileOutputStream(FileDescriptor.err), true, StandardCharsets.UTF_8));
    }

    /** Prints to {@code console}: this module's own test runs sample tests and must not print their lines. */
    SkippedTestsReport(PrintStream console) {
        this.console = console;
    }

    @Override
    public synchronized void testPlanExecutionStarted(TestPlan testPlan) {
        plan = testPlan;
        skipped.clear();
    }

    @Override
    public synchronized void executionSkipped(TestIdentifier test, String reason) {
        skipped.add(name(test) + ": " + oneLine(reason));
    }

    @Override
    public synchronized void executionFinished(TestIdentifier test, TestExecutionResult result) {
        if (result.getStatus() == TestExecutionResult.Status.ABORTED) {
            skipped.add(name(test) + ": " + result.getThrowable().map(t -> oneLine(t.getMessage()))
                    .orElse("aborted"));
        }
    }

    @Override
    public synchronized void testPlanExecutionFinished(TestPlan testPlan) {
        List<String> report = report();
        if (report.isEmpty()) {
            return;
        }
        report.forEach(console::println);
        console.flush();
    }

    /** The lines printed at the end of the run: none when nothing was skipped. */
    synchronized List<String> report() {
        if (skipped.isEmpty()) {
            return List.of();
        }
        List<String> report = new ArrayList<>();
        report.add("[SKIPPED] " + skipped.size() + " test(s) did not run here:");
        skipped.forEach(line -> report.add("[SKIPPED]   " + line));
        return report;
    }

    private String name(TestIdentifier test) {
        String name = test.getDisplayName();
        Optional<TestIdentifier> parent = plan == null ? Optional.empty() : plan.getParent(test);
        if (parent.isPresent() && parent.get().isContainer() && parent.get().getParentId().isPresent()) {
            return parent.get().getLegacyReportingName() + "." + test.getLegacyReportingName();
        }
        return test.getLegacyReportingName().isBlank() ? name : test.getLegacyReportingName();
    }

    private static String oneLine(String text) {
        return text == null || text.isBlank() ? "no reason given" : text.replaceAll("\\s+", " ").trim();
    }
}
