package io.dumpsink.agent.upload;

import com.google.inject.AbstractModule;

/** Upload: settled dumps become objects through the streaming multipart uploader. */
public final class UploadModule extends AbstractModule {
    @Override
    protected void configure() {
        bind(io.dumpsink.agent.journal.UploadJournal.class);
        bind(MultipartUploader.class);
        bind(DumpUploader.class).to(MultipartUploader.class);
    }
}
