package dev.healthgate.daemon;

import static org.assertj.core.api.Assertions.assertThat;

import dev.healthgate.cycle.Action;
import dev.healthgate.cycle.AppRecord;
import dev.healthgate.cycle.CycleState;
import dev.healthgate.cycle.Intent;
import dev.healthgate.gate.Found;
import dev.healthgate.gate.GateStatus;
import dev.healthgate.gate.Presence;
import java.util.Optional;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** What healthgate does with an app at start, from its saved record and what its gate has in place. */
class StartDecisionTest {

    private static final Found BOTH = new Found(Presence.ALL, Presence.ALL);
    private static final Found NONE = Found.NOTHING;

    private static Optional<AppRecord> steady(Intent intent, CycleState state) {
        return Optional.of(new AppRecord("web1", intent, state, state == CycleState.FAILED ? "it broke" : null, null, null));
    }

    private static Optional<AppRecord> cut(Action action, Intent intent, String phase) {
        return Optional.of(new AppRecord("web1", intent, CycleState.DRAINING, null, action, phase));
    }

    @Test
    @DisplayName("a nat app in rotation whose rules are in place stays in without a cycle (no flap)")
    void inRotationStaysIn() {
        StartDecision d = StartDecision.decide(steady(Intent.IN, CycleState.IN_ROTATION), BOTH, false, true);
        assertThat(d.initial()).isEqualTo(CycleState.IN_ROTATION);
        assertThat(d.cycle()).as("no cycle: nothing flips").isNull();
        assertThat(d.gates()).isEqualTo(new GateStatus(true, true));
    }

    @Test
    @DisplayName("a main rule in one chain only of an app in rotation is completed, not removed")
    void halfRuleOfAnAppInRotationIsCompleted() {
        StartDecision d = StartDecision.decide(steady(Intent.IN, CycleState.IN_ROTATION),
                new Found(Presence.PART, Presence.ALL), false, true);
        assertThat(d.gates()).isEqualTo(new GateStatus(true, true));
        assertThat(d.initial()).isEqualTo(CycleState.IN_ROTATION);
    }

    @Test
    @DisplayName("an app in rotation whose status ports went down with healthgate is restored once ready")
    void flagGateInRotationIsRestored() {
        StartDecision d = StartDecision.decide(steady(Intent.IN, CycleState.IN_ROTATION), NONE, false, true);
        assertThat(d.cycle()).isEqualTo(Action.RESTORE_ON_START);
        assertThat(d.initial()).isEqualTo(CycleState.OUT_OF_ROTATION);
    }

    @Test
    @DisplayName("an app an operator drained stays drained, even with restore-on-start")
    void drainedStaysDrained() {
        StartDecision nat = StartDecision.decide(steady(Intent.OUT, CycleState.OUT_OF_ROTATION),
                new Found(Presence.NONE, Presence.PART), false, true);
        assertThat(nat.cycle()).as("no restore").isNull();
        assertThat(nat.initial()).isEqualTo(CycleState.OUT_OF_ROTATION);
        assertThat(nat.gates()).as("main closed; the backup rule found in one chain is completed")
                .isEqualTo(new GateStatus(false, true));
        StartDecision port = StartDecision.decide(steady(Intent.OUT, CycleState.OUT_OF_ROTATION), NONE, false, true);
        assertThat(port.cycle()).isNull();
        assertThat(port.gates()).isEqualTo(new GateStatus(false, false));
    }

    @Test
    @DisplayName("a drain cut short is finished: main closed, no restore")
    void drainCutShortStaysOut() {
        StartDecision d = StartDecision.decide(cut(Action.DRAIN, Intent.OUT, "drain"), BOTH, false, true);
        assertThat(d.cycle()).isNull();
        assertThat(d.gates()).isEqualTo(new GateStatus(false, true));
        assertThat(d.intent()).isEqualTo(Intent.OUT);
    }

    @Test
    @DisplayName("a restart cut short is resumed: restored once ready, naming the phase; half rules closed meanwhile")
    void restartCutShortIsResumed() {
        StartDecision d = StartDecision.decide(cut(Action.RESTART, Intent.IN, "drain-backup"),
                new Found(Presence.NONE, Presence.PART), false, true);
        assertThat(d.cycle()).isEqualTo(Action.RESUME);
        assertThat(d.interrupted()).isEqualTo("restart in its drain-backup phase");
        assertThat(d.gates()).isEqualTo(new GateStatus(false, false));
        assertThat(d.initial()).isEqualTo(CycleState.OUT_OF_ROTATION);
    }

    @Test
    @DisplayName("a restart cut short with restore-on-start false is FAILED with a reason, not restored")
    void restartCutShortWithoutRestoreOnStartFails() {
        StartDecision d = StartDecision.decide(cut(Action.RESTART, Intent.IN, "restart"), NONE, false, false);
        assertThat(d.cycle()).isNull();
        assertThat(d.initial()).isEqualTo(CycleState.FAILED);
        assertThat(d.reason()).contains("restart in its restart phase").contains("restore-on-start is false");
    }

    @Test
    @DisplayName("a FAILED app stays FAILED with its reason and both gates closed")
    void failedStaysFailed() {
        StartDecision d = StartDecision.decide(steady(Intent.IN, CycleState.FAILED), BOTH, false, true);
        assertThat(d.initial()).isEqualTo(CycleState.FAILED);
        assertThat(d.reason()).isEqualTo("it broke");
        assertThat(d.gates()).isEqualTo(new GateStatus(false, false));
        assertThat(d.cycle()).isNull();
    }

    @Test
    @DisplayName("a supervised app is started again, so its gates are closed and it is restored once ready")
    void supervisedIsRestoredAfterItsStart() {
        StartDecision d = StartDecision.decide(steady(Intent.IN, CycleState.IN_ROTATION), BOTH, true, true);
        assertThat(d.gates()).isEqualTo(new GateStatus(false, false));
        assertThat(d.cycle()).isEqualTo(Action.RESTORE_ON_START);
    }

    @Test
    @DisplayName("without saved state healthgate starts as before: rules in place stay, otherwise restore-on-start")
    void unknownBehavesAsBefore() {
        assertThat(StartDecision.decide(Optional.empty(), BOTH, false, true).initial()).isEqualTo(CycleState.IN_ROTATION);
        StartDecision none = StartDecision.decide(Optional.empty(), new Found(Presence.PART, Presence.NONE), false, true);
        assertThat(none.cycle()).isEqualTo(Action.RESTORE_ON_START);
        assertThat(none.gates()).as("a half main rule is closed until the restore").isEqualTo(new GateStatus(false, false));
        assertThat(StartDecision.decide(Optional.empty(), NONE, false, false).cycle()).isNull();
    }
}
