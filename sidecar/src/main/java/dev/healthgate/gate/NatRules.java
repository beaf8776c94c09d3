package dev.healthgate.gate;

import dev.healthgate.exec.CommandException;
import dev.healthgate.exec.CommandResult;
import dev.healthgate.exec.CommandRunner;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * healthgate's rules in the {@code nat} table, as iptables lists them: argument lists in and out, never a
 * shell string. Every healthgate rule carries a comment {@code healthgate:APP:LINE}. Blocking.
 */
final class NatRules {

    /** The chains of a line's redirect: PREROUTING for a remote HAProxy, OUTPUT for a local one. */
    static final List<String> REDIRECT_CHAINS = List.of("PREROUTING", "OUTPUT");
    /** Where the line's redirected checks get a source port below 1024 (see {@link NatGate}). */
    static final String SOURCE_CHAIN = "INPUT";
    /** Every chain that holds healthgate rules, in the order a line's rules go in. */
    static final List<String> CHAINS = List.of(SOURCE_CHAIN, "PREROUTING", "OUTPUT");
    /** The source ports of redirected checks: below any ephemeral port a load balancer connects from. */
    static final String CHECK_SOURCE_PORTS = "1-1023";
    static final String PREFIX = "healthgate:";
    private static final Duration TIMEOUT = Duration.ofSeconds(15);
    /** Seconds iptables waits for the xtables lock held by another program. */
    private static final String LOCK_WAIT = "5";

    private final String iptables;
    private final CommandRunner runner;

    NatRules(String iptables, CommandRunner runner) {
        this.iptables = iptables;
        this.runner = runner;
    }

    /** One rule of a chain: its spec (what follows {@code -A CHAIN}) and its healthgate comment, if any. */
    record Rule(String chain, List<String> spec, String comment) {
    }

    /** The rules of {@code chain} that carry a {@code healthgate:} comment, in order. */
    List<Rule> healthgateRules(String chain) throws GateException {
        CommandResult r = run(List.of(iptables, "-w", LOCK_WAIT, "-t", "nat", "-S", chain));
        if (r.exitCode() != 0) {
            throw new GateException("cannot list nat " + chain + " (" + iptables + " -t nat -S " + chain + "): "
                    + r.stderr().strip());
        }
        List<Rule> rules = new ArrayList<>();
        for (String text : r.stdout().split("\n")) {
            List<String> words = IptablesWords.split(text);
            int c = words.indexOf("--comment");
            if (words.size() > 2 && words.get(0).equals("-A") && c > 0 && c + 1 < words.size()
                    && words.get(c + 1).startsWith(PREFIX)) {
                rules.add(new Rule(chain, List.copyOf(words.subList(2, words.size())), words.get(c + 1)));
            }
        }
        return rules;
    }

    /**
     * Deletes every healthgate rule whose comment is not in {@code accounted} (the current config's nat
     * apps' comments): rules of apps removed or renamed, or moved to another gate, would otherwise keep a
     * status port redirected past the gate. Returns a note per rule removed.
     */
    List<String> removeUnaccounted(Set<String> accounted) throws GateException {
        List<String> notes = new ArrayList<>();
        for (String chain : CHAINS) {
            for (Rule rule : healthgateRules(chain)) {
                if (!accounted.contains(rule.comment())) {
                    delete(rule);
                    notes.add("removed " + chain + " rule " + rule.comment() + " that no nat app of the config "
                            + "accounts for: " + String.join(" ", rule.spec()));
                }
            }
        }
        return notes;
    }

    void delete(Rule rule) throws GateException {
        check(command("-D", rule.chain(), rule.spec()));
    }

    void append(String chain, List<String> spec) throws GateException {
        check(command("-A", chain, spec));
    }

    /** Whether the exact rule is in {@code chain} ({@code iptables -C}). */
    boolean exists(String chain, List<String> spec) throws GateException {
        CommandResult r = run(command("-C", chain, spec));
        if (r.exitCode() == 0) {
            return true;
        }
        if (r.exitCode() == 1) {
            return false;
        }
        throw new GateException("iptables -C " + chain + " failed (exit " + r.exitCode() + "): " + r.stderr().strip());
    }

    /** Deletes one copy of the rule; false when none was left (iptables exits 1). */
    boolean deleteOne(String chain, List<String> spec) throws GateException {
        List<String> cmd = command("-D", chain, spec);
        CommandResult r = run(cmd);
        if (r.exitCode() == 1) {
            return false;
        }
        if (r.exitCode() != 0) {
            throw new GateException(CommandRunner.show(cmd) + " failed (exit " + r.exitCode() + "): " + r.stderr().strip());
        }
        return true;
    }

    private void check(List<String> cmd) throws GateException {
        CommandResult r = run(cmd);
        if (r.exitCode() != 0) {
            throw new GateException(CommandRunner.show(cmd) + " failed (exit " + r.exitCode() + "): " + r.stderr().strip());
        }
    }

    private List<String> command(String op, String chain, List<String> spec) {
        List<String> cmd = new ArrayList<>(List.of(iptables, "-w", LOCK_WAIT, "-t", "nat", op, chain));
        cmd.addAll(spec);
        return cmd;
    }

    private CommandResult run(List<String> command) throws GateException {
        try {
            return runner.run(command, TIMEOUT);
        } catch (CommandException e) {
            throw new GateException(e.getMessage(), e);
        }
    }
}
