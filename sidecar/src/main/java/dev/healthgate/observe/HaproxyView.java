package dev.healthgate.observe;

import dev.healthgate.gate.Line;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The live view of what every HAProxy node reported about every app's server lines, built from the
 * checks that reach healthgate's own status ports ({@code http-check send-state}) and the agent
 * checks it answers. Thread-safe: checks are recorded from event loops, cycles read it from theirs.
 *
 * <p>Bounded: a node not heard from for {@code forgetAfter} is forgotten (a retired load balancer is not
 * waited on), and each line keeps at most {@link #MAX_NODES} nodes, the least recently heard going first.
 */
public final class HaproxyView {

    private static final Logger LOG = LoggerFactory.getLogger(HaproxyView.class);
    /** Far more load balancers than any one app has: beyond this, something other than HAProxy is reporting. */
    static final int MAX_NODES = 32;

    private final List<String> configuredNodes;
    private final long forgetAfterNanos;
    private final Map<String, Map<Line, Map<String, Track>>> tracks = new HashMap<>();

    /** A view that forgets silent nodes after 30 s. */
    public HaproxyView(List<String> configuredNodes) {
        this(configuredNodes, Duration.ofSeconds(30));
    }

    /**
     * @param configuredNodes {@code haproxy.nodes}: the nodes that must act (empty: every node seen lately)
     * @param forgetAfter     a node not heard from this long is forgotten
     */
    public HaproxyView(List<String> configuredNodes, Duration forgetAfter) {
        this.configuredNodes = List.copyOf(configuredNodes);
        this.forgetAfterNanos = forgetAfter.toNanos();
    }

    /** How one node's view of one line has moved, in healthgate's clock. */
    private static final class Track {
        Report last;
        long outSince = -1;
        long downSince = -1;
        long idleSince = -1;
        long inSince = -1;
    }

    /**
     * Records a check and the answer healthgate gave it.
     *
     * @param out  the line is out for new clients once HAProxy reads the answer (NOLB or DOWN)
     * @param down the line is DOWN once HAProxy reads the answer (sticky clients move too)
     * @param in   the line is UP once HAProxy reads the answer
     * @param idle the line is out once HAProxy reads the answer, and HAProxy reported no session and
     *             nothing queued on it
     */
    public synchronized void record(String app, Line line, Report report, boolean out, boolean down, boolean in,
            boolean idle) {
        Map<String, Track> byNode = tracks.computeIfAbsent(app, a -> new HashMap<>())
                .computeIfAbsent(line, l -> new HashMap<>());
        long now = report.receivedNanos();
        Track t = byNode.get(report.node());
        if (t == null) {
            makeRoom(app, line, byNode, now);
            t = new Track();
            byNode.put(report.node(), t);
        }
        t.last = report;
        if (in) {
            t.inSince = t.inSince < 0 ? now : t.inSince;
            t.outSince = -1;
            t.downSince = -1;
            t.idleSince = -1;
            return;
        }
        // Each report replaces what the node said before: a stale "out" must never satisfy a later wait.
        t.inSince = -1;
        t.outSince = out ? (t.outSince < 0 ? now : t.outSince) : -1;
        t.downSince = down ? (t.downSince < 0 ? now : t.downSince) : -1;
        t.idleSince = idle ? (t.idleSince < 0 ? now : t.idleSince) : -1;
    }

    /** Forgets silent nodes, then, if the line is still full, the least recently heard one. */
    private void makeRoom(String app, Line line, Map<String, Track> byNode, long now) {
        byNode.values().removeIf(t -> now - t.last.receivedNanos() >= forgetAfterNanos);
        if (byNode.size() >= MAX_NODES) {
            String oldest = byNode.entrySet().stream()
                    .min(Comparator.comparingLong(e -> e.getValue().last.receivedNanos())).orElseThrow().getKey();
            byNode.remove(oldest);
            LOG.warn("{}: more than {} HAProxy nodes check the {} line; forgot {}, the least recently heard "
                    + "(set haproxy.sources to the load balancers' addresses)", app, MAX_NODES, line.key(), oldest);
        }
    }

    /** Every report kept for one app, for the API and {@code healthgate status}. */
    public synchronized List<Report> reports(String app) {
        List<Report> out = new ArrayList<>();
        tracks.getOrDefault(app, Map.of()).values().forEach(byNode -> byNode.values().forEach(t -> out.add(t.last)));
        out.sort((a, b) -> (a.line() + a.node()).compareTo(b.line() + b.node()));
        return out;
    }

    /** The nodes that must act: the configured ones, else every node seen checking this app lately. */
    public synchronized Set<String> nodes(String app, long nowNanos) {
        Set<String> nodes = new TreeSet<>(configuredNodes);
        if (nodes.isEmpty()) {
            tracks.getOrDefault(app, Map.of()).values().forEach(byNode -> byNode.forEach((node, t) -> {
                if (nowNanos - t.last.receivedNanos() < forgetAfterNanos) {
                    nodes.add(node);
                }
            }));
        }
        return nodes;
    }

    /** What a wait asks of each node's view of a line, after a gate flip at {@code since}. */
    public enum Goal {
        /** NOLB or DOWN: no new clients. */
        OUT,
        /** DOWN: sticky clients are moved too. */
        DOWN,
        /** Out with no session left. */
        IDLE,
        /** UP again. */
        IN
    }

    /** Nodes (among {@code nodes}) whose view of the line has not yet reached the goal since {@code since}. */
    public synchronized Set<String> pending(String app, Line line, Goal goal, long since, Set<String> nodes) {
        Set<String> pending = new TreeSet<>();
        Map<String, Track> byNode = tracks.getOrDefault(app, Map.of()).getOrDefault(line, Map.of());
        for (String node : nodes) {
            Track t = byNode.get(node);
            if (t == null || t.last.receivedNanos() < since || !reached(t, goal)) {
                pending.add(node);
            }
        }
        return pending;
    }

    private static boolean reached(Track t, Goal goal) {
        return switch (goal) {
            case OUT -> t.outSince >= 0;
            case DOWN -> t.downSince >= 0;
            case IDLE -> t.idleSince >= 0; // its last report, received since the wait began, says idle
            case IN -> t.inSince >= 0;
        };
    }

    /** The last report from a node on a line, or null. */
    public synchronized Report last(String app, Line line, String node) {
        Track t = tracks.getOrDefault(app, Map.of()).getOrDefault(line, Map.of()).get(node);
        return t == null ? null : t.last;
    }

    /** Whether a node has reported on any of an app's lines since {@code since} (System.nanoTime). */
    public synchronized boolean heardSince(String app, String node, long since) {
        return tracks.getOrDefault(app, Map.of()).values().stream().map(byNode -> byNode.get(node))
                .anyMatch(t -> t != null && t.last.receivedNanos() >= since);
    }

    /** Whether any node reported on this line since {@code since}. */
    public synchronized boolean anyReportSince(String app, Line line, long since) {
        return tracks.getOrDefault(app, Map.of()).getOrDefault(line, Map.of()).values().stream()
                .anyMatch(t -> t.last.receivedNanos() >= since);
    }
}
