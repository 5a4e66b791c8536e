package io.dumpsink.presigner.config;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigException;
import com.typesafe.config.ConfigValue;
import com.typesafe.config.ConfigValueType;
import io.dumpsink.core.config.ConfigReader;
import io.dumpsink.presigner.auth.Principal.Role;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * The tokens the presigner accepts, each with an id (for the audit log), a role and optionally the namespaces it
 * may see: {@code dumpsink.presigner.access-tokens}. The older {@code dumpsink.presigner.tokens} list still works:
 * each of its tokens may do everything, as before, and startup warns that it should move.
 */
public record AccessSettings(List<TokenSpec> tokens, boolean legacy) {
    static final String KEY = "dumpsink.presigner.access-tokens";
    static final String LEGACY_KEY = "dumpsink.presigner.tokens";
    private static final int MIN_TOKEN_LENGTH = 16;
    private static final Pattern ID = Pattern.compile("[A-Za-z0-9._-]{1,64}");
    private static final Set<String> FIELDS = Set.of("id", "role", "token", "namespaces");

    /** One configured token. {@code namespaces} empty: every namespace. */
    public record TokenSpec(String id, Set<Role> roles, String token, List<NamespaceGlob> namespaces) {
        @Override
        public String toString() {
            return "TokenSpec[id=" + id + ", roles=" + roles + ", namespaces=" + namespaces + ", token=***]";
        }
    }

    /** {@code legacyTokens}: the already-checked values of {@code dumpsink.presigner.tokens}. */
    public static AccessSettings from(ConfigReader r, Config config, List<String> legacyTokens) {
        List<TokenSpec> specs = new ArrayList<>();
        List<? extends Config> entries;
        try {
            entries = config.getConfigList(KEY);
        } catch (ConfigException e) {
            r.problem(KEY, "expected a list of objects such as [{ id = \"shop-team\", role = reader, namespaces = "
                    + "[\"shop-*\"], token = \"...\" }]");
            return new AccessSettings(List.of(), false);
        }
        Set<String> ids = new HashSet<>();
        Set<String> values = new HashSet<>();
        for (int i = 0; i < entries.size(); i++) {
            Config entry = entries.get(i);
            String where = KEY + "[" + i + "]";
            for (String field : entry.root().keySet()) {
                if (!FIELDS.contains(field)) {
                    r.problem(where, "unknown field '" + field + "'; allowed: id, role, token, namespaces");
                }
            }
            String id = field(entry, "id");
            if (!ID.matcher(id).matches()) {
                r.problem(where + ".id", "required: 1 to 64 of [A-Za-z0-9._-], e.g. \"agent\" or \"shop-team\" (it"
                        + " names the token in the audit log)");
            } else if (!ids.add(id)) {
                r.problem(where + ".id", "'" + id + "' is used by another token; ids must be unique");
            }
            String roleText = field(entry, "role").trim().toLowerCase(Locale.ROOT);
            Role role = switch (roleText) {
                case "agent" -> Role.AGENT;
                case "reader" -> Role.READER;
                default -> {
                    r.problem(where + ".role", "expected agent (posts upload events only) or reader (lists, links,"
                            + " browses), got '" + roleText + "'");
                    yield Role.READER;
                }
            };
            String token = field(entry, "token");
            if (token.length() < MIN_TOKEN_LENGTH) {
                r.problem(where + ".token", "required, at least " + MIN_TOKEN_LENGTH + " characters (e.g. from"
                        + " `openssl rand -hex 24`); an unset environment variable leaves it empty");
            } else if (!values.add(token) || legacyTokens.contains(token)) {
                r.problem(where + ".token", "the same token is configured twice; give every token its own value");
            }
            List<NamespaceGlob> namespaces = new ArrayList<>();
            if (entry.hasPath("namespaces")) {
                ConfigValue raw = entry.getValue("namespaces");
                if (raw.valueType() != ConfigValueType.LIST) {
                    r.problem(where + ".namespaces", "expected a list of namespace patterns such as [\"shop-*\"]");
                } else {
                    List<String> globs = stringList(entry, "namespaces");
                    for (String glob : globs) {
                        if (NamespaceGlob.valid(glob)) {
                            namespaces.add(NamespaceGlob.of(glob));
                        } else {
                            r.problem(where + ".namespaces", "'" + glob + "' is not a namespace pattern (letters,"
                                    + " digits, . _ - and the wildcards * ?)");
                        }
                    }
                    if (globs.isEmpty()) {
                        r.problem(where + ".namespaces", "an empty list would hide every dump; leave the field out"
                                + " for every namespace");
                    }
                }
            }
            specs.add(new TokenSpec(id, Set.of(role), token, namespaces));
        }
        boolean legacy = !legacyTokens.isEmpty();
        for (int i = 0; i < legacyTokens.size(); i++) {
            specs.add(new TokenSpec("token-" + (i + 1), Set.of(Role.AGENT, Role.READER), legacyTokens.get(i),
                    List.of()));
        }
        return new AccessSettings(List.copyOf(specs), legacy);
    }

    private static List<String> stringList(Config entry, String name) {
        try {
            return entry.getStringList(name);
        } catch (ConfigException e) {
            return List.of("(not a string)");
        }
    }

    private static String field(Config entry, String name) {
        try {
            return entry.hasPath(name) ? entry.getString(name) : "";
        } catch (ConfigException e) {
            return "";
        }
    }

    @Override
    public String toString() {
        return "AccessSettings[tokens=" + tokens + ", legacy=" + legacy + "]";
    }
}
