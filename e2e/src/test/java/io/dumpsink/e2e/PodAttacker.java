package io.dumpsink.e2e;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * What a hostile pod does to its own folder, run as a process of its own (as uid 1000 in the tests). Every loop is
 * bounded in count and in time.
 * <ul>
 *   <li>{@code folders <dir> <top> <below> <seconds>}: {@code top} folders, each with {@code below} subfolders;</li>
 *   <li>{@code renames <dir> <seconds>}: renames one file to a new name in a tight loop.</li>
 * </ul>
 * Prints one line with what it did.
 */
public final class PodAttacker {
    private PodAttacker() {
    }

    public static void main(String[] args) throws IOException {
        Path dir = Path.of(args[1]);
        long started = System.nanoTime();
        switch (args[0]) {
            case "folders" -> {
                int top = Integer.parseInt(args[2]);
                int below = Integer.parseInt(args[3]);
                long deadline = started + Long.parseLong(args[4]) * 1_000_000_000L;
                int made = 0;
                for (int i = 0; i < top && System.nanoTime() < deadline; i++) {
                    Path folder = Files.createDirectory(dir.resolve(String.format("d%05d", i)));
                    made++;
                    for (int j = 0; j < below && System.nanoTime() < deadline; j++) {
                        Files.createDirectory(folder.resolve(String.format("e%05d", j)));
                        made++;
                    }
                }
                System.out.printf("made %d folders in %.1f s%n", made, (System.nanoTime() - started) / 1e9);
            }
            case "renames" -> {
                long deadline = started + Long.parseLong(args[2]) * 1_000_000_000L;
                Path current = Files.writeString(dir.resolve("name-0"), "renamed over and over");
                long renames = 0;
                while (renames < 1_000_000_000L && System.nanoTime() < deadline) {
                    for (int i = 0; i < 1000; i++) {
                        Path next = dir.resolve("name-" + (renames + 1));
                        Files.move(current, next);
                        current = next;
                        renames++;
                    }
                }
                double seconds = (System.nanoTime() - started) / 1e9;
                System.out.printf("renamed %d times in %.1f s (%.0f/s)%n", renames, seconds, renames / seconds);
            }
            default -> throw new IllegalArgumentException("unknown attack " + args[0]);
        }
    }
}
