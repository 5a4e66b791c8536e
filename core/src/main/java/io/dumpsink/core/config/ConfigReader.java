package io.dumpsink.core.config;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigException;
import com.typesafe.config.ConfigFactory;
import com.typesafe.config.ConfigMemorySize;
import java.net.URI;
import java.net.URISyntaxException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * Reads typed values out of a loaded {@link Config} and collects every problem instead of stopping at the first,
 * so a user with three mistakes in a file sees all three at once. Settings records read through this class only.
 *
 * <p>Each getter returns a harmless placeholder when the value is bad; the caller must call {@link #validate()}
 * before using anything it built.
 */
public final class ConfigReader {
    private final Config config;
    private final List<String> problems = new ArrayList<>();
    private final List<String> warnings = new ArrayList<>();

    /** Starts with the unknown keys under {@code dumpsink} as problems, so they are reported with the bad values. */
    public ConfigReader(Config config) {
        this.config = config;
        problems.addAll(ConfigLoader.unknownKeys(config, ConfigFactory.defaultReference()));
    }

    public String string(String key) {
        try {
            return config.getString(key);
        } catch (ConfigException e) {
            problem(key, "expected a string", e);
            return "";
        }
    }

    public String nonBlank(String key, String hint) {
        String value = string(key);
        if (value.isBlank() && !hasProblem(key)) {
            problem(key, "must not be empty; " + hint);
        }
        return value;
    }

    public boolean bool(String key) {
        try {
            return config.getBoolean(key);
        } catch (ConfigException e) {
            problem(key, "expected true or false", e);
            return false;
        }
    }

    public int port(String key) {
        try {
            int value = config.getInt(key);
            if (value < 0 || value > 65535) {
                problem(key, "expected a TCP port between 0 and 65535, got " + value);
            }
            return value;
        } catch (ConfigException e) {
            problem(key, "expected a TCP port number", e);
            return 0;
        }
    }

    public int intInRange(String key, int min, int max) {
        try {
            int value = config.getInt(key);
            if (value < min || value > max) {
                problem(key, "expected a number between " + min + " and " + max + ", got " + value);
            }
            return value;
        } catch (ConfigException e) {
            problem(key, "expected a whole number", e);
            return min;
        }
    }

    public Duration positiveDuration(String key) {
        try {
            Duration value = config.getDuration(key);
            if (value.isNegative() || value.isZero()) {
                problem(key, "must be a positive duration such as 5s or 2m, got " + value);
            }
            return value;
        } catch (ConfigException e) {
            problem(key, "expected a duration such as 5s, 30s or 2m", e);
            return Duration.ofSeconds(1);
        }
    }

    public Duration nonNegativeDuration(String key) {
        try {
            Duration value = config.getDuration(key);
            if (value.isNegative()) {
                problem(key, "must not be negative, got " + value);
            }
            return value;
        } catch (ConfigException e) {
            problem(key, "expected a duration such as 30d", e);
            return Duration.ZERO;
        }
    }

    public long bytesAtLeast(String key, long min) {
        try {
            ConfigMemorySize size = config.getMemorySize(key);
            long value = size.toBytes();
            if (value < min) {
                problem(key, "must be at least " + min + " bytes, got " + value);
            }
            return value;
        } catch (ConfigException e) {
            problem(key, "expected a size such as 8MiB or 1GiB", e);
            return min;
        }
    }

    /** An optional size: an empty string means "not set". */
    public Optional<Long> optionalBytes(String key) {
        if (config.getIsNull(key)) {
            return Optional.empty();
        }
        if (config.getValue(key).unwrapped() instanceof String s && s.isBlank()) {
            return Optional.empty();
        }
        return Optional.of(bytesAtLeast(key, 1));
    }

    public List<String> stringList(String key) {
        try {
            return List.copyOf(config.getStringList(key));
        } catch (ConfigException e) {
            problem(key, "expected a list of strings such as [\"a\", \"b\"]", e);
            return List.of();
        }
    }

    public <E extends Enum<E>> E enumValue(String key, Class<E> type) {
        String raw = string(key);
        for (E constant : type.getEnumConstants()) {
            if (configName(constant).equals(raw.trim().toLowerCase(Locale.ROOT))) {
                return constant;
            }
        }
        if (!hasProblem(key)) {
            List<String> allowed = new ArrayList<>();
            for (E constant : type.getEnumConstants()) {
                allowed.add(configName(constant));
            }
            problem(key, "unknown value '" + raw + "'; allowed: " + String.join(" | ", allowed)
                    + Suggestions.didYouMean(raw, allowed));
        }
        return type.getEnumConstants()[0];
    }

    /** An optional http(s) URL: empty means "not set". */
    public Optional<URI> optionalHttpUrl(String key) {
        String raw = string(key).trim();
        if (raw.isEmpty()) {
            return Optional.empty();
        }
        try {
            URI uri = new URI(raw);
            if (!("http".equals(uri.getScheme()) || "https".equals(uri.getScheme())) || uri.getHost() == null) {
                problem(key, "expected an http:// or https:// URL with a host, got '" + raw + "'");
                return Optional.empty();
            }
            return Optional.of(uri);
        } catch (URISyntaxException e) {
            problem(key, "not a valid URL: " + e.getMessage());
            return Optional.empty();
        }
    }

    /**
     * True when {@code key} has a value from somewhere other than a {@code reference.conf} default (a config file,
     * a system property, an environment variable): messages can then name what the user chose.
     */
    public boolean isSet(String key) {
        try {
            return !"reference.conf".equals(config.getValue(key).origin().resource());
        } catch (ConfigException e) {
            return false;
        }
    }

    /**
     * Records a setting that was adjusted rather than refused, for the program to log once at startup next to the
     * effective configuration.
     */
    public void warning(String key, String message) {
        warnings.add(key + ": " + message + origin(key));
    }

    /** The warnings recorded so far, in order. */
    public List<String> warnings() {
        return List.copyOf(warnings);
    }

    /** Records a problem found by a settings record's own cross-field checks. */
    public void problem(String key, String message) {
        problems.add(key + ": " + message + origin(key));
    }

    private void problem(String key, String message, ConfigException e) {
        if (e instanceof ConfigException.Missing) {
            problems.add(key + ": missing (it has a default in reference.conf; is the classpath complete?)");
        } else {
            problems.add(key + ": " + message + origin(key));
        }
    }

    private boolean hasProblem(String key) {
        return problems.stream().anyMatch(p -> p.startsWith(key + ":"));
    }

    private String origin(String key) {
        try {
            String description = config.getValue(key).origin().description();
            return " (" + description + ")";
        } catch (ConfigException e) {
            return "";
        }
    }

    /** Throws one exception listing every problem seen so far. */
    public void validate() {
        if (!problems.isEmpty()) {
            throw new InvalidConfigException(problems);
        }
    }

    static String configName(Enum<?> constant) {
        return constant.name().toLowerCase(Locale.ROOT).replace('_', '-');
    }
}
