package io.dumpsink.e2e;

import java.net.URI;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.testcontainers.containers.MinIOContainer;
import org.testcontainers.junit.jupiter.Testcontainers;
import org.testcontainers.utility.DockerImageName;

/**
 * The same scenario against MinIO, where a Docker engine is available; skipped (and reported as skipped) where
 * not. MinIO's community images left Docker Hub in 2026; the frozen tags remain on quay.io.
 */
@Testcontainers(disabledWithoutDocker = true)
class MinioAgentJarTest extends AgentJarScenario {
    static final DockerImageName IMAGE = DockerImageName.parse("quay.io/minio/minio:RELEASE.2025-04-22T22-12-26Z")
            .asCompatibleSubstituteFor("minio/minio");
    static MinIOContainer minio;

    @BeforeAll
    static void startMinio() {
        minio = new MinIOContainer(IMAGE);
        minio.start();
    }

    @AfterAll
    static void stopMinio() {
        if (minio != null) {
            minio.stop();
        }
    }

    @Override
    URI endpoint() {
        return URI.create(minio.getS3URL());
    }

    @Override
    String accessKey() {
        return minio.getUserName();
    }

    @Override
    String secretKey() {
        return minio.getPassword();
    }
}
