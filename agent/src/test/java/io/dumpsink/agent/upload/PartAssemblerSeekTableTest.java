package io.dumpsink.agent.upload;

import static org.assertj.core.api.Assertions.assertThat;

import io.dumpsink.agent.journal.JournalEntry;
import java.util.List;
import org.junit.jupiter.api.Test;

/** When an upload ends with a seek table: the frame sizes of every stored part must be known. */
class PartAssemblerSeekTableTest {
    @Test
    void compressedUploadWithFrameSizesJournaledForEveryStoredPartGetsATable() {
        List<JournalEntry.Part> stored = List.of(
                new JournalEntry.Part(1, "\"a\"", 0, 3 << 20, 5 << 20, List.of(1 << 20, 1 << 20, 1 << 20), 1 << 20,
                        0));
        assertThat(PartAssembler.writesSeekTable(true, stored)).isTrue();
        assertThat(PartAssembler.writesSeekTable(true, List.of())).isTrue();
    }

    @Test
    void uploadResumedFromAJournalWrittenBeforeSeekTablesCompletesWithoutOne() {
        List<JournalEntry.Part> old = List.of(new JournalEntry.Part(1, "\"a\"", 0, 3 << 20, 5 << 20));
        assertThat(PartAssembler.writesSeekTable(true, old)).isFalse();
    }

    @Test
    void uncompressedUploadGetsNoTable() {
        assertThat(PartAssembler.writesSeekTable(false, List.of())).isFalse();
    }
}
