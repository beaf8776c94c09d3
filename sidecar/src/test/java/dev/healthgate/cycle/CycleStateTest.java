package dev.healthgate.cycle;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

class CycleStateTest {

    @Test
    @DisplayName("the restart cycle of DESIGN.md is a legal path")
    void theDesignedCycleIsLegal() {
        CycleState s = CycleState.IN_ROTATION;
        for (CycleState next : new CycleState[] {CycleState.DRAINING, CycleState.OUT_OF_ROTATION,
                CycleState.RESTARTING, CycleState.RESTORING, CycleState.IN_ROTATION}) {
            s = s.moveTo(next);
        }
        assertThat(s).isEqualTo(CycleState.IN_ROTATION);
    }

    @Test
    @DisplayName("an app cannot skip from in rotation straight to restarting")
    void refusesSkippingTheDrain() {
        assertThatThrownBy(() -> CycleState.IN_ROTATION.moveTo(CycleState.RESTARTING))
                .isInstanceOf(IllegalStateException.class)
                .hasMessage("illegal move IN_ROTATION -> RESTARTING");
    }

    @Test
    @DisplayName("a restarting app cannot go back into rotation without restoring")
    void refusesRotationWithoutRestore() {
        assertThatThrownBy(() -> CycleState.RESTARTING.moveTo(CycleState.IN_ROTATION))
                .isInstanceOf(IllegalStateException.class);
    }

    @ParameterizedTest
    @EnumSource(CycleState.class)
    @DisplayName("every state may fail")
    void everyStateMayFail(CycleState s) {
        assertThat(s.moveTo(CycleState.FAILED)).isEqualTo(CycleState.FAILED);
    }

    @Test
    @DisplayName("a failed app is never put straight back into rotation")
    void failedNeedsARestoreOrRestart() {
        assertThatThrownBy(() -> CycleState.FAILED.moveTo(CycleState.IN_ROTATION))
                .isInstanceOf(IllegalStateException.class);
        assertThat(CycleState.FAILED.moveTo(CycleState.RESTORING)).isEqualTo(CycleState.RESTORING);
    }
}
