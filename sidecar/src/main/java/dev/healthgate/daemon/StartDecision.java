package dev.healthgate.daemon;

import dev.healthgate.cycle.Action;
import dev.healthgate.cycle.AppRecord;
import dev.healthgate.cycle.CycleState;
import dev.healthgate.cycle.Intent;
import dev.healthgate.gate.Found;
import dev.healthgate.gate.GateStatus;
import dev.healthgate.gate.Presence;
import java.util.Optional;

/**
 * What healthgate does with one app when it starts, decided from what it wrote down before it stopped or
 * died ({@link AppRecord}) and what the app's gate has in place now. Pure: no files, no iptables.
 *
 * <ul>
 *   <li>In rotation, no cycle running: a nat app whose main rule is (even partly) in place stays in, its
 *       rules completed in both chains, with no flap; any other is restored once it is ready
 *       ({@code restore-on-start}), since its status ports went down with healthgate.</li>
 *   <li>Drained by an operator (also a drain cut short): stays out, main gate closed; its backup gate stays
 *       as it was found (a nat rule in one chain is completed).</li>
 *   <li>FAILED: stays FAILED with its reason and both gates closed, until an operator acts: a restart of
 *       healthgate (systemd's {@code Restart=}) must not clear a failure silently.</li>
 *   <li>A restart, restore or recovery cut short: a {@link Action#RESUME} cycle restores it if it becomes
 *       ready within its ready timeout, else it is FAILED with a reason naming the phase that was cut short.
 *       The restart itself is not carried out again. Lines found half in place are closed until then.</li>
 *   <li>Nothing written (first start, or a corrupt file): as before healthgate kept state: a nat app whose
 *       main rule is in place stays in, any other is restored once ready ({@code restore-on-start}).</li>
 * </ul>
 * A supervised app is started again by this healthgate (it cannot adopt a process it did not start), so
 * its gates are found closed whatever the kernel holds.
 *
 * @param initial     the state the app starts in
 * @param intent      the operator's intent, kept
 * @param reason      why it is FAILED, or {@code null}
 * @param gates       what its gate must have in place once reconciled
 * @param cycle       the cycle to start ({@link Action#RESTORE_ON_START} or {@link Action#RESUME}), or {@code null}
 * @param interrupted for a resume: what was cut short, e.g. {@code restart in its drain phase}
 * @param why         a line for the log
 */
public record StartDecision(CycleState initial, Intent intent, String reason, GateStatus gates, Action cycle,
        String interrupted, String why) {

    static StartDecision decide(Optional<AppRecord> saved, Found inPlace, boolean supervised, boolean restoreOnStart) {
        Found found = supervised ? Found.NOTHING : inPlace;
        Presence main = found.main();
        Presence backup = found.backup();
        if (saved.isEmpty()) {
            if (main == Presence.ALL) {
                return new StartDecision(CycleState.IN_ROTATION, Intent.IN, null,
                        new GateStatus(true, backup == Presence.ALL), null, null,
                        "no saved state; its main rule is in place: kept in rotation");
            }
            return notInPlace(Intent.IN, backup, restoreOnStart, "no saved state");
        }
        AppRecord rec = saved.get();
        if (rec.midCycle()) {
            String cut = rec.action().key() + (rec.phase() == null ? "" : " in its " + rec.phase() + " phase");
            if (rec.intent() == Intent.OUT) {
                boolean keepBackup = rec.action() == Action.DRAIN && backup != Presence.NONE;
                return new StartDecision(CycleState.OUT_OF_ROTATION, Intent.OUT, null,
                        new GateStatus(false, keepBackup), null, null,
                        "healthgate stopped during its " + cut + ": stays drained, main gate closed");
            }
            GateStatus gates = new GateStatus(main == Presence.ALL, backup == Presence.ALL);
            if (!restoreOnStart) {
                return new StartDecision(CycleState.FAILED, Intent.IN, "interrupted by a restart of healthgate ("
                        + cut + "); restore-on-start is false: restore or restart it", new GateStatus(false, false),
                        null, null, "healthgate stopped during its " + cut + "; restore-on-start is false: FAILED");
            }
            return new StartDecision(CycleState.OUT_OF_ROTATION, Intent.IN, null, gates, Action.RESUME, cut,
                    "healthgate stopped during its " + cut + ": restored once ready, else FAILED");
        }
        if (rec.state() == CycleState.FAILED) {
            return new StartDecision(CycleState.FAILED, rec.intent(), rec.reason(), new GateStatus(false, false), null,
                    null, "FAILED before healthgate restarted: stays FAILED with both gates closed");
        }
        if (rec.intent() == Intent.OUT) {
            return new StartDecision(CycleState.OUT_OF_ROTATION, Intent.OUT, null,
                    new GateStatus(false, backup != Presence.NONE), null, null,
                    "drained by an operator: stays out of rotation");
        }
        if (main != Presence.NONE) {
            return new StartDecision(CycleState.IN_ROTATION, Intent.IN, null, new GateStatus(true, true), null, null,
                    "in rotation and its main rule is in place: kept in");
        }
        return notInPlace(Intent.IN, backup, restoreOnStart, "in rotation before");
    }

    private static StartDecision notInPlace(Intent intent, Presence backup, boolean restoreOnStart, String before) {
        return new StartDecision(CycleState.OUT_OF_ROTATION, intent, null, new GateStatus(false, backup == Presence.ALL),
                restoreOnStart ? Action.RESTORE_ON_START : null, null,
                before + "; gates closed: " + (restoreOnStart ? "restored once ready (restore-on-start)"
                        : "left out (restore-on-start is false)"));
    }
}
