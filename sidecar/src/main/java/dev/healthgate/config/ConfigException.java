package dev.healthgate.config;

/**
 * A configuration problem, always naming the key path and, where there is one, the offending value.
 * Raised before anything is changed: a config that fails validation starts nothing.
 */
public final class ConfigException extends RuntimeException {

    public ConfigException(String message) {
        super(message);
    }

    static ConfigException at(String path, Object value, String why) {
        return new ConfigException(path + " = " + describe(value) + ": " + why);
    }

    static ConfigException at(String path, String why) {
        return new ConfigException(path + ": " + why);
    }

    private static String describe(Object value) {
        if (value instanceof String s) {
            return s.isEmpty() ? "\"\"" : s;
        }
        return String.valueOf(value);
    }
}
