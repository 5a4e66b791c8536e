package io.dumpsink.agent.upload;

import java.util.concurrent.ExecutorService;
import java.util.concurrent.TimeUnit;

/** An executor registered with the {@link io.dumpsink.core.lifecycle.Closer}: shutdown, a bounded wait, then now. */
public record OwnedExecutor(ExecutorService executor) implements AutoCloseable {
    @Override
    public void close() {
        executor.shutdown();
        try {
            if (!executor.awaitTermination(5, TimeUnit.SECONDS)) {
                executor.shutdownNow();
            }
        } catch (InterruptedException e) {
            executor.shutdownNow();
            Thread.currentThread().interrupt();
        }
    }
}
