package io.dumpsink.agent.upload;

import io.dumpsink.agent.settle.DumpCompleteness;
import io.dumpsink.agent.settle.DumpFormat;
import io.dumpsink.agent.settle.DumpNames;
import java.io.IOException;
import java.nio.channels.SeekableByteChannel;

/**
 * What the manifest says about the dump file itself: its {@code format} ({@link DumpNames#describe}) and whether its
 * structure is {@code complete} (null when not checked).
 */
record DumpFacts(String format, Boolean complete) {

    /**
     * Reads the facts of {@code fileName}, open in {@code channel}. A heap dump's completeness takes reads of its
     * header and tail, which move the channel's position; a segment is never complete; other files are not checked.
     * The settle stage already waited for completeness, or for incomplete-wait.
     */
    static DumpFacts read(String fileName, SeekableByteChannel channel) throws IOException {
        return new DumpFacts(DumpNames.describe(fileName), complete(fileName, channel));
    }

    private static Boolean complete(String fileName, SeekableByteChannel channel) throws IOException {
        if (DumpNames.isSegment(fileName)) {
            return false;
        }
        DumpCompleteness.Result result = DumpCompleteness.check(DumpFormat.ofFileName(fileName), channel);
        return switch (result.state()) {
            case COMPLETE -> true;
            case INCOMPLETE -> false;
            case NOT_CHECKED -> null;
        };
    }
}
