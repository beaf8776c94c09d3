package dev.healthgate.os;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

class SignalTest {

    @Test
    @DisplayName("names are read with or without SIG, in any case; numbers are Linux's")
    void readsNames() {
        assertThat(Signal.fromName("USR2")).isEqualTo(Signal.USR2);
        assertThat(Signal.fromName("sigusr1")).isEqualTo(Signal.USR1);
        assertThat(Signal.fromName(" QUIT ")).isEqualTo(Signal.QUIT);
        assertThat(Signal.USR2.number()).isEqualTo(12);
        assertThat(Signal.TERM.number()).isEqualTo(15);
        assertThat(Signal.KILL.catchable()).isFalse();
    }

    @Test
    @DisplayName("an unknown name is refused, listing the known ones")
    void refusesUnknownNames() {
        assertThatThrownBy(() -> Signal.fromName("FOO"))
                .hasMessageStartingWith("unknown signal (known: HUP, INT, QUIT, USR1, USR2, TERM, ");
        assertThatThrownBy(() -> Signal.fromName("15")).hasMessageStartingWith("unknown signal");
    }

    @Test
    @DisplayName("a death by signal is described by the signal's name")
    void namesNumbers() {
        assertThat(Signal.nameOf(9)).isEqualTo("KILL");
        assertThat(Signal.nameOf(11)).isEqualTo("SEGV");
        assertThat(Signal.nameOf(31)).isEqualTo("signal 31");
    }
}
