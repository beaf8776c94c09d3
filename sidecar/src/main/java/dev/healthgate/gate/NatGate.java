package dev.healthgate.gate;

import dev.healthgate.config.AppConfig;
import dev.healthgate.config.GateKind;
import dev.healthgate.config.HaproxyTiming;
import dev.healthgate.exec.CommandRunner;
import dev.healthgate.observe.HaproxyView;
import dev.healthgate.observe.ObservedWatch;
import dev.healthgate.observe.TimedWatch;
import dev.healthgate.observe.Watch;
import dev.healthgate.ready.ReadinessProbe;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The {@code nat} gate: an iptables {@code nat} REDIRECT from a status port to the app port, in
 * PREROUTING (for a remote HAProxy) and OUTPUT (for a local one). Removing the rule closes the status
 * port, so HAProxy's checks on it fail. Each rule carries the comment {@code healthgate:APP:LINE} so
 * healthgate finds its own rules again after a restart of its own.
 *
 * <p>With each redirect goes a rule in INPUT that gives the redirected checks a source port below 1024
 * ({@code SNAT --to-source :1-1023}, for connections whose destination was rewritten from that status
 * port). HAProxy sends requests to the app port itself and checks to the status port, from the same
 * address; its kernel may pick the same source port for a check and a request, since their destinations
 * differ, but after the redirect both reach the app's address and port from the same address and port,
 * and conntrack must keep them apart. Under CPU load it did not always: requests were cut right after
 * their response headers while conntrack logged their packets as outside another connection's window.
 * Checks from ports below 1024 never share a source port with a request, which comes from the load
 * balancer's ephemeral ports. A line is in place when its redirect is in both chains ({@link #found});
 * the INPUT rule goes in and out with it.
 *
 * <p>With HTTP checks healthgate also listens on the status ports itself: while a redirect is in place
 * the kernel sends the checks to the app; once it is gone they reach healthgate, which answers 503 and
 * reads HAProxy's {@code X-Haproxy-Server-State}, so a nat drain is observed, not slept through. The
 * same listeners answer the backup line while a restart keeps the app's port open ({@link #hold}).
 *
 * <p>A rule matches only connections to a local address ({@code -m addrtype --dst-type LOCAL}): a status
 * port of another host that this one routes or forwards to is never redirected. This gate is the only
 * writer of its app's rules, so it keeps what is in place in memory ({@link #status()} runs no program;
 * {@link #reconcile} reads the kernel at start and sets it). Rules of the earlier format (without the
 * addrtype match) count as in place at start and are replaced by the current one.
 */
public final class NatGate implements Gate {

    private static final List<String> CHAINS = NatRules.CHAINS;
    private static final List<String> REDIRECT_CHAINS = NatRules.REDIRECT_CHAINS;

    private final AppConfig app;
    private final NatRules rules;
    private final Watch watch;
    private final List<StatusServer> listeners = new ArrayList<>();
    /** Lines opened but not yet settled: healthgate answers their checks with the app's health. */
    private final Set<Line> answering = EnumSet.noneOf(Line.class);
    /** The lines whose redirect is in both chains, as this gate (their only writer) last left them. */
    private final Set<Line> installed = EnumSet.noneOf(Line.class);
    private final PortHold hold = new PortHold();

    public NatGate(AppConfig app, String iptables, CommandRunner runner, Vertx vertx, HaproxyTiming timing,
            HaproxyView view, ReadinessProbe probe) {
        this.app = app;
        this.rules = new NatRules(iptables, runner);
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
                        () -> hold.answer(line, isAnswering(line), probe), false));
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
        return NatRules.PREFIX + app + ":" + line.key();
    }

    /**
     * At start, before any app's {@link #reconcile}: removes every {@code healthgate:} rule that none of the
     * config's nat apps accounts for (an app removed, renamed, or moved to another gate), whose redirect would
     * otherwise bypass that app's gate. Returns a note per rule removed.
     */
    public static List<String> removeUnaccounted(String iptables, CommandRunner runner, List<AppConfig> apps)
            throws GateException {
        Set<String> accounted = new HashSet<>();
        for (AppConfig a : apps) {
            if (a.gate() == GateKind.NAT) {
                for (Line line : Line.values()) {
                    accounted.add(comment(a.name(), line));
                }
            }
        }
        return new NatRules(iptables, runner).removeUnaccounted(accounted);
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
        if (isInstalled(line)) {
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

    private boolean isInstalled(Line line) {
        synchronized (installed) {
            return installed.contains(line);
        }
    }

    private void setInstalled(Line line, boolean in) {
        synchronized (installed) {
            if (in) {
                installed.add(line);
            } else {
                installed.remove(line);
            }
        }
    }

    /** Adds the line's redirect where it is missing; returns whether any was added. */
    private boolean addRules(Line line) throws GateException {
        boolean added = false;
        try {
            for (String chain : CHAINS) {
                if (!rules.exists(chain, ruleSpec(chain, line))) {
                    rules.append(chain, ruleSpec(chain, line));
                    added = true;
                }
            }
        } catch (GateException e) {
            setInstalled(line, false); // perhaps in one chain only: closed as far as the API tells
            throw e;
        }
        setInstalled(line, true);
        return added;
    }

    /**
     * With HTTP checks, an installed backup redirect would send HAProxy's checks to the app, which may not
     * answer while it boots: the redirect is removed and healthgate's own listener answers them from the
     * app port's TCP reachability (the line stays open, as during a restore) until the hold ends; the
     * restore then installs the redirect again ({@link #settle}), a failed cycle closes the line. With TCP
     * checks nothing is needed: the redirect leads HAProxy's check to the held socket, which accepts.
     */
    @Override
    public String hold(long untilNanos) throws GateException {
        if (listeners.isEmpty()) {
            return null;
        }
        hold.begin(untilNanos);
        if (!isInstalled(Line.BACKUP)) {
            return null; // closed, or answered by healthgate already
        }
        synchronized (answering) {
            answering.add(Line.BACKUP);
        }
        setInstalled(Line.BACKUP, false); // from here on healthgate answers, whatever iptables does next
        removeRules(Line.BACKUP);
        return "backup checks answered by healthgate from port " + app.port() + "'s TCP reachability until ready";
    }

    @Override
    public void endHold() {
        hold.end();
    }

    @Override
    public boolean close(Line line) throws GateException {
        boolean removed;
        synchronized (answering) {
            removed = answering.remove(line);
        }
        // not installed from here on, whatever follows: a line half removed is closed for HAProxy's
        // checks that came through the removed chain
        setInstalled(line, false);
        return removeRules(line) || removed;
    }

    /** Removes the line's redirect from every chain; returns whether any was there. */
    private boolean removeRules(Line line) throws GateException {
        boolean removed = false;
        for (String chain : CHAINS) {
            // -D until iptables answers that no such rule is left: removes duplicates too. Bounded in case
            // it keeps answering that it removed one.
            int i = 0;
            for (; i < 16 && rules.deleteOne(chain, ruleSpec(chain, line)); i++) {
                removed = true;
            }
            if (i == 16) {
                throw new GateException("could not remove " + comment(app.name(), line) + " from nat " + chain);
            }
        }
        return removed;
    }

    /** From memory (see the class comment): the API asks this on every {@code GET /v1/apps}. */
    @Override
    public GateStatus status() {
        return new GateStatus(isAnswering(Line.MAIN) || isInstalled(Line.MAIN),
                isAnswering(Line.BACKUP) || isInstalled(Line.BACKUP));
    }

    /**
     * Reads the kernel: per line, in how many of the redirect's chains a rule of this app (either format) is.
     * The INPUT rule does not count: a redirect without it (as an earlier healthgate left it) is in place.
     */
    @Override
    public Found found() throws GateException {
        Map<String, List<NatRules.Rule>> listed = listOwn();
        Presence[] presence = new Presence[2];
        for (Line line : Line.values()) {
            int chains = 0;
            for (String chain : REDIRECT_CHAINS) {
                if (!own(listed, chain, line).isEmpty()) {
                    chains++;
                }
            }
            presence[line.ordinal()] = chains == REDIRECT_CHAINS.size() ? Presence.ALL
                    : chains == 0 ? Presence.NONE : Presence.PART;
        }
        return new Found(presence[Line.MAIN.ordinal()], presence[Line.BACKUP.ordinal()]);
    }

    /**
     * Makes each line's rules exactly {@code wanted}: an open line has one current-format rule in each chain
     * (added before an old-format one is removed, so the status port never closes in between), a closed line
     * none; duplicates and stale rules go.
     */
    @Override
    public String reconcile(GateStatus wanted) throws GateException {
        List<String> notes = new ArrayList<>();
        Map<String, List<NatRules.Rule>> listed = listOwn();
        for (Line line : Line.values()) {
            boolean open = wanted.isOpen(line);
            for (String chain : CHAINS) {
                List<String> expected = ruleSpec(chain, line);
                List<NatRules.Rule> found = own(listed, chain, line);
                boolean kept = false;
                if (open && found.stream().noneMatch(r -> r.spec().equals(expected))) {
                    rules.append(chain, expected);
                    notes.add("added " + line.key() + " rule in " + chain + (found.isEmpty() ? " (it was missing)" : ""));
                    kept = true;
                }
                for (NatRules.Rule rule : found) {
                    boolean current = rule.spec().equals(expected);
                    if (open && current && !kept) {
                        kept = true;
                        continue;
                    }
                    rules.delete(rule);
                    notes.add("removed " + (!open ? "" : current ? "duplicate " : "stale ") + line.key() + " rule in "
                            + chain + ": " + String.join(" ", rule.spec()));
                }
            }
            setInstalled(line, open);
        }
        String state = "nat rules: main " + (wanted.main() ? "present" : "absent") + ", backup "
                + (wanted.backup() ? "present" : "absent");
        return notes.isEmpty() ? state : state + "; " + String.join("; ", notes);
    }

    /** healthgate's rules per chain: one {@code iptables -S} per chain. */
    private Map<String, List<NatRules.Rule>> listOwn() throws GateException {
        Map<String, List<NatRules.Rule>> listed = new HashMap<>();
        for (String chain : CHAINS) {
            listed.put(chain, rules.healthgateRules(chain));
        }
        return listed;
    }

    private List<NatRules.Rule> own(Map<String, List<NatRules.Rule>> listed, String chain, Line line) {
        String comment = comment(app.name(), line);
        return listed.get(chain).stream().filter(r -> r.comment().equals(comment)).toList();
    }

    /** The line's rule in {@code chain}, as {@code iptables -S} lists it (what follows {@code -A CHAIN}). */
    private List<String> ruleSpec(String chain, Line line) {
        String statusPort = String.valueOf(line == Line.MAIN ? app.statusPort() : app.backupStatusPort());
        if (chain.equals(NatRules.SOURCE_CHAIN)) {
            return List.of("-p", "tcp", "-m", "tcp", "--dport", String.valueOf(app.port()),
                    "-m", "conntrack", "--ctstate", "DNAT", "--ctorigdstport", statusPort,
                    "-m", "comment", "--comment", comment(app.name(), line),
                    "-j", "SNAT", "--to-source", ":" + NatRules.CHECK_SOURCE_PORTS);
        }
        return List.of("-p", "tcp", "-m", "tcp", "--dport", statusPort,
                "-m", "addrtype", "--dst-type", "LOCAL",
                "-m", "comment", "--comment", comment(app.name(), line),
                "-j", "REDIRECT", "--to-ports", String.valueOf(app.port()));
    }
}
