package dev.healthgate.gate;

import dev.healthgate.config.AppConfig;
import dev.healthgate.config.HaproxyTiming;
import dev.healthgate.observe.HaproxyView;
import dev.healthgate.observe.ObservedWatch;
import dev.healthgate.observe.TimedWatch;
import dev.healthgate.observe.Watch;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import dev.healthgate.exec.CommandException;
import dev.healthgate.exec.CommandResult;
import dev.healthgate.exec.CommandRunner;
import java.time.Duration;
import dev.healthgate.ready.ReadinessProbe;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.Set;
import java.util.List;

/**
 * The {@code nat} gate: an iptables {@code nat} REDIRECT from a status port to the app port, in
 * PREROUTING (for a remote HAProxy) and OUTPUT (for a local one). Removing the rule closes the status
 * port, so HAProxy's checks on it fail. Each rule carries the comment {@code healthgate:APP:LINE} so
 * healthgate finds its own rules again after a restart of its own.
 *
 * <p>With HTTP checks healthgate also listens on the status ports itself: while a redirect is in place
 * the kernel sends the checks to the app; once it is gone they reach healthgate, which answers 503 and
 * reads HAProxy's {@code X-Haproxy-Server-State}, so a nat drain is observed, not slept through.
 */
public final class NatGate implements Gate {

    static final List<String> CHAINS = List.of("PREROUTING", "OUTPUT");
    private static final Duration TIMEOUT = Duration.ofSeconds(15);
    /** Seconds iptables waits for the xtables lock held by another program. */
    private static final String LOCK_WAIT = "5";

    private final AppConfig app;
    private final String iptables;
    private final CommandRunner runner;
    private final Watch watch;
    private final List<StatusServer> listeners = new ArrayList<>();
    /** Lines opened but not yet settled: healthgate answers their checks with the app's health. */
    private final Set<Line> answering = EnumSet.noneOf(Line.class);

    public NatGate(AppConfig app, String iptables, CommandRunner runner, Vertx vertx, HaproxyTiming timing,
            HaproxyView view, ReadinessProbe probe) {
        this.app = app;
        this.iptables = iptables;
        this.runner = runner;
        boolean httpChecks = app.ready().isHttp();
        // Once a redirect is gone the checks reach healthgate's listeners: out and idle are seen there, and
        // so is in, because a restore lets healthgate answer with the app's health before the redirect returns.
        this.watch = httpChecks
                ? new ObservedWatch(vertx, view, app, timing, new ObservedWatch.Observability(true, true, true))
                : new TimedWatch(vertx, timing);
        if (httpChecks) {
            for (Line line : Line.values()) {
                int port = line == Line.MAIN ? app.statusPort() : app.backupStatusPort();
                listeners.add(new StatusServer(vertx, app, timing, line, port, view,
                        () -> isAnswering(line) ? probe.healthStatus() : Future.succeededFuture(503), false));
            }
        }
    }

    @Override
    public Watch watch() {
        return watch;
    }

    @Override
    public Future<Void> start() {
        return Future.all(listeners.stream().map(StatusServer::start).toList()).mapEmpty();
    }

    /** The comment that marks one of this app's rules. */
    public static String comment(String app, Line line) {
        return "healthgate:" + app + ":" + line.key();
    }

    /**
     * With HTTP checks, opening first lets healthgate answer the line's checks with the app's health, so
     * the restore is observed; {@link #settle()} then installs the redirect. With TCP checks the redirect
     * goes in at once.
     */
    @Override
    public boolean open(Line line) throws GateException {
        if (listeners.isEmpty()) {
            return addRules(line);
        }
        if (inAllChains(line)) {
            return false;
        }
        synchronized (answering) {
            return answering.add(line);
        }
    }

    @Override
    public void settle() throws GateException {
        for (Line line : Line.values()) {
            if (isAnswering(line)) {
                addRules(line);
                synchronized (answering) {
                    answering.remove(line);
                }
            }
        }
    }

    private boolean isAnswering(Line line) {
        synchronized (answering) {
            return answering.contains(line);
        }
    }

    /** Adds the line's redirect where it is missing; returns whether any was added. */
    private boolean addRules(Line line) throws GateException {
        boolean added = false;
        for (String chain : CHAINS) {
            if (!exists(chain, line)) {
                iptables("-A", chain, ruleSpec(line));
                added = true;
            }
        }
        return added;
    }

    @Override
    public boolean close(Line line) throws GateException {
        boolean removed;
        synchronized (answering) {
            removed = answering.remove(line);
        }
        for (String chain : CHAINS) {
            // -D until iptables answers that no such rule is left (exit 1): removes duplicates too.
            // Bounded in case it keeps answering that it removed one.
            int i = 0;
            for (; i < 16; i++) {
                List<String> cmd = command("-D", chain, ruleSpec(line));
                CommandResult r = run(cmd);
                if (r.exitCode() == 1) {
                    break;
                }
                if (r.exitCode() != 0) {
                    throw new GateException(CommandRunner.show(cmd) + " failed (exit " + r.exitCode() + "): "
                            + r.stderr().strip());
                }
                removed = true;
            }
            if (i == 16) {
                throw new GateException("could not remove " + comment(app.name(), line) + " from nat " + chain);
            }
        }
        return removed;
    }

    @Override
    public GateStatus status() throws GateException {
        return new GateStatus(isAnswering(Line.MAIN) || inAllChains(Line.MAIN),
                isAnswering(Line.BACKUP) || inAllChains(Line.BACKUP));
    }

    @Override
    public String reconcile() throws GateException {
        List<String> notes = new ArrayList<>();
        for (String chain : CHAINS) {
            for (Line line : Line.values()) {
                List<List<String>> found = ownRules(chain, line);
                List<String> expected = ruleSpec(line);
                boolean kept = false;
                for (List<String> rule : found) {
                    if (!kept && sameRule(rule, expected)) {
                        kept = true;
                        continue;
                    }
                    iptables("-D", chain, rule);
                    notes.add("removed " + (sameRule(rule, expected) ? "duplicate" : "stale") + " rule in "
                            + chain + ": " + String.join(" ", rule));
                }
            }
        }
        GateStatus s = status();
        String state = "nat rules: main " + (s.main() ? "present" : "absent") + ", backup "
                + (s.backup() ? "present" : "absent");
        return notes.isEmpty() ? state : state + "; " + String.join("; ", notes);
    }

    private boolean inAllChains(Line line) throws GateException {
        for (String chain : CHAINS) {
            if (!exists(chain, line)) {
                return false;
            }
        }
        return true;
    }

    private List<String> ruleSpec(Line line) {
        int statusPort = line == Line.MAIN ? app.statusPort() : app.backupStatusPort();
        return List.of("-p", "tcp", "-m", "tcp", "--dport", String.valueOf(statusPort),
                "-m", "comment", "--comment", comment(app.name(), line),
                "-j", "REDIRECT", "--to-ports", String.valueOf(app.port()));
    }

    private boolean exists(String chain, Line line) throws GateException {
        CommandResult r = run(command("-C", chain, ruleSpec(line)));
        if (r.exitCode() == 0) {
            return true;
        }
        if (r.exitCode() == 1) {
            return false;
        }
        throw new GateException("iptables -C " + chain + " failed (exit " + r.exitCode() + "): " + r.stderr().strip());
    }

    /** This app's rules for one line in one chain, as the argument lists {@code iptables -S} prints. */
    private List<List<String>> ownRules(String chain, Line line) throws GateException {
        CommandResult r = run(List.of(iptables, "-w", LOCK_WAIT, "-t", "nat", "-S", chain));
        if (r.exitCode() != 0) {
            throw new GateException("cannot list nat " + chain + ": " + r.stderr().strip());
        }
        List<List<String>> rules = new ArrayList<>();
        for (String text : r.stdout().split("\n")) {
            List<String> words = IptablesWords.split(text);
            int c = words.indexOf("--comment");
            if (words.size() > 2 && words.get(0).equals("-A") && c > 0 && c + 1 < words.size()
                    && words.get(c + 1).equals(comment(app.name(), line))) {
                rules.add(words.subList(2, words.size()));
            }
        }
        return rules;
    }

    private static boolean sameRule(List<String> a, List<String> b) {
        return a.equals(b);
    }

    private void iptables(String op, String chain, List<String> spec) throws GateException {
        CommandResult r = run(command(op, chain, spec));
        if (r.exitCode() != 0) {
            throw new GateException(CommandRunner.show(command(op, chain, spec)) + " failed (exit " + r.exitCode()
                    + "): " + r.stderr().strip());
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
