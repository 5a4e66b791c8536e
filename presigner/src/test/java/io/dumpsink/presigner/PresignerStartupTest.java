package io.dumpsink.presigner;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.typesafe.config.ConfigFactory;
import io.dumpsink.core.config.ConfigLoader;
import io.dumpsink.core.config.S3Settings;
import io.dumpsink.core.lifecycle.StartupException;
import io.dumpsink.core.s3.S3Clients;
import io.dumpsink.embedded.EmbeddedS3;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.services.s3.S3Client;

/** The presigner checks its bucket before it serves, and a failure is one line naming the key to fix. */
class PresignerStartupTest {
    @TempDir
    Path tmp;
    EmbeddedS3 s3;

    @BeforeEach
    void setUp() throws Exception {
        s3 = EmbeddedS3.start(tmp.resolve("s3"), 0);
    }

    @AfterEach
    void tearDown() throws Exception {
        s3.close();
    }

    private PresignerApp presigner(String secretKey) {
        return PresignerApp.create(ConfigLoader.load(ConfigFactory.parseMap(Map.of(
                "dumpsink.s3.endpoint", s3.endpoint().toString(),
                "dumpsink.s3.path-style", true,
                "dumpsink.s3.access-key", EmbeddedS3.ACCESS_KEY,
                "dumpsink.s3.secret-key", secretKey,
                "dumpsink.presigner.port", 0, "dumpsink.presigner.management-port", 0,
                "dumpsink.presigner.tokens", List.of("0123456789abcdef0123")), "test"), Map.of()));
    }

    @Test
    void missingBucketStopsStartupWithOneLine() {
        PresignerApp presigner = presigner(EmbeddedS3.SECRET_KEY);
        assertThatThrownBy(presigner::start)
                .isInstanceOf(StartupException.class)
                .hasMessage("dumpsink.s3.bucket: no such bucket 'dumps' at " + s3.endpoint()
                        + "; create it, or set dumpsink.s3.create-bucket = true");
    }

    @Test
    void wrongKeysStopStartupWithOneLine() throws Exception {
        try (S3Client client = S3Clients.create(new S3Settings(Optional.of(s3.endpoint()), EmbeddedS3.REGION,
                "dumps", true, EmbeddedS3.ACCESS_KEY, EmbeddedS3.SECRET_KEY, S3Settings.RequestChecksums.AUTO, false,
                Optional.empty()), 1)) {
            client.createBucket(b -> b.bucket("dumps"));
        }
        PresignerApp presigner = presigner("wrong-secret");
        assertThatThrownBy(presigner::start)
                .isInstanceOf(StartupException.class)
                .hasMessage("dumpsink.s3.access-key / dumpsink.s3.secret-key: access denied to bucket 'dumps' at "
                        + s3.endpoint() + " (HTTP 403); check the keys and the bucket policy");
    }
}
