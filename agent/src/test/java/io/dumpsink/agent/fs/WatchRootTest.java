package io.dumpsink.agent.fs;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The descriptor-based file operations against what a pod can do to its own folder meanwhile. */
class WatchRootTest {
    @TempDir
    Path watch;

    @Test
    void aFolderSwappedInUnderTheNameIsNeverClaimed() throws Exception {
        Path pod = Files.createDirectories(watch.resolve("ns/pod"));
        Path claims = Files.createDirectories(watch.resolve("claims"));
        WatchRoot root = new WatchRoot(watch);
        AtomicBoolean stop = new AtomicBoolean();
        int claimed = 0;
        int refused = 0;
        for (int round = 0; round < 200; round++) {
            Files.writeString(pod.resolve("x.dmp"), "dump " + round);
            Files.createDirectories(pod.resolve("d"));
            FileIdentity identity = FileIdentity.of(Files.readAttributes(pod.resolve("x.dmp"),
                    BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS));
            Path target = Files.createDirectories(claims.resolve("r" + round));
            stop.set(false);
            // The pod swaps its folder and its file back and forth under the name x.dmp.
            Thread swapper = new Thread(() -> {
                while (!stop.get()) {
                    try {
                        Files.move(pod.resolve("x.dmp"), pod.resolve("t"), StandardCopyOption.ATOMIC_MOVE);
                        Files.move(pod.resolve("d"), pod.resolve("x.dmp"), StandardCopyOption.ATOMIC_MOVE);
                        Files.move(pod.resolve("t"), pod.resolve("d"), StandardCopyOption.ATOMIC_MOVE);
                    } catch (Exception e) {
                        // the agent moved one of them away: keep going with what is left
                    }
                }
            });
            swapper.start();
            try {
                root.moveIfUnchanged(Path.of("ns/pod/x.dmp"), identity, Path.of("claims/r" + round));
                claimed++;
            } catch (FileChangedException e) {
                refused++;
            } finally {
                stop.set(true);
                swapper.join();
            }
            try (Stream<Path> arrived = Files.list(target)) {
                assertThat(arrived.toList()).as("round " + round).allSatisfy(p -> {
                    assertThat(p).isRegularFile();
                    assertThat(FileIdentity.of(Files.readAttributes(p, BasicFileAttributes.class,
                            LinkOption.NOFOLLOW_LINKS))).isEqualTo(identity);
                });
            }
            try (Stream<Path> left = Files.walk(pod)) {
                left.sorted(java.util.Comparator.reverseOrder()).filter(p -> !p.equals(pod)).forEach(p -> {
                    try {
                        Files.delete(p);
                    } catch (java.io.IOException e) {
                        throw new java.io.UncheckedIOException(e);
                    }
                });
            }
        }
        assertThat(claimed + refused).isEqualTo(200);
    }

    @Test
    void aFifoInPlaceOfAFolderFailsAtOnceInsteadOfBlocking() throws Exception {
        Files.createDirectories(watch.resolve("ns"));
        assertThat(new ProcessBuilder("mkfifo", watch.resolve("ns/pod").toString()).start().waitFor()).isZero();
        WatchRoot root = new WatchRoot(watch);
        assertThatThrownBy(() -> root.stat(Path.of("ns/pod/x.hprof")))
                .isInstanceOf(java.nio.file.NotDirectoryException.class);
    }

    @Test
    void aFifoInPlaceOfAFileIsRefusedWithoutBlocking() throws Exception {
        Path pod = Files.createDirectories(watch.resolve("ns/pod"));
        assertThat(new ProcessBuilder("mkfifo", pod.resolve("x.hprof").toString()).start().waitFor()).isZero();
        FileIdentity identity = FileIdentity.of(Files.readAttributes(pod.resolve("x.hprof"),
                BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS));
        assertThatThrownBy(() -> new WatchRoot(watch).openForRead(Path.of("ns/pod/x.hprof"), identity))
                .isInstanceOf(FileChangedException.class).hasMessageContaining("no longer a regular file");
    }

    @Test
    void aHardLinkedFileIsNeverOpened() throws Exception {
        Path pod = Files.createDirectories(watch.resolve("ns/pod"));
        Path outside = Files.writeString(watch.resolve("outside-secret"), "secret");
        Files.createLink(pod.resolve("x.dmp"), outside);
        FileIdentity identity = FileIdentity.of(Files.readAttributes(pod.resolve("x.dmp"),
                BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS));
        assertThatThrownBy(() -> new WatchRoot(watch).openForRead(Path.of("ns/pod/x.dmp"), identity))
                .isInstanceOf(FileChangedException.class).hasMessageContaining("2 hard links");
    }
}
