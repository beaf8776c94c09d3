package dev.healthgate.config;

import static org.assertj.core.api.Assertions.assertThat;

import dev.healthgate.testing.Gen;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * Arbitrary mutations of a valid healthgate.yml: a value swapped for one of another type or range, a line
 * dropped or doubled, an unknown key added, a key renamed. Loading either succeeds or throws a
 * {@link ConfigException} whose message names the key (or says the YAML is not valid): never another
 * exception, never a message that leaves an operator guessing where. Each try has its own seed ({@link Gen}),
 * named when it fails.
 */
@DisplayName("Config loading, over mutated configs")
class ConfigPropertiesTest {

    private static final String NAMES_THE_KEY =
            "(?s)(not valid YAML in .*|\\(top level\\).*|[a-z][a-z0-9-]*(\\[\\d+])?(\\.[a-z][a-z0-9-]*(\\[\\d+])?)*( = .*)?: .+)";

    private static final List<String> LINES = ConfigLoaderTest.VALID.lines().toList();

    /** One edit of one line. */
    record Mutation(String kind, int line, String text) {
        String apply() {
            return apply(LINES);
        }

        String apply(List<String> base) {
            List<String> out = new ArrayList<>(base);
            int i = line % out.size();
            String old = out.get(i);
            String indent = old.substring(0, old.length() - old.stripLeading().length());
            int colon = old.indexOf(": ");
            switch (kind) {
                case "value" -> out.set(i, colon < 0 ? old + " " + text : old.substring(0, colon + 2) + text);
                case "drop" -> out.remove(i);
                case "double" -> out.add(i, old);
                case "unknown" -> out.add(i, indent + (old.stripLeading().startsWith("- ") ? "  " : "") + text + ": 1");
                case "rename" -> out.set(i, colon < 0 ? old : indent + text + old.substring(colon));
                default -> throw new IllegalStateException(kind);
            }
            return String.join("\n", out) + "\n";
        }
    }

    private static final String[] ODD_VALUES = {"-1", "0", "65536", "0123", "0x1F", "1e9", "99999999999999999999",
        ".5", "-0", "true", "no", "~", "null", "\"\"", "[]", "{}", "[1, 2]", "{a: 1}", "[[x]]", "- a", "-5s", "0ms",
        "10", "1h", "9999999999999d", "5 s", "ms", "s", "1.5s", "PT5S", "127.0.0.1:0", ":9901", "[::1]:9901",
        "host:port", "*:80", "/health", "../../etc/passwd", "\"a\\u0000b\"", "!!binary aGk=", "&a x", "*a", "|", ">",
        "'unterminated", "{", "]"};

    static Mutation mutation(Gen g) {
        String kind = g.of("value", "value", "value", "drop", "double", "unknown", "rename");
        int line = g.between(0, LINES.size() - 1);
        if (kind.equals("unknown") || kind.equals("rename")) {
            return new Mutation(kind, line, g.string('a', 'z', 1, 12));
        }
        String value = g.oneOf(x -> String.valueOf(x.nextInt()), x -> String.valueOf(x.nextLong()),
                x -> x.of(ODD_VALUES),
                x -> "\"" + x.anyString(30).replace("\\", "\\\\").replace("\"", "\\\"") + "\"",
                x -> x.string(' ', '~', 0, 20));
        return new Mutation(kind, line, value);
    }

    @Test
    @DisplayName("one mutation: loads, or a ConfigException names the key (1000 tries)")
    void loadingSucceedsOrNamesTheKey() {
        for (long seed = 0; seed < 1000; seed++) {
            Gen g = new Gen(seed);
            assertLoadsOrNamesTheKey(seed, mutation(g).apply());
        }
    }

    @Test
    @DisplayName("two mutations at once: loads, or a ConfigException names the key (300 tries)")
    void twoMutationsAtOnce() {
        for (long seed = 0; seed < 300; seed++) {
            Gen g = new Gen(1_000_000 + seed);
            Mutation first = mutation(g);
            Mutation second = mutation(g);
            assertLoadsOrNamesTheKey(1_000_000 + seed, second.apply(first.apply().lines().toList()));
        }
    }

    private static void assertLoadsOrNamesTheKey(long seed, String yaml) {
        try {
            ConfigLoader.parse(yaml);
        } catch (ConfigException e) {
            assertThat(e.getMessage()).as("seed %d, message for%n%s", seed, yaml).matches(NAMES_THE_KEY);
        }
    }
}
