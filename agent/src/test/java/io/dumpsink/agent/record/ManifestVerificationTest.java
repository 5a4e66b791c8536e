package io.dumpsink.agent.record;

import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.dumpsink.agent.AgentApp;
import io.dumpsink.agent.testing.TestingAgent;
import io.dumpsink.agent.testing.TestingS3;
import io.dumpsink.core.manifest.Manifest;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Instant;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.core.sync.RequestBody;

/**
 * Verification by one listing under the dump's key: a manifest beyond the listing's first entries (20 other dumps
 * whose names extend this one's sort before it) is still found, and wrong sizes and missing objects still fail.
 */
class ManifestVerificationTest {
    static final String KEY = "c/n/ns/pod/2026-11-30/010203Z-core";
    @TempDir
    Path tmp;
    TestingS3 s3;
    ManifestRecorder recorder;

    @BeforeEach
    void setUp() throws Exception {
        s3 = new TestingS3(tmp.resolve("s3"));
        s3.createBucket();
        AgentApp app = AgentApp.create(new TestingAgent(s3, tmp.resolve("watch"), tmp.resolve("state")).config());
        recorder = app.get(ManifestRecorder.class);
    }

    @AfterEach
    void tearDown() throws Exception {
        s3.close();
    }

    void put(String key, int size) {
        s3.client.putObject(b -> b.bucket(TestingS3.BUCKET).key(key), RequestBody.fromBytes(new byte[size]));
    }

    Manifest manifest(long storedSize) {
        Instant t = Instant.parse("2026-11-30T01:02:03Z");
        return new Manifest(1, KEY, "dumps", "c", "n", "ns", "pod", "core", "ns/pod/core", "id", 10, "00", storedSize,
                "none", 1 << 20, 1, t, t, t, "dev", "core", true);
    }

    @Test
    void aManifestBeyondTheFirstListedKeysIsFoundAndWrongSizesOrMissingObjectsFail() throws Exception {
        put(KEY, 100);
        for (int i = 0; i < 20; i++) { // other dumps of the same second whose names extend this one's
            put(KEY + ".1" + String.format("%02d", i), 1);
        }
        assertThatThrownBy(() -> recorder.verify(manifest(100), 7)).isInstanceOf(IOException.class)
                .hasMessageContaining("no such object");
        put(KEY + ".json", 7); // sorts after the 20 above: not among the first 16 listed
        assertThatCode(() -> recorder.verify(manifest(100), 7)).doesNotThrowAnyException();
        assertThatThrownBy(() -> recorder.verify(manifest(100), 8)).hasMessageContaining("expectedSize=8 actualSize=7");
        assertThatThrownBy(() -> recorder.verify(manifest(101), 7)).hasMessageContaining("expectedSize=101");
        assertThatThrownBy(() -> recorder.verify(manifestFor(KEY + "x"), -1)).hasMessageContaining("no such object");
    }

    Manifest manifestFor(String key) {
        Instant t = Instant.parse("2026-11-30T01:02:03Z");
        return new Manifest(1, key, "dumps", "c", "n", "ns", "pod", "core", "ns/pod/core", "id", 10, "00", 100,
                "none", 1 << 20, 1, t, t, t, "dev", "core", true);
    }
}
