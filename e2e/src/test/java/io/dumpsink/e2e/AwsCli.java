package io.dumpsink.e2e;

import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/** What users run to find dumps: {@code aws s3 ls --recursive}. Used when the AWS CLI is installed. */
final class AwsCli {
    private AwsCli() {
    }

    /** The listing, or empty (and a note on stderr) when no {@code aws} is on the PATH. */
    static Optional<String> listRecursive(URI endpoint, String accessKey, String secretKey, String bucket)
            throws IOException, InterruptedException {
        ProcessBuilder builder = new ProcessBuilder("aws", "--endpoint-url", endpoint.toString(), "s3", "ls",
                "--recursive", "s3://" + bucket + "/").redirectErrorStream(true);
        builder.environment().put("AWS_ACCESS_KEY_ID", accessKey);
        builder.environment().put("AWS_SECRET_ACCESS_KEY", secretKey);
        builder.environment().put("AWS_DEFAULT_REGION", "us-east-1");
        Process process;
        try {
            process = builder.start();
        } catch (IOException e) {
            System.err.println("AWS CLI not installed: the `aws s3 ls` check is not run (.ci/run installs it)");
            return Optional.empty();
        }
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!process.waitFor(60, TimeUnit.SECONDS) || process.exitValue() != 0) {
            throw new AssertionError("aws s3 ls failed:\n" + output);
        }
        return Optional.of(output);
    }
}
