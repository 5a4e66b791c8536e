package io.dumpsink.cli;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.dumpsink.core.config.S3Settings;
import io.dumpsink.core.s3.S3Clients;
import java.net.URI;
import java.util.Optional;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import software.amazon.awssdk.services.s3.S3Client;

/**
 * The CLI contract against Ceph RGW (Ceph 16 refuses the SDK's trailing checksums), each test in a bucket of its
 * own. Runs where tools/ceph-rgw/start.sh started one and DUMPSINK_TEST_RGW_ENDPOINT names it; elsewhere every test
 * is reported as skipped, saying why.
 */
class CliCephRgwTest extends CliContract {
    static final String ENDPOINT = System.getenv("DUMPSINK_TEST_RGW_ENDPOINT");
    String bucket;
    S3Client client;

    @BeforeEach
    void connect() {
        assumeTrue(ENDPOINT != null && !ENDPOINT.isBlank(),
                "Ceph RGW not up: start tools/ceph-rgw/start.sh and set DUMPSINK_TEST_RGW_ENDPOINT");
        bucket = "cli-" + UUID.randomUUID().toString().substring(0, 8);
        client = S3Clients.create(new S3Settings(Optional.of(URI.create(ENDPOINT)), "us-east-1", bucket, true,
                accessKey(), secretKey(), S3Settings.RequestChecksums.AUTO, true, Optional.empty()), 4);
    }

    @AfterEach
    void disconnect() {
        if (client != null) {
            client.close();
        }
    }

    @Override
    String endpoint() {
        return ENDPOINT;
    }

    @Override
    String accessKey() {
        return "AKIDEXAMPLE";
    }

    @Override
    String secretKey() {
        return "SECRETEXAMPLEKEY";
    }

    @Override
    String bucket() {
        return bucket;
    }

    @Override
    S3Client client() {
        return client;
    }
}
