package dev.healthgate.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("Durations")
class DurationsTest {

    @Test
    @DisplayName("reads HAProxy's units")
    void readsHaproxyUnits() {
        assertThat(Durations.parse("500ms")).isEqualTo(Duration.ofMillis(500));
        assertThat(Durations.parse("2s")).isEqualTo(Duration.ofSeconds(2));
        assertThat(Durations.parse("1m")).isEqualTo(Duration.ofMinutes(1));
        assertThat(Durations.parse("24h")).isEqualTo(Duration.ofHours(24));
    }

    @Test
    @DisplayName("refuses a bare number, whose unit would be a guess")
    void refusesBareNumber() {
        assertThatThrownBy(() -> Durations.parse("500")).hasMessageContaining("not a duration");
    }

    @Test
    @DisplayName("refuses a duration past 24h, which would otherwise overflow the nanosecond deadlines it feeds")
    void refusesHugeDurations() {
        assertThatThrownBy(() -> Durations.parse("999999999h")).hasMessageContaining("24h");
        assertThatThrownBy(() -> Durations.parse("25h")).hasMessageContaining("24h");
    }
}
