package io.dumpsink.cli;

import io.dumpsink.agent.testing.TestingS3;
import io.dumpsink.embedded.EmbeddedS3;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import software.amazon.awssdk.services.s3.S3Client;

/** The CLI contract against S3Proxy, in-process on a temp folder. */
class CliS3ProxyTest extends CliContract {
    TestingS3 s3;

    @BeforeEach
    void startS3() throws Exception {
        s3 = new TestingS3(tmp.resolve("s3"));
    }

    @AfterEach
    void stopS3() throws Exception {
        s3.close();
    }

    @Override
    String endpoint() {
        return s3.server.endpoint().toString();
    }

    @Override
    String accessKey() {
        return EmbeddedS3.ACCESS_KEY;
    }

    @Override
    String secretKey() {
        return EmbeddedS3.SECRET_KEY;
    }

    @Override
    String bucket() {
        return TestingS3.BUCKET;
    }

    @Override
    S3Client client() {
        return s3.client;
    }
}
