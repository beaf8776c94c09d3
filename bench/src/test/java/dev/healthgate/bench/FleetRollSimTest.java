package dev.healthgate.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import dev.healthgate.bench.FleetRollSim.BatchPlay;
import dev.healthgate.bench.FleetRollSim.Controller;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

class FleetRollSimTest {

    private static final FleetRollSim.Fleet FLEET = new FleetRollSim.Fleet(1000, 7, 3.5, 0.25, 0.02, 3.0);

    @Test
    @DisplayName("batches as Ansible cuts them: a percentage rounded down, at least 1, the rest last")
    void batches() {
        assertThat(FleetRollSim.batches("35%", 6)).containsExactly(2, 2, 2);
        assertThat(FleetRollSim.batches("35%", 4)).containsExactly(1, 1, 1, 1);
        assertThat(FleetRollSim.batches("35%", 1000)).containsExactly(350, 350, 300);
        assertThat(FleetRollSim.batches("3", 7)).containsExactly(3, 3, 1);
    }

    @Test
    @DisplayName("forks workers take the next host once free: the task lasts as long as its busiest worker")
    void forks() {
        assertThat(FleetRollSim.task(new double[] {4, 1, 1, 1, 1}, 2, 0, 0, 8)).isEqualTo(4.0);
        assertThat(FleetRollSim.task(new double[] {1, 1, 1, 1}, 2, 0, 0, 8)).isEqualTo(2.0);
        assertThat(FleetRollSim.task(new double[] {1, 1, 1, 1}, 4, 0, 0, 8)).isEqualTo(1.0);
    }

    @Test
    @DisplayName("the controller's cores are shared: four calls of 1 s CPU on 2 cores, then 3 s waits, end at 5 s")
    void cores() {
        assertThat(FleetRollSim.task(new double[] {3, 3, 3, 3}, 4, 1, 0, 2)).isEqualTo(5.0);
        // the same CPU spent on each host instead runs in parallel
        assertThat(FleetRollSim.task(new double[] {3, 3, 3, 3}, 4, 0, 1, 2)).isEqualTo(4.0);
    }

    @Test
    @DisplayName("with no controller cost and forks = batch size, the roll takes exactly its lower bound")
    void reachesTheBoundWithoutOverhead() {
        FleetRollSim.Result r = FleetRollSim.roll(FLEET.cycles(), "10%", 100, Controller.FREE);
        assertThat(r.ratio()).isCloseTo(1.0, within(1e-9));
        assertThat(r.batches()).isEqualTo(10);
    }

    @Test
    @DisplayName("a big batch called from a small controller pays for its calls; calls on the hosts do not")
    void bigBatchesNeedTheCallsSpread() {
        Controller small = new Controller(0.85, 0.15, 2, false);
        double fromController = FleetRollSim.roll(FLEET.cycles(), "35%", 350, small).ratio();
        double onHosts = FleetRollSim.roll(FLEET.cycles(), "35%", 350, small.onHosts(true)).ratio();
        assertThat(fromController).isGreaterThan(5);
        assertThat(onHosts).isLessThan(fromController);
    }

    @Test
    @DisplayName("the same seed draws the same fleet; fewer forks than hosts per batch cost more than the bound")
    void seededAndBounded() {
        assertThat(FLEET.cycles()).containsExactly(FLEET.cycles());
        FleetRollSim.Result r = FleetRollSim.roll(FLEET.cycles(), "10%", 5, Controller.FREE);
        assertThat(r.ratio()).isGreaterThan(5);
    }

    @Test
    @DisplayName("one task per batch: each batch costs its worker once, whatever its size, plus its calls in turn")
    void oneTaskPerBatch() {
        double[] cycles = FLEET.cycles();
        assertThat(FleetRollSim.rollOneTaskPerBatch(cycles, "10%", new BatchPlay(0, 0)).ratio())
                .isCloseTo(1.0, within(1e-9));
        FleetRollSim.Result r = FleetRollSim.rollOneTaskPerBatch(cycles, "10%", new BatchPlay(1.5, 0));
        assertThat(r.seconds() - r.lowerBound()).isCloseTo(10 * 1.5, within(1e-9));
        // four hosts of 1 s: the last call is sent after four calls of 0.5 s, and ends 1 s later
        assertThat(FleetRollSim.rollOneTaskPerBatch(new double[] {1, 1, 1, 1}, "4", new BatchPlay(0, 0.5)).seconds())
                .isCloseTo(3.0, within(1e-9));
        // with the same controller, a batch of 350 costs roll.yml far more than one task does
        Controller c = new Controller(1.06, 0.22, 8, false);
        assertThat(FleetRollSim.rollOneTaskPerBatch(cycles, "35%", new BatchPlay(1.5, 0.005)).seconds())
                .isLessThan(FleetRollSim.roll(cycles, "35%", 350, c.onHosts(true)).seconds());
    }
}
