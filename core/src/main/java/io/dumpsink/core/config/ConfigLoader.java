package io.dumpsink.core.config;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigException;
import com.typesafe.config.ConfigFactory;
import com.typesafe.config.ConfigParseOptions;
import com.typesafe.config.ConfigRenderOptions;
import com.typesafe.config.ConfigValue;
import com.typesafe.config.ConfigValueFactory;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * Loads the configuration once at startup, in layers, each winning over the ones after it: system properties
 * ({@code -Ddumpsink...}), then the deployment's environment variables in {@link #ENV_OVERRIDES} (set and not
 * blank), then the file named by {@code -Dconfig.file} (if any), then {@code reference.conf} of every module on the
 * classpath. So those variables win over the file, as the Helm chart needs: it sets them per pod. Other variables
 * reach the config only through HOCON's {@code ${?VAR}}, resolved against the process environment: in a
 * {@code reference.conf} (AWS_REGION) the file wins over them whenever it sets the key; in the file (the chart's
 * secrets) they are the file's own values.
 *
 * <p>Every key under {@code dumpsink} must be one that some {@code reference.conf} declares: a misspelled key is
 * a startup error with a suggestion, never silently ignored. {@link ConfigReader} reports such keys together with
 * every bad or missing value, so one run shows every mistake. Sections owned by the other program (the agent does not
 * ship the presigner's reference.conf) are skipped, so both programs can read the same file.
 */
public final class ConfigLoader {
    public static final String ROOT = "dumpsink";
    private static final Set<String> PROGRAM_SECTIONS = Set.of("agent", "presigner");
    /** Environment variables that deployments set per pod; they win over the config file, not over -D. */
    static final Map<String, String> ENV_OVERRIDES = Map.of(
            "DUMPSINK_CLUSTER", "dumpsink.cluster",
            "NODE_NAME", "dumpsink.node",
            "DUMPSINK_S3_BUCKET", "dumpsink.s3.bucket",
            "DUMPSINK_S3_ENDPOINT", "dumpsink.s3.endpoint");
    /**
     * The logger the effective configuration goes to, once per program at startup: its own name, so a launcher
     * that writes it elsewhere (the local run: a file) can turn this one block off without losing other lines.
     */
    public static final String EFFECTIVE_CONFIG_LOGGER = "io.dumpsink.config.effective";
    // "chat.routes": a list of objects whose webhook URLs are secrets; a list is one value here, masked whole.
    private static final List<String> SECRET_WORDS = List.of("secret", "token", "password", "webhook", "access-key",
            "chat.routes");

    private ConfigLoader() {
    }

    /** The standard location: {@code -Dconfig.file}, or no file at all. */
    public static Config load() {
        String file = System.getProperty("config.file");
        Config application = ConfigFactory.empty();
        if (file != null) {
            java.io.File f = new java.io.File(file);
            if (!f.isFile()) {
                throw new InvalidConfigException(List.of("config.file: no such file '" + file + "'"));
            }
            application = parse(() -> ConfigFactory.parseFile(f, ConfigParseOptions.defaults().setAllowMissing(false)));
        }
        return load(application, System.getenv());
    }

    /** Layers {@code application} over the classpath's reference.conf files and checks it for unknown keys. */
    public static Config load(Config application, Map<String, String> environment) {
        ConfigFactory.invalidateCaches();
        Config reference = ConfigFactory.defaultReference();
        Map<String, Object> fromEnvironment = new java.util.HashMap<>();
        ENV_OVERRIDES.forEach((variable, key) -> {
            String value = environment.get(variable);
            if (value != null && !value.isBlank()) {
                fromEnvironment.put(key, value);
            }
        });
        Config environmentLayer = ConfigFactory.parseMap(fromEnvironment, "environment variables");
        Config merged = parse(() -> ConfigFactory.systemProperties()
                .withFallback(environmentLayer)
                .withFallback(application)
                .withFallback(reference)
                .resolve());
        // Unknown keys are not thrown here: the ConfigReader reports them together with every bad value.
        return merged;
    }

    private static Config parse(java.util.function.Supplier<Config> parser) {
        try {
            return parser.get();
        } catch (ConfigException e) {
            throw new InvalidConfigException(List.of(e.getMessage()));
        }
    }

    static List<String> unknownKeys(Config merged, Config reference) {
        if (!merged.hasPath(ROOT)) {
            return List.of();
        }
        Set<String> known = new TreeSet<>();
        if (reference.hasPath(ROOT)) {
            for (Map.Entry<String, ConfigValue> e : reference.getConfig(ROOT).entrySet()) {
                known.add(e.getKey());
            }
        }
        Set<String> knownSections = new TreeSet<>();
        for (String key : known) {
            knownSections.add(key.split("\\.")[0]);
        }
        List<String> problems = new ArrayList<>();
        for (Map.Entry<String, ConfigValue> e : merged.getConfig(ROOT).entrySet()) {
            String key = e.getKey();
            if (known.contains(key)) {
                continue;
            }
            String section = key.split("\\.")[0];
            if (PROGRAM_SECTIONS.contains(section) && !knownSections.contains(section)) {
                continue; // the other program's keys: it checks them itself
            }
            problems.add(ROOT + "." + key + ": unknown key (" + e.getValue().origin().description() + ")"
                    + prefixed(Suggestions.didYouMean(key, known)));
        }
        return problems;
    }

    private static String prefixed(String suggestion) {
        return suggestion.replace("did you mean '", "did you mean '" + ROOT + ".");
    }

    /** Logs {@link #describe} once, at INFO, to {@link #EFFECTIVE_CONFIG_LOGGER}. */
    public static void logEffective(String program, Config config) {
        org.slf4j.LoggerFactory.getLogger(EFFECTIVE_CONFIG_LOGGER)
                .info("Effective configuration program={}:\n{}", program, describe(config));
    }

    /** The effective {@code dumpsink} configuration as HOCON, secrets replaced by {@code ***}, for one startup log. */
    public static String describe(Config config) {
        Config masked = config.getConfig(ROOT);
        for (Map.Entry<String, ConfigValue> e : masked.entrySet()) {
            String key = e.getKey().toLowerCase(Locale.ROOT);
            boolean secret = SECRET_WORDS.stream().anyMatch(key::contains);
            Object value = e.getValue().unwrapped();
            boolean empty = value == null || (value instanceof String s && s.isEmpty())
                    || (value instanceof List<?> l && l.isEmpty());
            if (secret && !empty) {
                masked = masked.withValue(e.getKey(), ConfigValueFactory.fromAnyRef("***"));
            }
        }
        return masked.atKey(ROOT).root().render(ConfigRenderOptions.concise().setFormatted(true).setJson(false));
    }
}
