package io.dumpsink.core.s3;

import static org.assertj.core.api.Assertions.assertThat;

import io.dumpsink.core.config.S3Settings;
import io.dumpsink.embedded.EmbeddedS3;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.services.s3.S3Client;

/**
 * Each startup failure against a real thing (a host name that cannot resolve, a closed port, a TLS server with a
 * self-signed certificate, S3Proxy with wrong keys or without the bucket, a JVM with no credentials anywhere)
 * comes back as exactly one line naming the cause and the key to fix.
 */
class BucketCheckTest {
    @TempDir
    Path tmp;
    EmbeddedS3 s3;

    @AfterEach
    void tearDown() throws Exception {
        if (s3 != null) {
            s3.close();
        }
    }

    static S3Settings settings(URI endpoint, String accessKey, String secretKey, boolean createBucket,
            Optional<Path> caFile) {
        return new S3Settings(Optional.of(endpoint), EmbeddedS3.REGION, "dumps", true, accessKey, secretKey,
                S3Settings.RequestChecksums.AUTO, createBucket, caFile);
    }

    private static String problem(S3Settings settings) {
        try (S3Client client = S3Clients.create(settings, 2)) {
            Optional<String> problem = BucketCheck.check(client, settings);
            assertThat(problem).as("a startup problem").isPresent();
            assertThat(problem.get()).as("one line").doesNotContain("\n").doesNotContain("\r");
            return problem.get();
        }
    }

    @Test
    void unknownHostIsNamedInOneLine() {
        String message = problem(settings(URI.create("http://no-such-store.invalid:9000"), "a", "b", false,
                Optional.empty()));
        assertThat(message).isEqualTo("dumpsink.s3.endpoint: unknown host 'no-such-store.invalid' (DNS cannot"
                + " resolve it); check the host name in http://no-such-store.invalid:9000");
    }

    @Test
    void closedPortIsReportedAsConnectionRefusedInOneLine() throws Exception {
        int closedPort;
        try (ServerSocket socket = new ServerSocket(0)) {
            closedPort = socket.getLocalPort();
        }
        String message = problem(settings(URI.create("http://127.0.0.1:" + closedPort), "a", "b", false,
                Optional.empty()));
        assertThat(message).isEqualTo("dumpsink.s3.endpoint: connection refused by 127.0.0.1:" + closedPort
                + "; is the store running, and is the port right?");
    }

    @Test
    void selfSignedCertificateNamesTheCaFileSettingInOneLine() throws Exception {
        Path keyStore = tmp.resolve("s3.p12");
        keytool("-genkeypair", "-alias", "s3", "-keyalg", "RSA", "-keysize", "2048", "-validity", "2",
                "-dname", "CN=127.0.0.1", "-ext", "SAN=ip:127.0.0.1", "-storetype", "PKCS12",
                "-keystore", keyStore.toString(), "-storepass", "changeit", "-keypass", "changeit");
        s3 = EmbeddedS3.startTls(tmp.resolve("s3"), keyStore, "changeit");
        String message = problem(settings(s3.endpoint(), EmbeddedS3.ACCESS_KEY, EmbeddedS3.SECRET_KEY, false,
                Optional.empty()));
        assertThat(message).isEqualTo("dumpsink.s3.ca-file: the TLS certificate of " + s3.endpoint() + " is not"
                + " trusted by the system CAs; set dumpsink.s3.ca-file to a PEM file with the store's CA certificate");
    }

    @Test
    void wrongKeysAreReportedAsAccessDeniedInOneLine() throws Exception {
        s3 = EmbeddedS3.start(tmp.resolve("s3"), 0);
        S3Settings right = settings(s3.endpoint(), EmbeddedS3.ACCESS_KEY, EmbeddedS3.SECRET_KEY, true, Optional.empty());
        try (S3Client client = S3Clients.create(right, 2)) {
            assertThat(BucketCheck.check(client, right)).as("created with the right keys").isEmpty();
        }
        String message = problem(settings(s3.endpoint(), EmbeddedS3.ACCESS_KEY, "not-the-secret", false,
                Optional.empty()));
        assertThat(message).isEqualTo("dumpsink.s3.access-key / dumpsink.s3.secret-key: access denied to bucket"
                + " 'dumps' at " + s3.endpoint() + " (HTTP 403); check the keys and the bucket policy");
    }

    @Test
    void missingBucketIsReportedAsNoSuchBucketInOneLine() throws Exception {
        s3 = EmbeddedS3.start(tmp.resolve("s3"), 0);
        String message = problem(settings(s3.endpoint(), EmbeddedS3.ACCESS_KEY, EmbeddedS3.SECRET_KEY, false,
                Optional.empty()));
        assertThat(message).isEqualTo("dumpsink.s3.bucket: no such bucket 'dumps' at " + s3.endpoint()
                + "; create it, or set dumpsink.s3.create-bucket = true");
    }

    @Test
    void missingBucketIsCreatedWhenCreateBucketIsOn() throws Exception {
        s3 = EmbeddedS3.start(tmp.resolve("s3"), 0);
        S3Settings settings = settings(s3.endpoint(), EmbeddedS3.ACCESS_KEY, EmbeddedS3.SECRET_KEY, true,
                Optional.empty());
        try (S3Client client = S3Clients.create(settings, 2)) {
            assertThat(BucketCheck.check(client, settings)).isEmpty();
            assertThat(client.listBuckets().buckets()).extracting(b -> b.name()).contains("dumps");
        }
    }

    /**
     * Empty keys and nothing for the AWS default chain to find: a child JVM with an empty environment and a fresh
     * home folder (no ~/.aws). Instance metadata is switched off with the SDK's own property, because on a cloud
     * machine with an instance role the chain would rightly find credentials there.
     */
    @Test
    void emptyKeysAndAnEmptyEnvironmentReportNoCredentialsInOneLine() throws Exception {
        s3 = EmbeddedS3.start(tmp.resolve("s3"), 0);
        Path home = tmp.resolve("home");
        java.nio.file.Files.createDirectories(home);
        List<String> command = new ArrayList<>(List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Duser.home=" + home, "-Daws.disableEc2Metadata=true",
                "-cp", System.getProperty("java.class.path"),
                NoCredentialsProbe.class.getName(), s3.endpoint().toString()));
        ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(false);
        builder.environment().clear();
        Process process = builder.start();
        process.getErrorStream().transferTo(java.io.OutputStream.nullOutputStream());
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(process.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(process.exitValue()).as(output).isZero();
        assertThat(output.lines().filter(line -> line.startsWith("PROBLEM: ")).map(line -> line.substring(9)))
                .containsExactly("dumpsink.s3.access-key / dumpsink.s3.secret-key: no credentials found; both"
                + " are empty and the AWS default chain found none (looked in -Daws.accessKeyId, AWS_ACCESS_KEY_ID,"
                + " AWS_WEB_IDENTITY_TOKEN_FILE, EKS pod identity, ~/.aws, container and instance metadata); set"
                + " both keys or give the pod a role");
    }

    /** Run in a child JVM: checks the bucket with empty keys and prints the one-line problem. */
    public static final class NoCredentialsProbe {
        public static void main(String[] args) {
            S3Settings settings = settings(URI.create(args[0]), "", "", false, Optional.empty());
            try (S3Client client = S3Clients.create(settings, 2)) {
                System.out.println("PROBLEM: " + BucketCheck.check(client, settings).orElse("none"));
            }
        }
    }

    private static void keytool(String... args) throws Exception {
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "keytool").toString());
        command.addAll(List.of(args));
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(process.waitFor()).as(output).isZero();
    }
}
