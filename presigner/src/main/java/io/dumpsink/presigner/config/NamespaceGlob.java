package io.dumpsink.presigner.config;

import java.util.regex.Pattern;

/**
 * A namespace pattern from the configuration: {@code *} matches any run of characters, {@code ?} one character,
 * everything else itself ({@code shop-*} matches {@code shop-api}, not {@code myshop-api}). Whole-name matches only.
 */
public record NamespaceGlob(String glob, Pattern pattern) {
    private static final Pattern VALID = Pattern.compile("[A-Za-z0-9._*?-]{1,253}");

    /** True for a pattern made of namespace characters and wildcards. */
    public static boolean valid(String glob) {
        return glob != null && VALID.matcher(glob).matches();
    }

    /** @throws IllegalArgumentException when {@link #valid} is false */
    public static NamespaceGlob of(String glob) {
        if (!valid(glob)) {
            throw new IllegalArgumentException("not a namespace pattern: " + glob);
        }
        StringBuilder regex = new StringBuilder();
        for (char c : glob.toCharArray()) {
            switch (c) {
                case '*' -> regex.append(".*");
                case '?' -> regex.append('.');
                default -> regex.append(Pattern.quote(String.valueOf(c)));
            }
        }
        return new NamespaceGlob(glob, Pattern.compile(regex.toString()));
    }

    public boolean matches(String namespace) {
        return namespace != null && pattern.matcher(namespace).matches();
    }

    @Override
    public String toString() {
        return glob;
    }
}
