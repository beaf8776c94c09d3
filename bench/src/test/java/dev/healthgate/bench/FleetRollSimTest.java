package dev.healthgate.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

class FleetRollSimTest {

    private static final FleetRollSim.Model FREE = new FleetRollSim.Model(1000, 7, 3.5, 0.25, 0.02, 3.0, 0, 0);

    @Test
    @DisplayName("batches as Ansible cuts them: a percentage rounded down, at least 1, the rest last")
    void batches() {
        assertThat(FleetRollSim.batches("35%", 6)).containsExactly(2, 2, 2);
        assertThat(FleetRollSim.batches("35%", 4)).containsExactly(1, 1, 1, 1);
        assertThat(FleetRollSim.batches("35%", 1000)).containsExactly(350, 350, 300);
        assertThat(FleetRollSim.batches("3", 7)).containsExactly(3, 3, 1);
    }

    @Test
    @DisplayName("forks workers take the next host once free: the batch lasts as long as its busiest worker")
    void makespan() {
        assertThat(FleetRollSim.makespan(new double[] {4, 1, 1, 1, 1}, 2)).isEqualTo(4.0);
        assertThat(FleetRollSim.makespan(new double[] {1, 1, 1, 1}, 2)).isEqualTo(2.0);
        assertThat(FleetRollSim.makespan(new double[] {1, 1, 1, 1}, 4)).isEqualTo(1.0);
    }

    @Test
    @DisplayName("with no controller cost and forks = batch size, the roll takes exactly its lower bound")
    void reachesTheBoundWithoutOverhead() {
        double[] cycles = FREE.cycles();
        FleetRollSim.Result r = FleetRollSim.roll(cycles, "10%", 100, true, FREE);
        assertThat(r.ratio()).isCloseTo(1.0, within(1e-9));
        assertThat(r.batches()).isEqualTo(10);
    }

    @Test
    @DisplayName("the same seed draws the same fleet; fewer forks than hosts per batch cost more than the bound")
    void seededAndBounded() {
        assertThat(FREE.cycles()).containsExactly(FREE.cycles());
        FleetRollSim.Result r = FleetRollSim.roll(FREE.cycles(), "10%", 5, true, FREE);
        assertThat(r.ratio()).isGreaterThan(5);
    }
}
