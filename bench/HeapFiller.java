import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

/**
 * Fills the heap with what real services hold (maps of records, strings, request buffers that are partly filled
 * with text and zero padding, long arrays) until OutOfMemoryError, so -XX:+HeapDumpOnOutOfMemoryError writes a
 * realistic dump. A little random data (ids, amounts) keeps it from being trivially compressible.
 * Run as a single-file program: java -Xmx1g -XX:+HeapDumpOnOutOfMemoryError -XX:HeapDumpPath=DIR/ HeapFiller.java
 */
public class HeapFiller {
    record Order(long id, String customer, String sku, double amount, List<String> tags) {
    }

    public static void main(String[] args) {
        Random random = new Random(42);
        List<Object> hoard = new ArrayList<>();
        Map<Long, Order> orders = new HashMap<>();
        for (long i = 0; ; i++) {
            orders.put(i, new Order(i, "customer-" + random.nextInt(100_000), "SKU-" + (i % 5000),
                    random.nextDouble() * 100, List.of("tag" + (i % 17), "region-" + (i % 7))));
            if (i % 16 == 0) {
                byte[] buffer = new byte[4096];
                byte[] request = ("POST /api/orders/" + i + " HTTP/1.1\r\nHost: shop.example.com\r\n"
                        + "Content-Type: application/json\r\nX-Request-Id: " + random.nextLong() + "\r\n\r\n"
                        + "{\"customer\":" + random.nextInt(100_000) + ",\"items\":[" + (i % 97) + "]}")
                        .getBytes(java.nio.charset.StandardCharsets.US_ASCII);
                System.arraycopy(request, 0, buffer, 0, request.length);
                hoard.add(buffer);
            }
            if (i % 64 == 0) {
                hoard.add(new long[512]);
                hoard.add(("payload " + i + " ").repeat(20));
            }
        }
    }
}
