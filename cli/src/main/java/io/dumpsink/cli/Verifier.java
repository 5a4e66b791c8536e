package io.dumpsink.cli;

import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/** The SHA-256 of the bytes read back, compared with the manifest's. */
final class Verifier {
    private final MessageDigest sha256;
    private long bytes;

    Verifier() {
        try {
            sha256 = MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java runtime has SHA-256", e);
        }
    }

    void update(byte[] data, int offset, int length) {
        sha256.update(data, offset, length);
        bytes += length;
    }

    long bytes() {
        return bytes;
    }

    /**
     * Throws the exit-1 failure, naming the key and both hashes, unless size and SHA-256 are the manifest's.
     *
     * @param what what happened to the bytes, for the message ("nothing was written", "FILE was removed")
     */
    void check(DumpFetcher.Plan plan, String what) {
        String actual = HexFormat.of().formatHex(sha256.digest());
        String expected = plan.manifest().sha256();
        if (!actual.equalsIgnoreCase(expected) || bytes != plan.manifest().originalSize()) {
            throw CliException.verification("verification failed for " + plan.key() + ": sha256 " + actual
                    + " (" + bytes + " bytes) does not match the manifest's sha256 " + expected + " ("
                    + plan.manifest().originalSize() + " bytes); " + what);
        }
    }
}
