package dev.healthgate.observe;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.healthgate.config.ConfigLoader;
import dev.healthgate.config.HealthgateConfig;
import dev.healthgate.gate.Line;
import dev.healthgate.observe.ObservedWatch.Observability;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * The restore's wait on HAProxy's checks, by the operator (every node must have the lines back) and
 * unattended, when healthgate starts or recovers a crashed app (a node that has not checked the app since
 * the gates opened, because HAProxy is not running, is not waited for past the bound).
 */
@DisplayName("Waiting on HAProxy to put an app back")
class ObservedWatchTest {

    /** Bound of the in-wait: rise x inter + inter, one inter of slack, one check timeout (1 s) = 1400 ms. */
    private static final String TIMING = "haproxy: { inter: 100ms, fall: 2, rise: 2%s }\n";

    private Vertx vertx;

    @BeforeEach
    void start() {
        vertx = Vertx.vertx();
    }

    @AfterEach
    void stop() throws Exception {
        vertx.close().toCompletionStage().toCompletableFuture().get(5, TimeUnit.SECONDS);
    }

    @Test
    @DisplayName("with no HAProxy checking at all, an operator's restore fails but the one at start leaves the gates open, saying so")
    void noHaproxyAtAll() throws Exception {
        ObservedWatch watch = watcher("", new HaproxyView(List.of()));

        assertThatThrownBy(() -> await(watch.awaitIn(Set.of(Line.MAIN, Line.BACKUP), System.nanoTime())))
                .hasMessageContaining("HAProxy never checked web1's status port within 1400 ms");
        String note = await(watch.awaitInUnattended(Set.of(Line.MAIN, Line.BACKUP), System.nanoTime()));
        assertThat(note).isEqualTo("not confirmed: no HAProxy node has checked web1's status port 19001/19101 since "
                + "the gates opened (waited 1400 ms); the gates stay open, so HAProxy's next check finds web1 up");
    }

    @Test
    @DisplayName("with no agent check at all, the failure says which checks it expected")
    void noAgentCheckAtAll() {
        ObservedWatch watch = watcher("", new HaproxyView(List.of()), "gate: agent");

        assertThatThrownBy(() -> await(watch.awaitIn(Set.of(Line.MAIN, Line.BACKUP), System.nanoTime())))
                .hasMessageEndingWith("is the config from `healthgate haproxy-config` deployed (agent checks on port 19001)?");
    }

    @Test
    @DisplayName("at start, a configured node that never checked is not waited for; one that did must have the lines back")
    void unheardNodeIsSpared() throws Exception {
        HaproxyView view = new HaproxyView(List.of("lb1", "lb2"));
        ObservedWatch watch = watcher(", nodes: [lb1, lb2]", view);
        long since = System.nanoTime();
        Future<String> operator = watch.awaitIn(Set.of(Line.MAIN, Line.BACKUP), since);
        Future<String> atStart = watch.awaitInUnattended(Set.of(Line.MAIN, Line.BACKUP), since);
        for (Line line : Line.values()) {
            check(view, "lb1", line, true);
        }

        assertThat(await(atStart)).isEqualTo("observed lb1 in; not confirmed by lb2: not one check of web1 since "
                + "the gates opened (waited 1400 ms); the gates stay open, so HAProxy's next check finds web1 up");
        assertThatThrownBy(() -> await(operator)).hasMessageContaining("waiting on: lb2 main (never reported)");
    }

    @Test
    @DisplayName("after a crash, a node that checked before but has gone silent (HAProxy down) is not waited for; an operator's restore fails on it")
    void nodeSilentSinceTheGatesOpenedIsSpared() throws Exception {
        HaproxyView view = new HaproxyView(List.of());
        ObservedWatch watch = watcher("", view);
        for (Line line : Line.values()) {
            check(view, "lb1", line, false); // lb1 saw the gates closed, then stopped checking
        }
        long since = System.nanoTime();
        Future<String> operator = watch.awaitIn(Set.of(Line.MAIN, Line.BACKUP), since);
        Future<String> unattended = watch.awaitInUnattended(Set.of(Line.MAIN, Line.BACKUP), since);

        assertThat(await(unattended)).isEqualTo("not confirmed by lb1: not one check of web1 since the gates "
                + "opened (waited 1400 ms); the gates stay open, so HAProxy's next check finds web1 up");
        assertThatThrownBy(() -> await(operator))
                .hasMessageContaining("HAProxy has not checked web1's status port within 1400 ms (the last check "
                        + "came from lb1 ").hasMessageEndingWith(" ms ago): is HAProxy running?");
    }

    @Test
    @DisplayName("at start, a node that checks but keeps the line down fails the restore")
    void heardNodeMustAct() throws Exception {
        HaproxyView view = new HaproxyView(List.of());
        ObservedWatch watch = watcher("", view);
        long since = System.nanoTime();
        Future<String> atStart = watch.awaitInUnattended(Set.of(Line.MAIN), since);
        check(view, "lb1", Line.MAIN, false);

        assertThatThrownBy(() -> await(atStart))
                .hasMessageContaining("HAProxy did not report web1 in within 1400 ms; waiting on: lb1 main (last: DOWN");
    }

    @Test
    @DisplayName("at start, a node that checks and has the line back ends the wait at once")
    void observedAtStart() throws Exception {
        HaproxyView view = new HaproxyView(List.of());
        ObservedWatch watch = watcher("", view);
        long since = System.nanoTime();
        Future<String> atStart = watch.awaitInUnattended(Set.of(Line.MAIN), since);
        check(view, "lb1", Line.MAIN, true);

        assertThat(await(atStart)).startsWith("observed lb1 in after");
        assertThat(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - since)).as("ms waited").isLessThan(400);
    }

    /** One check of web1's line by {@code node}, answered as an open line (UP) or a closed one (DOWN, idle). */
    private static void check(HaproxyView view, String node, Line line, boolean open) {
        Report report = new Report(node, line.key(), "app/web1", open ? "UP" : "DOWN", 0, 0, open ? "200" : "503",
                System.nanoTime());
        view.record("web1", line, report, !open, !open, open, !open);
    }

    private ObservedWatch watcher(String haproxyExtra, HaproxyView view) {
        return watcher(haproxyExtra, view, "gate: port, backup-status-port: 19101");
    }

    private ObservedWatch watcher(String haproxyExtra, HaproxyView view, String gate) {
        HealthgateConfig config = ConfigLoader.parse(TIMING.formatted(haproxyExtra) + """
                apps:
                  - { name: web1, port: 18001, status-port: 19001, %s,
                      ready: { tcp: true }, restart: { exec: ["true"] } }
                """.formatted(gate));
        return new ObservedWatch(vertx, view, config.apps().get(0), config.haproxy(),
                new Observability(true, true, true));
    }

    private static <T> T await(Future<T> f) throws Exception {
        try {
            return f.toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
        } catch (ExecutionException e) {
            throw (Exception) e.getCause();
        }
    }
}
