package io.dumpsink.agent.testing;

import io.dumpsink.core.config.S3Settings;
import io.dumpsink.core.s3.S3Clients;
import io.dumpsink.embedded.EmbeddedS3;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.S3Object;

/** A real S3 server (S3Proxy on a temp dir) plus a client the test uses to look into the bucket. */
public final class TestingS3 implements AutoCloseable {
    public static final String BUCKET = "dumps";
    public final EmbeddedS3 server;
    public final S3Client client;

    public TestingS3(Path dir) throws Exception {
        server = EmbeddedS3.start(dir, 0);
        client = S3Clients.create(settings(), 8);
    }

    public S3Settings settings() {
        return new S3Settings(Optional.of(server.endpoint()), EmbeddedS3.REGION, BUCKET, true,
                EmbeddedS3.ACCESS_KEY, EmbeddedS3.SECRET_KEY, S3Settings.RequestChecksums.AUTO, true, Optional.empty());
    }

    public void createBucket() {
        client.createBucket(b -> b.bucket(BUCKET));
    }

    public List<String> keys() {
        return client.listObjectsV2Paginator(b -> b.bucket(BUCKET)).contents().stream().map(S3Object::key)
                .sorted().toList();
    }

    public byte[] get(String key) {
        return client.getObjectAsBytes(b -> b.bucket(BUCKET).key(key)).asByteArray();
    }

    @Override
    public void close() throws Exception {
        client.close();
        server.close();
    }
}
