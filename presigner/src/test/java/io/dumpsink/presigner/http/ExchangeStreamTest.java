package io.dumpsink.presigner.http;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.Arrays;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.util.Callback;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** {@link Exchange#stream}: a body larger than any buffer reaches the client whole; HEAD gets the headers only. */
class ExchangeStreamTest {
    static final byte[] BODY = new byte[5 << 20];
    Server server;
    int port;

    @BeforeEach
    void setUp() throws Exception {
        for (int i = 0; i < BODY.length; i++) {
            BODY[i] = (byte) (i * 31 + (i >> 13));
        }
        server = new Server(0);
        server.setHandler(new Handler.Abstract() {
            @Override
            public boolean handle(Request request, Response response, Callback callback) throws Exception {
                new Exchange(request, response, callback).stream(200, "application/octet-stream", out -> {
                    for (int off = 0; off < BODY.length; off += 64 * 1024) {
                        out.write(BODY, off, Math.min(64 * 1024, BODY.length - off));
                    }
                });
                return true;
            }
        });
        server.start();
        port = ((ServerConnector) server.getConnectors()[0]).getLocalPort();
    }

    @AfterEach
    void tearDown() throws Exception {
        server.stop();
    }

    @Test
    void aStreamedBodyArrivesWholeAndHeadGetsNone() throws Exception {
        HttpClient http = HttpClient.newHttpClient();
        HttpResponse<byte[]> get = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/x"))
                .build(), HttpResponse.BodyHandlers.ofByteArray());
        assertThat(get.statusCode()).isEqualTo(200);
        assertThat(get.headers().firstValue("Content-Type")).hasValue("application/octet-stream");
        assertThat(Arrays.equals(get.body(), BODY)).as("5 MiB intact").isTrue();
        HttpResponse<byte[]> head = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/x"))
                .method("HEAD", HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.ofByteArray());
        assertThat(head.statusCode()).isEqualTo(200);
        assertThat(head.body()).isEmpty();
    }
}
