package io.dumpsink.agent.journal;

import static org.assertj.core.api.Assertions.assertThat;

import io.dumpsink.agent.config.PipelineSettings;
import io.dumpsink.core.retry.Backoff;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class UploadJournalTest {
    private static final Path FILE = Path.of("ns/pod/java_pid1.hprof");

    @TempDir
    Path stateDir;

    private UploadJournal journal() {
        return new UploadJournal(new PipelineSettings(1, PipelineSettings.AfterUpload.DELETE,
                new Backoff(Duration.ofMillis(100), Duration.ofSeconds(1)),
                new Backoff(Duration.ofMillis(100), Duration.ofSeconds(10)), Duration.ofSeconds(5), stateDir,
                Duration.ofHours(1), Optional.empty(), Duration.ofMinutes(5)));
    }

    /** An entry with {@code parts} parts: writers of different lengths make a torn write show. */
    private static JournalEntry entry(String uploadId, int parts) {
        JournalEntry entry = new JournalEntry(JournalEntry.CURRENT_VERSION, FILE.toString(), "(dev=1,ino=2):3:t",
                "c/n/ns/pod/2026-11-28/081530Z-java_pid1.hprof.zst", uploadId, "zstd", 0, List.of());
        for (int number = 1; number <= parts; number++) {
            entry = entry.withPart(new JournalEntry.Part(number, "\"etag-" + uploadId + "-" + number + "\"",
                    (number - 1) * 1000L, number * 1000L, 500));
        }
        return entry;
    }

    @Test
    void concurrentSavesOfOneJournalNeverTearIt() throws Exception {
        UploadJournal journal = journal();
        journal.save(entry("initial", 0));
        int writers = 8;
        int savesEach = 50;
        Set<JournalEntry> written = ConcurrentHashMap.newKeySet();
        written.add(entry("initial", 0));
        AtomicBoolean writing = new AtomicBoolean(true);
        AtomicInteger reads = new AtomicInteger();
        List<String> unreadable = new ArrayList<>();
        CountDownLatch start = new CountDownLatch(1);
        ExecutorService threads = Executors.newFixedThreadPool(writers + 1);
        try {
            List<Future<?>> saves = new ArrayList<>();
            for (int w = 0; w < writers; w++) {
                String uploadId = "upload-" + w;
                saves.add(threads.submit(() -> {
                    start.await();
                    for (int i = 0; i < savesEach; i++) {
                        JournalEntry entry = entry(uploadId, (i * 7) % 40);
                        written.add(entry);
                        journal.save(entry);
                    }
                    return null;
                }));
            }
            Future<?> reader = threads.submit(() -> {
                start.await();
                while (writing.get()) {
                    // The journal exists throughout: every read must find a whole entry someone wrote.
                    Optional<JournalEntry> found = journal.find(FILE);
                    if (found.isEmpty() || !written.contains(found.get())) {
                        synchronized (unreadable) {
                            unreadable.add(String.valueOf(found));
                        }
                    }
                    reads.incrementAndGet();
                }
                return null;
            });
            start.countDown();
            for (Future<?> save : saves) {
                save.get(60, TimeUnit.SECONDS); // a save that failed (e.g. its temp file renamed away) throws here
            }
            writing.set(false);
            reader.get(10, TimeUnit.SECONDS);
        } finally {
            threads.shutdownNow();
        }

        assertThat(reads).hasPositiveValue();
        assertThat(unreadable).as("reads that found no whole entry").isEmpty();
        assertThat(journal.find(FILE)).hasValueSatisfying(entry -> assertThat(written).contains(entry));
        assertThat(journal.all()).hasSize(1);
        try (Stream<Path> files = Files.list(stateDir.resolve("uploads"))) {
            assertThat(files).as("no temp file left behind").hasSize(1);
        }
    }

    @Test
    void tempFilesOfAnInterruptedWriteAreIgnoredAndRemovedAtStartup() throws Exception {
        UploadJournal journal = journal();
        journal.save(entry("stored", 2));
        Path uploads = stateDir.resolve("uploads");
        Path journalFile;
        try (Stream<Path> files = Files.list(uploads)) {
            journalFile = files.findFirst().orElseThrow();
        }
        // A crash between writing and renaming leaves a temp file, half written; names of older and current versions.
        Path oldStyle = uploads.resolve(journalFile.getFileName() + ".tmp");
        Path current = uploads.resolve(journalFile.getFileName() + ".123456789.tmp");
        Files.writeString(oldStyle, "{\"version\":1,\"relativePath\":\"ns/po");
        Files.writeString(current, "{\"version\":1,\"relativ");

        assertThat(journal.find(FILE)).contains(entry("stored", 2));
        assertThat(journal.all()).containsExactly(entry("stored", 2));

        UploadJournal afterRestart = journal();
        afterRestart.removeStaleTempFiles();
        assertThat(oldStyle).doesNotExist();
        assertThat(current).doesNotExist();
        assertThat(afterRestart.find(FILE)).contains(entry("stored", 2));
    }
}
