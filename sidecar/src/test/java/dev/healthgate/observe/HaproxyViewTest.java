package dev.healthgate.observe;

import static org.assertj.core.api.Assertions.assertThat;

import dev.healthgate.gate.Line;
import dev.healthgate.observe.HaproxyView.Goal;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

class HaproxyViewTest {

    private static Report report(String node, String status, int scur, long at) {
        return new Report(node, "main", "app/web1", status, scur, 0, "503", at);
    }

    @Test
    @DisplayName("a drain is complete only when every node has reported the line out since the flip")
    void everyNodeMustReportOut() {
        HaproxyView view = new HaproxyView(List.of("lb1", "lb2"));
        long flip = 1_000;
        view.record("web1", Line.MAIN, report("lb1", "UP 1/2", 0, 1_100), true, true, false, false);
        assertThat(view.pending("web1", Line.MAIN, Goal.OUT, flip, view.nodes("web1", 1_200)))
                .as("lb2 silent").containsExactly("lb2");
        view.record("web1", Line.MAIN, report("lb2", "UP 1/2", 0, 1_300), true, true, false, false);
        assertThat(view.pending("web1", Line.MAIN, Goal.OUT, flip, Set.of("lb1", "lb2"))).isEmpty();
    }

    @Test
    @DisplayName("a report from before the flip never satisfies a wait")
    void staleReportsDoNotCount() {
        HaproxyView view = new HaproxyView(List.of());
        view.record("web1", Line.MAIN, report("lb1", "DOWN", 0, 500), true, true, false, true);
        assertThat(view.pending("web1", Line.MAIN, Goal.OUT, 1_000, Set.of("lb1"))).containsExactly("lb1");
    }

    @Test
    @DisplayName("a later report that is not out clears an earlier out")
    void latestReportWins() {
        HaproxyView view = new HaproxyView(List.of());
        view.record("web1", Line.MAIN, report("lb1", "DOWN", 0, 500), true, true, false, true);
        view.record("web1", Line.MAIN, report("lb1", "UP", 0, 1_100), false, false, false, false);
        assertThat(view.pending("web1", Line.MAIN, Goal.OUT, 1_000, Set.of("lb1"))).containsExactly("lb1");
    }

    @Test
    @DisplayName("idle needs a report since the wait began that shows no session")
    void idleNeedsZeroSessions() {
        HaproxyView view = new HaproxyView(List.of());
        view.record("web1", Line.MAIN, report("lb1", "DOWN", 3, 1_100), true, true, false, false);
        assertThat(view.pending("web1", Line.MAIN, Goal.IDLE, 1_000, Set.of("lb1"))).containsExactly("lb1");
        view.record("web1", Line.MAIN, report("lb1", "DOWN", 0, 1_600), true, true, false, true);
        assertThat(view.pending("web1", Line.MAIN, Goal.IDLE, 1_000, Set.of("lb1"))).isEmpty();
    }

    @Test
    @DisplayName("without configured nodes, every node seen checking the app must act")
    void nodesSeenAreRequired() {
        HaproxyView view = new HaproxyView(List.of());
        view.record("web1", Line.BACKUP, report("lb2", "UP", 0, 100), false, false, true, false);
        view.record("web1", Line.MAIN, report("lb1", "UP", 0, 100), false, false, true, false);
        assertThat(view.nodes("web1", 200)).containsExactly("lb1", "lb2");
        assertThat(view.nodes("web2", 200)).isEmpty();
    }

    @Test
    @DisplayName("a node silent for forget-after is no longer waited on, and its track is dropped once another node reports")
    void silentNodesAreForgotten() {
        long second = 1_000_000_000L;
        HaproxyView view = new HaproxyView(List.of(), Duration.ofSeconds(30));
        view.record("web1", Line.MAIN, report("lb-retired", "UP", 0, 0), false, false, true, false);
        view.record("web1", Line.MAIN, report("lb1", "UP", 0, 25 * second), false, false, true, false);
        assertThat(view.nodes("web1", 29 * second)).containsExactly("lb-retired", "lb1");
        assertThat(view.nodes("web1", 31 * second)).as("30 s after its last check").containsExactly("lb1");

        view.record("web1", Line.MAIN, report("lb2", "UP", 0, 31 * second), false, false, true, false);
        assertThat(view.reports("web1")).extracting(Report::node).containsExactly("lb1", "lb2");
    }

    @Test
    @DisplayName("the node table of a line is bounded: a new node beyond the bound evicts the least recently heard")
    void nodeTableIsBounded() {
        HaproxyView view = new HaproxyView(List.of(), Duration.ofSeconds(30));
        for (int i = 0; i < HaproxyView.MAX_NODES; i++) {
            view.record("web1", Line.MAIN, report("n" + i, "UP", 0, 100 + i), false, false, true, false);
        }
        view.record("web1", Line.MAIN, report("n0", "UP", 0, 1_000), false, false, true, false); // heard again
        view.record("web1", Line.MAIN, report("intruder", "UP", 0, 1_001), false, false, true, false);

        Set<String> nodes = view.nodes("web1", 2_000);
        assertThat(nodes).hasSize(HaproxyView.MAX_NODES).contains("n0", "intruder").doesNotContain("n1");
    }
}
