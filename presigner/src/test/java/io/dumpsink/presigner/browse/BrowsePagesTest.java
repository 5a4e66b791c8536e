package io.dumpsink.presigner.browse;

import static io.dumpsink.presigner.browse.BrowseFixture.BAD_KEY;
import static io.dumpsink.presigner.browse.BrowseFixture.GZ_KEY;
import static io.dumpsink.presigner.browse.BrowseFixture.NEW_KEY;
import static io.dumpsink.presigner.browse.BrowseFixture.OLD_KEY;
import static io.dumpsink.presigner.browse.BrowseFixture.T0;
import static io.dumpsink.presigner.browse.BrowseFixture.TOKEN;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.dumpsink.core.manifest.HeapSummary;
import io.dumpsink.core.manifest.Manifest;
import io.dumpsink.core.manifest.ManifestCodec;
import io.dumpsink.presigner.TestingLogs;
import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.List;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.core.sync.RequestBody;

/** The browse pages and the original download over HTTP, against real heap dumps in S3Proxy. */
class BrowsePagesTest {
    static final ObjectMapper JSON = new ObjectMapper();
    @TempDir
    Path tmp;
    BrowseFixture fixture;

    @BeforeEach
    void setUp() throws Exception {
        fixture = new BrowseFixture(tmp);
        fixture.start();
    }

    @AfterEach
    void tearDown() throws Exception {
        fixture.close();
    }

    @Test
    void frontPageListsTheNewestDumpFirstAndFiltersLiveInTheUrl() throws Exception {
        String all = fixture.get("/").body();
        assertThat(all.indexOf("/dumps/" + NEW_KEY)).isPositive()
                .isLessThan(all.indexOf("/dumps/" + OLD_KEY));
        assertThat(all.indexOf("/dumps/" + OLD_KEY)).isLessThan(all.indexOf("/dumps/" + GZ_KEY));
        assertThat(all).contains("name=\"viewport\"").contains("<label for=\"namespace\">");

        String shop = fixture.get("/?namespace=shop").body();
        assertThat(shop).contains("/dumps/" + OLD_KEY).contains("/dumps/" + GZ_KEY).doesNotContain(NEW_KEY);
        assertThat(fixture.get("/?pod=api-").body()).contains(OLD_KEY).contains(GZ_KEY).contains(BAD_KEY)
                .doesNotContain(NEW_KEY);
        assertThat(fixture.get("/?namespace=shop&pod=api-2").body()).contains(GZ_KEY).doesNotContain(OLD_KEY);
        String window = fixture.get("/?from=2026-11-28T08:00&to=2026-11-28T08:59").body();
        assertThat(window).contains(OLD_KEY).doesNotContain(NEW_KEY).doesNotContain(GZ_KEY);
        assertThat(window).as("the form shows the filter it applied").contains("value=\"2026-11-28T08:00\"");

        HttpResponse<String> bad = fixture.get("/?from=yesterday");
        assertThat(bad.statusCode()).isEqualTo(400);
        assertThat(bad.headers().firstValue("Content-Type")).hasValue("text/html; charset=utf-8");
        assertThat(bad.body()).contains("bad from: use UTC like 2026-11-28");
    }

    @Test
    void pagesFollowTheCursorInOrder() throws Exception {
        JsonNode first = JSON.readTree(fixture.http.send(HttpRequest.newBuilder(URI.create(fixture.base
                + "/api/v1/dumps?limit=2")).header("Authorization", "Bearer " + TOKEN).build(),
                HttpResponse.BodyHandlers.ofString()).body());
        assertThat(first.get("dumps").findValuesAsText("key")).containsExactly(NEW_KEY, OLD_KEY);
        JsonNode second = JSON.readTree(fixture.http.send(HttpRequest.newBuilder(URI.create(fixture.base
                + "/api/v1/dumps?limit=2&cursor=" + first.get("next").asText())).header("Authorization", "Bearer "
                + TOKEN).build(), HttpResponse.BodyHandlers.ofString()).body());
        assertThat(second.get("dumps").findValuesAsText("key")).containsExactly(GZ_KEY, BAD_KEY);
        assertThat(second.get("next").isNull()).isTrue();
        JsonNode shop = JSON.readTree(fixture.http.send(HttpRequest.newBuilder(URI.create(fixture.base
                + "/api/v1/dumps?namespace=shop&from=2026-11-28T08:00:00Z")).header("Authorization", "Bearer "
                + TOKEN).build(), HttpResponse.BodyHandlers.ofString()).body());
        assertThat(shop.get("dumps").findValuesAsText("key")).containsExactly(OLD_KEY);

        String page = fixture.get("/?pod=api-&cursor=" + (T0.toEpochMilli()) + "/" + OLD_KEY).body();
        assertThat(page).as("the front page continues after the cursor").contains(GZ_KEY).contains(BAD_KEY)
                .doesNotContain("/dumps/" + OLD_KEY);
    }

    @Test
    void dumpPageShowsEveryManifestFieldTheFullSha256AndCommands() throws Exception {
        String page = fixture.get("/dumps/" + OLD_KEY).body();
        assertThat(page).contains("<code class=\"copy\" id=\"sha256\">" + TestingDumps.sha256(fixture.heapDump)
                + "</code>");
        for (var component : io.dumpsink.core.manifest.Manifest.class.getRecordComponents()) {
            if (!component.getName().equals("summary")) { // a table of its own, when there is one
                assertThat(page).contains("<dt>" + component.getName() + "</dt>");
            }
        }
        assertThat(page).as("no heap summary in this manifest").doesNotContain("What filled the heap");
        assertThat(page).contains("dumpsink --endpoint-url " + fixture.s3.endpoint() + " --bucket dumps get "
                + OLD_KEY + " -o java_pid1.hprof");
        assertThat(page).contains("aws s3 cp s3://dumps/" + OLD_KEY + " - --endpoint-url " + fixture.s3.endpoint()
                + " | zstd -d &gt; java_pid1.hprof");
        assertThat(page).contains("href=\"/download/" + OLD_KEY + "\"").contains("/d/" + OLD_KEY + "?sig=");
        assertThat(fixture.get("/dumps/prod/node-a/shop/api-1/2026-11-28/nope.zst").statusCode()).isEqualTo(404);
    }

    @Test
    void aHeapSummaryShowsAsATableOnTheDumpPageAndItsTopClassOnTheFrontPage() throws Exception {
        String key = "prod/node-b/shop/api-7/2026-11-28/111111Z-java_pid7.hprof.zst";
        Manifest stored = fixture.put(key, "shop", "api-7", "java_pid7.hprof", new byte[] {1, 2, 3}, true, null,
                T0.plusSeconds(3600));
        HeapSummary summary = new HeapSummary(HeapSummary.OK, null, "JAVA PROFILE 1.0.2", 8, T0, 4, 1000L, 1000L, 3,
                List.of(new HeapSummary.ClassCount("int[]", 10, 700), new HeapSummary.ClassCount("<b>evil</b>", 5,
                        200), new HeapSummary.ClassCount("java.lang.String", 985, 100)),
                List.of(new HeapSummary.LargeObject("int[]", 400)));
        Manifest withSummary = new Manifest(stored.version(), stored.key(), stored.bucket(), stored.cluster(),
                stored.node(), stored.namespace(), stored.pod(), stored.fileName(), stored.sourcePath(),
                stored.sourceIdentity(), stored.originalSize(), stored.sha256(), stored.storedSize(),
                stored.compression(), stored.chunkSize(), stored.parts(), stored.modifiedAt(), stored.detectedAt(),
                stored.uploadedAt(), stored.agentVersion(), stored.format(), stored.complete(), stored.seekTable(),
                summary);
        fixture.client.putObject(b -> b.bucket("dumps").key(key + ".json"),
                RequestBody.fromBytes(ManifestCodec.toJson(withSummary)));
        fixture.client.putObject(b -> b.bucket("dumps").key(key + ".histogram.json"),
                RequestBody.fromString("{}"));
        assertThat(fixture.http.send(HttpRequest.newBuilder(URI.create(fixture.base + "/api/v1/events/uploaded"))
                .header("Authorization", "Bearer " + TOKEN)
                .POST(HttpRequest.BodyPublishers.ofString("{\"key\":\"" + key + "\"}")).build(),
                HttpResponse.BodyHandlers.ofString()).statusCode()).isEqualTo(202);

        String page = fixture.get("/dumps/" + key).body();
        assertThat(page).contains("What filled the heap");
        assertThat(page.indexOf("<code>int[]</code>")).as("most bytes first").isPositive()
                .isLessThan(page.indexOf("&lt;b&gt;evil&lt;/b&gt;"));
        assertThat(page).contains("70.0 %").doesNotContain("<b>evil</b>");
        assertThat(fixture.get("/?pod=api-7").body()).contains("<code>int[]</code> 70 %");
        assertThat(fixture.get("/").body()).as("a histogram object is not a dump of its own")
                .doesNotContain(key + ".histogram");
    }

    @Test
    void originalDownloadIsTheHeapDumpByteForByteWithItsName() throws Exception {
        HttpResponse<byte[]> download = fixture.getBytes("/download/" + OLD_KEY);
        assertThat(download.statusCode()).isEqualTo(200);
        assertThat(download.headers().firstValue("Content-Disposition")).get().asString()
                .startsWith("attachment; filename=\"java_pid1.hprof\"");
        assertThat(download.headers().firstValueAsLong("Content-Length")).hasValue(fixture.heapDump.length);
        assertThat(download.body()).isEqualTo(fixture.heapDump);
        assertThat(new String(download.body(), 0, 12, java.nio.charset.StandardCharsets.US_ASCII))
                .isEqualTo("JAVA PROFILE");
    }

    @Test
    void anObjectStoredUncompressedPassesThrough() throws Exception {
        HttpResponse<byte[]> download = fixture.getBytes("/download/" + GZ_KEY);
        assertThat(download.statusCode()).isEqualTo(200);
        assertThat(download.headers().firstValue("Content-Disposition")).get().asString()
                .startsWith("attachment; filename=\"java_pid9.hprof.gz\"");
        assertThat(download.body()).isEqualTo(fixture.gzipped);
    }

    @Test
    void aDownloadWhoseSha256DoesNotMatchFailsInsteadOfLookingWhole() throws Exception {
        try (TestingLogs logs = new TestingLogs()) {
            assertThatThrownBy(() -> fixture.getBytes("/download/" + BAD_KEY))
                    .as("the body ends before its Content-Length").isInstanceOf(IOException.class);
            logs.await("Original download aborted, the client gets a failed download key=" + BAD_KEY,
                    Duration.ofSeconds(10));
        }
        assertThat(fixture.get("/healthz").statusCode()).as("the server carries on").isEqualTo(200);
    }

    @Test
    void originalDownloadsBeyondOnePerCoreGet503WhileTheApiStillAnswers() throws Exception {
        // Big enough that a reader who stops reading keeps the server's stream blocked (loopback buffers hold MBs).
        byte[] big = new byte[96 << 20];
        for (int i = 0; i < big.length; i += 4096) {
            big[i] = (byte) i;
        }
        String key = "prod/node-a/shop/api-5/2026-11-28/080000Z-java_pid5.hprof.zst";
        fixture.put(key, "shop", "api-5", "java_pid5.hprof", big, true, null, T0.minusSeconds(60));
        List<InputStream> held = new ArrayList<>();
        try {
            for (int i = 0; i < io.dumpsink.presigner.http.OriginalDownload.MAX_CONCURRENT; i++) {
                HttpResponse<InputStream> open = fixture.http.send(HttpRequest.newBuilder(URI.create(fixture.base
                        + "/download/" + key)).header("Authorization", BrowseFixture.basic()).build(),
                        HttpResponse.BodyHandlers.ofInputStream());
                assertThat(open.statusCode()).isEqualTo(200);
                assertThat(open.body().readNBytes(16)).hasSize(16);
                held.add(open.body());
            }
            HttpResponse<String> refused = fixture.get("/download/" + key);
            assertThat(refused.statusCode()).isEqualTo(503);
            assertThat(refused.headers().firstValue("Retry-After")).hasValue("30");
            assertThat(fixture.http.send(HttpRequest.newBuilder(URI.create(fixture.base + "/api/v1/dumps?limit=1"))
                    .header("Authorization", "Bearer " + TOKEN).build(), HttpResponse.BodyHandlers.ofString())
                    .statusCode()).as("the API still answers").isEqualTo(200);
        } finally {
            for (InputStream in : held) {
                in.close();
            }
        }
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        int status;
        while ((status = fixture.getBytes("/download/" + GZ_KEY).statusCode()) == 503) {
            assertThat(System.nanoTime()).as("the streams end once their readers leave").isLessThan(deadline);
            Thread.sleep(100);
        }
        assertThat(status).isEqualTo(200);
    }

    @Test
    void anUploadEventShowsTheDumpBeforeTheNextListing() throws Exception {
        String key = "prod/node-b/shop/api-9/2026-11-28/101010Z-java_pid99.hprof.zst";
        fixture.put(key, "shop", "api-9", "java_pid99.hprof", new byte[] {1, 2, 3}, true, null, T0.plusSeconds(7200));
        assertThat(fixture.get("/").body()).doesNotContain(key);
        HttpResponse<String> event = fixture.http.send(HttpRequest.newBuilder(URI.create(fixture.base
                + "/api/v1/events/uploaded")).header("Authorization", "Bearer " + TOKEN)
                .POST(HttpRequest.BodyPublishers.ofString("{\"key\":\"" + key + "\"}")).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(event.statusCode()).isEqualTo(202);
        String page = fixture.get("/").body();
        assertThat(page.indexOf("/dumps/" + key)).as("newest, first").isPositive()
                .isLessThan(page.indexOf("/dumps/" + NEW_KEY));
    }

    @Test
    void oldTreeLinksRedirectAndTheTreeStillLeadsToDumps() throws Exception {
        assertThat(fixture.get("/?prefix=prod/").headers().firstValue("Location")).hasValue("/browse?prefix=prod%2F");
        assertThat(fixture.get("/browse?prefix=prod/node-a/shop/api-1/2026-11-28/").body())
                .contains("href=\"/dumps/" + OLD_KEY + "\"");
        HttpResponse<String> css = fixture.get("/style.css");
        assertThat(css.headers().firstValue("Content-Type")).hasValue("text/css; charset=utf-8");
        assertThat(css.headers().firstValue("Cache-Control")).get().asString().contains("max-age=");
    }
}
