package io.strand.broker.server.config;

import java.io.IOException;
import java.io.Reader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;

/**
 * Merges the places configuration comes from, lowest precedence first: a properties file, environment variables
 * named {@code STRAND_} + the key in upper case with dots as underscores (e.g. {@code STRAND_NODE_ID=2},
 * {@code STRAND_ADVERTISED_LISTENERS=...}), then {@code key=value} overrides from the command line.
 */
public final class ConfigSources {
    public static final String ENV_PREFIX = "STRAND_";

    private ConfigSources() {
    }

    public static Map<String, String> merge(Path file, Map<String, String> env, List<String> overrides) throws IOException {
        Map<String, String> merged = new LinkedHashMap<>();
        if (file != null) {
            Properties props = new Properties();
            try (Reader reader = Files.newBufferedReader(file)) {
                props.load(reader);
            }
            props.stringPropertyNames().forEach(k -> merged.put(k, props.getProperty(k).trim()));
        }
        env.forEach((name, value) -> {
            if (name.startsWith(ENV_PREFIX) && name.length() > ENV_PREFIX.length()) {
                merged.put(name.substring(ENV_PREFIX.length()).toLowerCase(Locale.ROOT).replace('_', '.'), value.trim());
            }
        });
        for (String override : overrides) {
            int eq = override.indexOf('=');
            if (eq <= 0) {
                throw new IllegalArgumentException("override '" + override + "' is not key=value");
            }
            merged.put(override.substring(0, eq).trim(), override.substring(eq + 1).trim());
        }
        return merged;
    }
}
