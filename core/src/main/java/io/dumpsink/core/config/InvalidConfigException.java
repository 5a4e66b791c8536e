package io.dumpsink.core.config;

import java.util.List;

/** Every configuration problem found at startup, one per line, each naming its HOCON key. */
public final class InvalidConfigException extends RuntimeException {
    private static final long serialVersionUID = 1L;
    private final List<String> problems;

    public InvalidConfigException(List<String> problems) {
        super("invalid configuration:\n  - " + String.join("\n  - ", problems));
        this.problems = List.copyOf(problems);
    }

    public List<String> problems() {
        return problems;
    }
}
