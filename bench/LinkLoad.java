import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Load client for the presigner's POST /api/v1/links, used by bench/run.sh when wrk is not installed:
 * java bench/LinkLoad.java URL TOKEN KEY CONNECTIONS SECONDS. Prints "requests=N seconds=S rps=R p50ms=.. p99ms=..
 * errors=E". Closed loop: each connection sends its next request when the previous answer arrived.
 */
public class LinkLoad {
    public static void main(String[] args) throws Exception {
        URI uri = URI.create(args[0] + "/api/v1/links");
        String token = args[1];
        String body = "{\"key\":\"" + args[2] + "\",\"ttl\":\"15m\"}";
        int connections = Integer.parseInt(args[3]);
        long seconds = Long.parseLong(args[4]);
        HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
        HttpRequest request = HttpRequest.newBuilder(uri).header("Authorization", "Bearer " + token)
                .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(body)).build();
        AtomicLong errors = new AtomicLong();
        List<long[]> latencies = new ArrayList<>();
        List<Thread> threads = new ArrayList<>();
        long warmupEnd = System.nanoTime() + Duration.ofSeconds(2).toNanos();
        long end = warmupEnd + Duration.ofSeconds(seconds).toNanos();
        int[] counts = new int[connections];
        for (int c = 0; c < connections; c++) {
            long[] mine = new long[2_000_000];
            latencies.add(mine);
            int id = c;
            Thread thread = new Thread(() -> {
                int n = 0;
                while (true) {
                    long start = System.nanoTime();
                    if (start > end) {
                        break;
                    }
                    try {
                        HttpResponse<Void> response = client.send(request, HttpResponse.BodyHandlers.discarding());
                        if (response.statusCode() != 200) {
                            errors.incrementAndGet();
                        }
                    } catch (Exception e) {
                        errors.incrementAndGet();
                    }
                    if (start > warmupEnd && n < mine.length) {
                        mine[n++] = System.nanoTime() - start;
                    }
                }
                counts[id] = n;
            });
            threads.add(thread);
            thread.start();
        }
        for (Thread thread : threads) {
            thread.join();
        }
        int total = Arrays.stream(counts).sum();
        long[] all = new long[total];
        int at = 0;
        for (int c = 0; c < connections; c++) {
            System.arraycopy(latencies.get(c), 0, all, at, counts[c]);
            at += counts[c];
        }
        Arrays.sort(all);
        System.out.printf("requests=%d seconds=%d rps=%.0f p50ms=%.2f p99ms=%.2f errors=%d%n", total, seconds,
                total / (double) seconds, all[total / 2] / 1e6, all[(int) (total * 0.99)] / 1e6, errors.get());
    }
}
