package io.dumpsink.agent.upload;

import com.google.inject.AbstractModule;

/** Upload: settled dumps become objects through the streaming multipart uploader, with buffers from one pool. */
public final class UploadModule extends AbstractModule {
    @Override
    protected void configure() {
        bind(io.dumpsink.agent.journal.UploadJournal.class);
        bind(BufferAllocator.class).toInstance(BufferAllocator.DIRECT);
        bind(BufferPool.class);
        bind(UploadExecutors.class);
        bind(FrameCompressor.class);
        bind(UploadAborter.class);
        bind(Resumer.class);
        bind(io.dumpsink.agent.triage.HeapTriage.class);
        bind(MultipartUploader.class);
        bind(DumpUploader.class).to(MultipartUploader.class);
    }
}
