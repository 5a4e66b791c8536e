package io.dumpsink.presigner.index;

import static org.assertj.core.api.Assertions.assertThat;

import io.dumpsink.core.config.S3Settings;
import io.dumpsink.core.lifecycle.Closer;
import io.dumpsink.core.s3.S3Clients;
import io.dumpsink.embedded.EmbeddedS3;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.S3Client;

/** The in-memory index against a real bucket listing (S3Proxy): what it keeps, adds, drops and how it pages. */
class DumpIndexTest {
    @TempDir
    Path tmp;
    EmbeddedS3 s3;
    S3Client client;
    Closer closer = new Closer();
    DumpIndex index;

    @BeforeEach
    void setUp() throws Exception {
        s3 = EmbeddedS3.start(tmp.resolve("s3"), 0);
        client = S3Clients.create(new S3Settings(Optional.of(s3.endpoint()), "us-east-1", "dumps", true,
                EmbeddedS3.ACCESS_KEY, EmbeddedS3.SECRET_KEY, S3Settings.RequestChecksums.AUTO, false,
                Optional.empty()), 4);
        client.createBucket(b -> b.bucket("dumps"));
        index = new DumpIndex(client, "dumps", Duration.ofMinutes(5), Clock.systemUTC(), null, closer);
    }

    @AfterEach
    void tearDown() throws Exception {
        closer.close();
        client.close();
        s3.close();
    }

    private void put(String key, int size) {
        client.putObject(b -> b.bucket("dumps").key(key), RequestBody.fromBytes(new byte[size]));
        client.putObject(b -> b.bucket("dumps").key(key + ".json"),
                RequestBody.fromString("{}", StandardCharsets.UTF_8));
    }

    @Test
    void listingKeepsDumpsWithAManifestAndTheirSizesAndIgnoresOtherObjects() {
        put("prod/node-a/shop/api-1/2026-11-28/081530Z-a.hprof.zst", 7);
        client.putObject(b -> b.bucket("dumps").key("prod/node-a/shop/api-1/2026-11-28/081531Z-b.hprof.zst"),
                RequestBody.fromBytes(new byte[3])); // an upload in progress: no manifest yet
        client.putObject(b -> b.bucket("dumps").key("notes/readme.json"), RequestBody.fromString("{}"));
        index.listBucket();
        assertThat(index.size()).isEqualTo(1);
        assertThat(index.get("prod/node-a/shop/api-1/2026-11-28/081530Z-a.hprof.zst")).get()
                .extracting(DumpIndex.Entry::storedSize).isEqualTo(7L);
    }

    @Test
    void aCatchUpListingDropsDumpsWhoseManifestIsGoneButKeepsFreshEvents() {
        String gone = "prod/node-a/shop/api-1/2026-11-28/081530Z-a.hprof.zst";
        put(gone, 1);
        index.listBucket();
        client.deleteObject(b -> b.bucket("dumps").key(gone + ".json"));
        // An event for a dump the listing below cannot see yet (another store view, a racing upload).
        String fresh = "prod/node-a/shop/api-2/2026-11-28/081530Z-b.hprof.zst";
        index.put(new DumpIndex.Entry(fresh, Instant.now().toEpochMilli(), 1));
        index.put(new DumpIndex.Entry(gone, Instant.parse("2026-11-28T08:15:40Z").toEpochMilli(), 1));
        index.listBucket();
        assertThat(index.get(gone)).isEmpty();
        assertThat(index.get(fresh)).isPresent();
    }

    @Test
    void pagesAreNewestFirstAndFiltersUseTheirSets() {
        for (int i = 0; i < 30; i++) {
            String ns = i % 3 == 0 ? "shop" : "billing";
            index.put(new DumpIndex.Entry("prod/node-" + (i % 2) + "/" + ns + "/pod-" + (i % 5) + "/2026-11-28/"
                    + String.format("%06d", i) + "Z-x.hprof.zst", 1_000_000L * i, 1));
        }
        DumpIndex.Page first = index.query(DumpIndex.Query.all(), 4);
        assertThat(first.entries()).extracting(DumpIndex.Entry::storedAtMillis)
                .containsExactly(29_000_000L, 28_000_000L, 27_000_000L, 26_000_000L);
        DumpIndex.Page second = index.query(new DumpIndex.Query(Optional.empty(), Optional.empty(), Optional.empty(),
                Optional.empty(), Optional.empty(), first.next()), 4);
        assertThat(second.entries().get(0).storedAtMillis()).isEqualTo(25_000_000L);

        DumpIndex.Page shop = index.query(new DumpIndex.Query(Optional.empty(), Optional.of("shop"),
                Optional.empty(), Optional.empty(), Optional.empty(), Optional.empty()), 100);
        assertThat(shop.entries()).hasSize(10).allMatch(e -> e.namespace().equals("shop"));
        DumpIndex.Page pod = index.query(new DumpIndex.Query(Optional.of("prod/node-1/billing/pod-1/"),
                Optional.empty(), Optional.empty(), Optional.of(Instant.ofEpochSecond(10_000)), Optional.of(Instant.ofEpochSecond(25_000)),
                Optional.empty()), 100);
        assertThat(pod.entries()).extracting(DumpIndex.Entry::storedAtMillis)
                .containsExactly(11_000_000L);
    }
}
