package io.dumpsink.cli;

/** The exit codes every command documents in its {@code --help} and the README lists. */
final class ExitCodes {
    static final int OK = 0;
    /** The SHA-256 (or the object's structure) does not match the manifest: the dump is not what was stored. */
    static final int VERIFICATION_FAILED = 1;
    /** A wrong flag or argument, a bad config file, no bucket named, an endpoint that cannot be reached. */
    static final int USAGE = 2;
    /** No such dump or bucket, or the store refused the credentials or the access. */
    static final int NOT_FOUND = 3;

    /** The footer of every command's help. */
    static final String HELP = "%nExit codes:%n"
            + "  0  ok%n"
            + "  1  verification failed: the SHA-256 (or the object) does not match the manifest%n"
            + "  2  usage or configuration error (bad flag, no bucket, unreadable --config, endpoint unreachable)%n"
            + "  3  not found or access denied (no such dump or bucket, credentials refused or missing)%n";

    private ExitCodes() {
    }
}
