package io.dumpsink.embedded;

import java.nio.file.Path;

/**
 * The embedded S3 server on its own, for the benchmark and for trying other clients:
 * {@code java -cp local/target/dumpsink-local.jar io.dumpsink.embedded.EmbeddedS3Main DIR [PORT]}. Prints the
 * endpoint on its first line, then serves until killed.
 */
public final class EmbeddedS3Main {
    private EmbeddedS3Main() {
    }

    public static void main(String[] args) throws Exception {
        if (args.length < 1) {
            System.err.println("usage: EmbeddedS3Main DATA_DIR [PORT]");
            System.exit(2);
        }
        EmbeddedS3 s3 = EmbeddedS3.start(Path.of(args[0]), args.length > 1 ? Integer.parseInt(args[1]) : 0);
        System.out.println(s3.endpoint());
        System.out.flush();
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            try {
                s3.close();
            } catch (Exception e) {
                System.err.println("stopping failed: " + e);
            }
        }, "embedded-s3-shutdown"));
        Thread.currentThread().join();
    }
}
