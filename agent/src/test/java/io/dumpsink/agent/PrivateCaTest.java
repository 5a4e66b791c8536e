package io.dumpsink.agent;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.dumpsink.core.layout.KeyLayout;
import io.dumpsink.core.lifecycle.StartupException;
import io.dumpsink.agent.testing.Dumps;
import io.dumpsink.agent.testing.TestingAgent;
import io.dumpsink.core.config.S3Settings;
import io.dumpsink.core.s3.S3Clients;
import io.dumpsink.embedded.EmbeddedS3;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.S3Object;

/** A store behind a private CA: a real TLS endpoint (S3Proxy with a key the test makes with keytool). */
class PrivateCaTest {
    @TempDir
    Path tmp;
    EmbeddedS3 s3;
    Path caFile;
    AgentApp agent;

    @BeforeEach
    void setUp() throws Exception {
        Path keyStore = tmp.resolve("s3.p12");
        keytool("-genkeypair", "-alias", "s3", "-keyalg", "RSA", "-keysize", "2048", "-validity", "2",
                "-dname", "CN=127.0.0.1", "-ext", "SAN=ip:127.0.0.1", "-storetype", "PKCS12",
                "-keystore", keyStore.toString(), "-storepass", "changeit", "-keypass", "changeit");
        caFile = tmp.resolve("ca.pem");
        keytool("-exportcert", "-rfc", "-alias", "s3", "-keystore", keyStore.toString(), "-storepass", "changeit",
                "-file", caFile.toString());
        s3 = EmbeddedS3.startTls(tmp.resolve("s3"), keyStore, "changeit");
        Files.createDirectories(tmp.resolve("watch/ns/pod"));
    }

    @AfterEach
    void tearDown() throws Exception {
        if (agent != null) {
            agent.stop();
        }
        s3.close();
    }

    private static void keytool(String... args) throws Exception {
        String keytool = Path.of(System.getProperty("java.home"), "bin", "keytool").toString();
        String[] command = new String[args.length + 1];
        command[0] = keytool;
        System.arraycopy(args, 0, command, 1, args.length);
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        String output = new String(process.getInputStream().readAllBytes());
        assertThat(process.waitFor()).as(output).isZero();
    }

    private TestingAgent agentConfig() {
        return new TestingAgent(s3.endpoint().toString(), EmbeddedS3.ACCESS_KEY, EmbeddedS3.SECRET_KEY,
                tmp.resolve("watch"), tmp.resolve("state"));
    }

    @Test
    void withTheCaFileTheUploadWorks() throws Exception {
        agent = agentConfig().with("dumpsink.s3.ca-file", caFile.toString()).start();
        Files.write(tmp.resolve("watch/ns/pod/x.hprof"), "over TLS".getBytes());
        try (S3Client client = S3Clients.create(new S3Settings(Optional.of(s3.endpoint()), EmbeddedS3.REGION, "dumps",
                true, EmbeddedS3.ACCESS_KEY, EmbeddedS3.SECRET_KEY, S3Settings.RequestChecksums.AUTO, false,
                Optional.of(caFile)), 2)) {
            Dumps.await("the dump over TLS", Duration.ofSeconds(30), () -> client.listObjectsV2(b -> b.bucket("dumps"))
                    .contents().stream().map(S3Object::key).anyMatch(KeyLayout::isManifestKey));
        }
    }

    @Test
    void withoutTheCaFileStartupFailsNamingTheSetting() {
        assertThatThrownBy(() -> agentConfig().start())
                .isInstanceOf(StartupException.class)
                .hasMessageContaining("dumpsink.s3.ca-file");
    }
}
