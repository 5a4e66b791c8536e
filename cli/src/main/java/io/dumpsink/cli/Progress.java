package io.dumpsink.cli;

import java.io.PrintStream;
import java.util.Locale;

/**
 * A one-line progress bar on stderr, redrawn at most five times a second, for people at a terminal; silent when
 * off (output piped, {@code --quiet}). Used by one thread.
 */
final class Progress {
    private static final long REDRAW_NANOS = 200_000_000L;
    private static final int WIDTH = 30;

    private final PrintStream err;
    private final boolean enabled;
    private final long total;
    private final long startNanos = System.nanoTime();
    private final long startBytes;
    private long done;
    private long lastDraw;

    Progress(PrintStream err, boolean enabled, long total, long alreadyDone) {
        this.err = err;
        this.enabled = enabled;
        this.total = total;
        this.done = alreadyDone;
        this.startBytes = alreadyDone;
    }

    void advance(long bytes) {
        done += bytes;
        long now = System.nanoTime();
        if (enabled && now - lastDraw >= REDRAW_NANOS) {
            lastDraw = now;
            draw(now);
        }
    }

    /** Draws the final state and ends the line. */
    void finish() {
        if (enabled) {
            draw(System.nanoTime());
            err.println();
        }
    }

    private void draw(long now) {
        double seconds = Math.max((now - startNanos) / 1e9, 1e-3);
        double rate = (done - startBytes) / seconds;
        int filled = total <= 0 ? WIDTH : (int) (WIDTH * Math.min(1.0, (double) done / total));
        String eta = rate <= 0 || total <= done ? "" : String.format(Locale.ROOT, " ETA %ds",
                (long) ((total - done) / rate));
        err.print(String.format(Locale.ROOT, "\r[%s%s] %3d%% %s/%s %s/s%s   ", "#".repeat(filled),
                ".".repeat(WIDTH - filled), total <= 0 ? 100 : (int) (100.0 * done / total), Sizes.human(done),
                Sizes.human(total), Sizes.human((long) rate), eta));
        err.flush();
    }
}
