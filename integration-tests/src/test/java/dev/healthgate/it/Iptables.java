package dev.healthgate.it;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

/**
 * Reads (and, between tests, clears) healthgate's nat rules — only ever inside the ITs' own network
 * namespace ({@link NetNs#requireOwnNamespace()} is checked before every call).
 */
public final class Iptables {
    /**
     * The chains the nat gate uses: INPUT (its redirected checks' source ports), PREROUTING (the redirect
     * for a remote HAProxy) and OUTPUT (for a local one).
     */
    public static final List<String> CHAINS = List.of("INPUT", "PREROUTING", "OUTPUT");

    private static final Duration TIMEOUT = Duration.ofSeconds(20);

    private Iptables() {}

    /** The rules of {@code chain} in the nat table, as {@code iptables -S} prints them. */
    public static List<String> natRules(String chain) {
        NetNs.requireOwnNamespace();
        CommandResult r = Command.of("iptables", "-w", "-t", "nat", "-S", chain).timeout(TIMEOUT).run();
        if (r.exitCode() != 0) {
            throw new AssertionError("iptables -S " + chain + " failed: " + r.describe());
        }
        return r.stdout().lines().filter(l -> l.startsWith("-A ")).toList();
    }

    /** How many rules of {@code chain} carry exactly the comment {@code comment}. */
    public static long count(String chain, String comment) {
        Pattern p = commentPattern(Pattern.quote(comment));
        return natRules(chain).stream().filter(l -> p.matcher(l).find()).count();
    }

    /** Every rule in the nat gate's chains whose comment starts with {@code healthgate:}. */
    public static List<String> healthgateRules() {
        Pattern p = commentPattern("healthgate:[^\" ]*");
        List<String> rules = new ArrayList<>();
        for (String chain : CHAINS) {
            natRules(chain).stream().filter(l -> p.matcher(l).find()).forEach(rules::add);
        }
        return rules;
    }

    /** Deletes every healthgate rule (a clean slate between tests). */
    public static void removeHealthgateRules() {
        for (String rule : healthgateRules()) {
            List<String> args = new ArrayList<>(List.of("iptables", "-w", "-t", "nat"));
            List<String> spec = split(rule);
            spec.set(0, "-D");
            args.addAll(spec);
            CommandResult r = Command.of(args).timeout(TIMEOUT).run();
            if (r.exitCode() != 0) {
                throw new AssertionError("cannot delete rule " + rule + ": " + r.describe());
            }
        }
    }

    private static Pattern commentPattern(String commentRegex) {
        return Pattern.compile("--comment \"?" + commentRegex + "\"?(\\s|$)");
    }

    /** Splits an {@code iptables -S} line into arguments; double quotes group (comments). */
    static List<String> split(String line) {
        List<String> out = new ArrayList<>();
        StringBuilder cur = new StringBuilder();
        boolean quoted = false;
        boolean any = false;
        for (int i = 0; i < line.length(); i++) {
            char c = line.charAt(i);
            if (c == '"') {
                quoted = !quoted;
                any = true;
            } else if (c == ' ' && !quoted) {
                if (any) {
                    out.add(cur.toString());
                    cur.setLength(0);
                    any = false;
                }
            } else {
                cur.append(c);
                any = true;
            }
        }
        if (any) {
            out.add(cur.toString());
        }
        return out;
    }
}
