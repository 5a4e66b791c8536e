package io.dumpsink.agent.fs;

import java.nio.file.attribute.BasicFileAttributes;
import java.time.Instant;

/**
 * Which file, and which version of it: the file key (device and inode), size and modification time. Two equal
 * identities mean "the same bytes, as far as the file system can tell"; a rewrite, truncation or replacement changes
 * it. Names are not part of it: a renamed file is the same file.
 */
public record FileIdentity(Object fileKey, long size, Instant modifiedAt) {

    public static FileIdentity of(BasicFileAttributes attributes) {
        return new FileIdentity(attributes.fileKey(), attributes.size(), attributes.lastModifiedTime().toInstant());
    }

    /** A stable text form for manifests and logs, e.g. {@code (dev=803,ino=1234):4096:2026-11-28T08:00:00Z}. */
    public String describe() {
        return fileKey + ":" + size + ":" + modifiedAt;
    }
}
