package io.dumpsink.e2e;

import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;

/**
 * What users run to find dumps: {@code aws s3 ls --recursive}. A test that uses it first assumes
 * {@link #installed()} with {@link #MISSING} as the reason, so a machine without the CLI reports that test skipped,
 * by name, instead of passing it unchecked.
 */
final class AwsCli {
    static final String MISSING = "AWS CLI not installed: no `aws` on the PATH (.ci/run installs Debian's awscli)";

    private AwsCli() {
    }

    /** True when an {@code aws} program can be started; whether it works is for the test that uses it to find. */
    static boolean installed() throws InterruptedException {
        Process process;
        try {
            process = new ProcessBuilder("aws", "--version").redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
        } catch (IOException e) {
            return false;
        }
        if (!process.waitFor(60, TimeUnit.SECONDS)) {
            process.destroyForcibly();
        }
        return true;
    }

    /** The listing of the whole bucket; fails the test when {@code aws} fails. */
    static String listRecursive(URI endpoint, String accessKey, String secretKey, String bucket)
            throws IOException, InterruptedException {
        ProcessBuilder builder = new ProcessBuilder("aws", "--endpoint-url", endpoint.toString(), "s3", "ls",
                "--recursive", "s3://" + bucket + "/").redirectErrorStream(true);
        builder.environment().put("AWS_ACCESS_KEY_ID", accessKey);
        builder.environment().put("AWS_SECRET_ACCESS_KEY", secretKey);
        builder.environment().put("AWS_DEFAULT_REGION", "us-east-1");
        Process process = builder.start();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!process.waitFor(60, TimeUnit.SECONDS) || process.exitValue() != 0) {
            throw new AssertionError("aws s3 ls failed:\n" + output);
        }
        return output;
    }
}
