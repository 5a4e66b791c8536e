package io.dumpsink.agent.upload;

import com.github.luben.zstd.Zstd;
import com.github.luben.zstd.ZstdCompressCtx;
import com.google.inject.Inject;
import com.google.inject.Singleton;
import io.dumpsink.agent.config.UploadSettings;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Future;

/**
 * Compresses chunks into independent zstd frames on the compressor pool. Each compressor thread keeps one zstd
 * context for every upload: a context is native memory that is costly to set up, and one per chunk would churn it.
 * Frames record their content size and no checksum of their own: the manifest's SHA-256 covers the whole dump.
 */
@Singleton
final class FrameCompressor {
    private final ExecutorService compressors;
    private final ThreadLocal<ZstdCompressCtx> zstd;

    @Inject
    FrameCompressor(UploadSettings settings, UploadExecutors executors) {
        this.compressors = executors.compressors();
        this.zstd = ThreadLocal.withInitial(() -> new ZstdCompressCtx()
                .setLevel(settings.compressionLevel())
                .setContentSize(true)
                .setChecksum(false));
    }

    /** The most bytes one frame of a {@code chunkSize}-byte chunk can take, incompressible data included. */
    static int frameBound(int chunkSize) {
        return (int) Zstd.compressBound(chunkSize);
    }

    /**
     * Compresses the slot's input into its output, as a task of {@code tasks}; the future yields the slot once its
     * frame is ready ({@link ChunkSlot#outputLength} set).
     */
    Future<ChunkSlot> submit(AttemptTasks tasks, ChunkSlot slot) {
        return tasks.submit(compressors, () -> {
            slot.outputLength = zstd.get().compressDirectByteBuffer(slot.output, 0, slot.output.capacity(),
                    slot.input, 0, slot.inputLength);
            return slot;
        });
    }
}
