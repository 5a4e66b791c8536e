package io.dumpsink.core.s3;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import com.sun.net.httpserver.HttpsConfigurator;
import com.sun.net.httpserver.HttpsServer;
import io.dumpsink.core.config.S3Settings;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.S3Client;

/**
 * Against a custom endpoint (no SDK checksums), every part's SHA-256 is in its SigV4 signature over HTTPS as over
 * HTTP, and no Content-MD5 is computed: seen by a hand-written S3 endpoint on a real TLS socket that records what
 * the SDK sent (S3Proxy does not show request headers).
 */
class SignedPayloadsTest {
    @TempDir
    Path tmp;
    HttpServer server;
    final Map<String, String> seen = new ConcurrentHashMap<>();
    final byte[] body = "a part of a heap dump, 47 bytes long, give or take".getBytes(StandardCharsets.UTF_8);

    @AfterEach
    void tearDown() {
        if (server != null) {
            server.stop(0);
        }
    }

    @Test
    void overHttpsAPartCarriesItsSha256InTheSignatureAndNoContentMd5() throws Exception {
        Path caFile = startHttps();
        uploadPart(URI.create("https://127.0.0.1:" + server.getAddress().getPort()), Optional.of(caFile));

        assertSigned();
    }

    @Test
    void overHttpAPartCarriesItsSha256InTheSignatureAndNoContentMd5() throws Exception {
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext("/", this::record);
        server.start();
        uploadPart(URI.create("http://127.0.0.1:" + server.getAddress().getPort()), Optional.empty());

        assertSigned();
    }

    private void assertSigned() throws Exception {
        String sha256 = HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(body));
        assertThat(seen.get("body")).isEqualTo(new String(body, StandardCharsets.UTF_8));
        assertThat(seen.get("x-amz-content-sha256")).isEqualTo(sha256);
        assertThat(seen.get("authorization")).contains("SignedHeaders=").contains("x-amz-content-sha256");
        assertThat(seen).doesNotContainKey("content-md5");
    }

    private void uploadPart(URI endpoint, Optional<Path> caFile) {
        S3Settings settings = new S3Settings(Optional.of(endpoint), "us-east-1", "dumps", true, "key", "secret",
                S3Settings.RequestChecksums.AUTO, false, caFile);
        try (S3Client client = S3Clients.create(settings, 2)) {
            client.uploadPart(b -> b.bucket("dumps").key("a/b.hprof.zst").uploadId("u1").partNumber(1)
                    .contentLength((long) body.length), RequestBody.fromBytes(body));
        }
    }

    private void record(HttpExchange exchange) throws java.io.IOException {
        exchange.getRequestHeaders().forEach((name, values) -> seen.put(name.toLowerCase(), values.get(0)));
        try (InputStream in = exchange.getRequestBody()) {
            seen.put("body", new String(in.readAllBytes(), StandardCharsets.UTF_8));
        }
        exchange.getResponseHeaders().add("ETag", "\"0123456789abcdef0123456789abcdef\"");
        exchange.sendResponseHeaders(200, -1);
        exchange.close();
    }

    private Path startHttps() throws Exception {
        Path keyStore = tmp.resolve("s3.p12");
        keytool("-genkeypair", "-alias", "s3", "-keyalg", "RSA", "-keysize", "2048", "-validity", "2",
                "-dname", "CN=127.0.0.1", "-ext", "SAN=ip:127.0.0.1", "-storetype", "PKCS12",
                "-keystore", keyStore.toString(), "-storepass", "changeit", "-keypass", "changeit");
        Path caFile = tmp.resolve("ca.pem");
        keytool("-exportcert", "-rfc", "-alias", "s3", "-keystore", keyStore.toString(), "-storepass", "changeit",
                "-file", caFile.toString());
        KeyStore keys = KeyStore.getInstance("PKCS12");
        try (InputStream in = Files.newInputStream(keyStore)) {
            keys.load(in, "changeit".toCharArray());
        }
        KeyManagerFactory keyManagers = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
        keyManagers.init(keys, "changeit".toCharArray());
        SSLContext tls = SSLContext.getInstance("TLS");
        tls.init(keyManagers.getKeyManagers(), null, null);
        HttpsServer https = HttpsServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        https.setHttpsConfigurator(new HttpsConfigurator(tls));
        https.createContext("/", this::record);
        https.start();
        server = https;
        return caFile;
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
