package dev.healthgate.config;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A YAML mapping read with its key path, so that every error names the key and value. Keys that no
 * reader asked for are refused by {@link #requireNoUnknownKeys()}: a typo never passes silently.
 */
final class ConfigNode {

    private final String path;
    private final Map<String, Object> values;
    private final Set<String> read = new HashSet<>();

    private ConfigNode(String path, Map<String, Object> values) {
        this.path = path;
        this.values = values;
    }

    static ConfigNode root(Object document) {
        if (document == null) {
            return new ConfigNode("", Map.of());
        }
        return of("", document);
    }

    private static ConfigNode of(String path, Object value) {
        if (!(value instanceof Map<?, ?> map)) {
            throw ConfigException.at(path.isEmpty() ? "(top level)" : path, value, "must be a mapping of keys");
        }
        Map<String, Object> copy = new LinkedHashMap<>();
        map.forEach((k, v) -> copy.put(String.valueOf(k), v));
        return new ConfigNode(path, copy);
    }

    String pathOf(String key) {
        return path.isEmpty() ? key : path + "." + key;
    }

    boolean has(String key) {
        return values.containsKey(key);
    }

    private Object raw(String key) {
        read.add(key);
        return values.get(key);
    }

    ConfigNode node(String key) {
        Object v = raw(key);
        return v == null ? new ConfigNode(pathOf(key), Map.of()) : of(pathOf(key), v);
    }

    List<ConfigNode> nodes(String key) {
        Object v = raw(key);
        if (v == null) {
            return List.of();
        }
        if (!(v instanceof List<?> list)) {
            throw ConfigException.at(pathOf(key), v, "must be a list");
        }
        List<ConfigNode> out = new ArrayList<>();
        for (int i = 0; i < list.size(); i++) {
            out.add(of(pathOf(key) + "[" + i + "]", list.get(i)));
        }
        return out;
    }

    String string(String key, String fallback) {
        Object v = raw(key);
        if (v == null) {
            return fallback;
        }
        if (v instanceof Map || v instanceof List) {
            throw ConfigException.at(pathOf(key), v, "must be a single value");
        }
        return String.valueOf(v);
    }

    /**
     * A value that must be text as written: YAML reads an unquoted {@code 0123} as the number 83 and
     * {@code yes} as true, which would silently change a secret. Refused unless quoted.
     */
    String text(String key, String fallback) {
        Object v = raw(key);
        if (v == null) {
            return fallback;
        }
        if (!(v instanceof String s)) {
            String read = v instanceof Map ? "a mapping" : v instanceof List ? "a list" : v instanceof Number
                    ? "the number " + v : v instanceof Boolean ? "the boolean " + v : "a " + v.getClass().getSimpleName();
            throw ConfigException.at(pathOf(key), "must be a string, but YAML read " + read
                    + " (an unquoted 0123 is octal): put the value in quotes (" + key + ": \"...\")");
        }
        return s;
    }

    String requiredString(String key) {
        String v = string(key, null);
        if (v == null || v.isBlank()) {
            throw ConfigException.at(pathOf(key), "is required");
        }
        return v;
    }

    List<String> optionalStrings(String key) {
        return has(key) ? strings(key) : List.of();
    }

    /** A mapping of plain values, e.g. environment variables; empty when absent. Keys keep their order. */
    Map<String, String> stringMap(String key) {
        Object v = raw(key);
        if (v == null) {
            return Map.of();
        }
        if (!(v instanceof Map<?, ?> map)) {
            throw ConfigException.at(pathOf(key), v, "must be a mapping of NAME: value");
        }
        Map<String, String> out = new LinkedHashMap<>();
        for (Map.Entry<?, ?> e : map.entrySet()) {
            Object value = e.getValue();
            if (value == null || value instanceof Map || value instanceof List) {
                throw ConfigException.at(pathOf(key) + "." + e.getKey(), value, "must be a single value");
            }
            out.put(String.valueOf(e.getKey()), String.valueOf(value));
        }
        return out;
    }

    List<String> strings(String key) {
        Object v = raw(key);
        if (!(v instanceof List<?> list) || list.isEmpty()) {
            throw ConfigException.at(pathOf(key), v, "must be a non-empty list of arguments");
        }
        List<String> out = new ArrayList<>();
        for (Object o : list) {
            if (o == null || o instanceof Map || o instanceof List) {
                throw ConfigException.at(pathOf(key), v, "every argument must be a plain value");
            }
            out.add(String.valueOf(o));
        }
        return out;
    }

    int integer(String key, Integer fallback, int min, int max) {
        Object v = raw(key);
        if (v == null) {
            if (fallback == null) {
                throw ConfigException.at(pathOf(key), "is required");
            }
            return fallback;
        }
        if (!(v instanceof Integer i)) {
            throw ConfigException.at(pathOf(key), v, "must be a whole number");
        }
        if (i < min || i > max) {
            throw ConfigException.at(pathOf(key), v, "must be between " + min + " and " + max);
        }
        return i;
    }

    int port(String key) {
        Object v = raw(key);
        if (v == null) {
            throw ConfigException.at(pathOf(key), "is required");
        }
        if (!(v instanceof Integer i) || i < 1 || i > 65535) {
            throw ConfigException.at(pathOf(key), v, "must be a port number 1-65535");
        }
        return i;
    }

    boolean bool(String key, boolean fallback) {
        Object v = raw(key);
        if (v == null) {
            return fallback;
        }
        if (!(v instanceof Boolean b)) {
            throw ConfigException.at(pathOf(key), v, "must be true or false");
        }
        return b;
    }

    Duration duration(String key, Duration fallback, Duration min) {
        String v = string(key, null);
        if (v == null) {
            return fallback;
        }
        Duration d;
        try {
            d = Durations.parse(v);
        } catch (IllegalArgumentException e) {
            throw ConfigException.at(pathOf(key), v, e.getMessage());
        }
        if (d.compareTo(min) < 0) {
            throw ConfigException.at(pathOf(key), v, "must be at least " + Durations.haproxy(min));
        }
        return d;
    }

    void requireNoUnknownKeys() {
        for (String key : values.keySet()) {
            if (!read.contains(key)) {
                throw ConfigException.at(pathOf(key), "unknown key");
            }
        }
    }
}
