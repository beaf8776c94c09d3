package dev.healthgate.config;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

/**
 * Arbitrary mutations of a valid healthgate.yml: a value swapped for one of another type or range, a line
 * dropped or doubled, an unknown key added, a key renamed. Loading either succeeds or throws a
 * {@link ConfigException} whose message names the key (or says the YAML is not valid): never another
 * exception, never a message that leaves an operator guessing where.
 */
class ConfigProperties {

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

    @Provide
    Arbitrary<Mutation> mutations() {
        Arbitrary<String> kinds = Arbitraries.of("value", "value", "value", "drop", "double", "unknown", "rename");
        Arbitrary<Integer> lines = Arbitraries.integers().between(0, LINES.size() - 1);
        Arbitrary<String> values = Arbitraries.oneOf(
                Arbitraries.integers().map(String::valueOf),
                Arbitraries.longs().map(String::valueOf),
                Arbitraries.of("-1", "0", "65536", "0123", "0x1F", "1e9", "99999999999999999999", ".5", "-0",
                        "true", "no", "~", "null", "\"\"", "[]", "{}", "[1, 2]", "{a: 1}", "[[x]]", "- a",
                        "-5s", "0ms", "10", "1h", "9999999999999d", "5 s", "ms", "s", "1.5s", "PT5S",
                        "127.0.0.1:0", ":9901", "[::1]:9901", "host:port", "*:80", "/health", "../../etc/passwd",
                        "\"a\\u0000b\"", "!!binary aGk=", "&a x", "*a", "|", ">", "'unterminated", "{", "]"),
                Arbitraries.strings().ofMaxLength(30).map(s -> "\"" + s.replace("\\", "\\\\").replace("\"", "\\\"") + "\""),
                Arbitraries.strings().withCharRange(' ', '~').ofMaxLength(20));
        Arbitrary<String> keys = Arbitraries.strings().withCharRange('a', 'z').ofMinLength(1).ofMaxLength(12);
        return Combinators.combine(kinds, lines, values, keys).as((kind, line, value, key) ->
                new Mutation(kind, line, kind.equals("unknown") || kind.equals("rename") ? key : value));
    }

    @Property(tries = 1000)
    void loadingSucceedsOrNamesTheKey(@ForAll("mutations") Mutation mutation) {
        String yaml = mutation.apply();
        try {
            ConfigLoader.parse(yaml);
        } catch (ConfigException e) {
            assertThat(e.getMessage()).as("message for%n%s", yaml)
                    .matches("(?s)(not valid YAML in .*|\\(top level\\).*|[a-z][a-z0-9-]*(\\[\\d+])?(\\.[a-z][a-z0-9-]*(\\[\\d+])?)*( = .*)?: .+)");
        }
    }

    @Property(tries = 300)
    void twoMutationsAtOnce(@ForAll("mutations") Mutation first, @ForAll("mutations") Mutation second) {
        String yaml = second.apply(first.apply().lines().toList());
        try {
            ConfigLoader.parse(yaml);
        } catch (ConfigException e) {
            assertThat(e.getMessage()).as("message for%n%s", yaml)
                    .matches("(?s)(not valid YAML in .*|\\(top level\\).*|[a-z][a-z0-9-]*(\\[\\d+])?(\\.[a-z][a-z0-9-]*(\\[\\d+])?)*( = .*)?: .+)");
        }
    }
}
