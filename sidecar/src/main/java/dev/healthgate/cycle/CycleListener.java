package dev.healthgate.cycle;

/** Hears each phase as it completes (e.g. to stream progress to a CLI client) and each cycle's end. */
@FunctionalInterface
public interface CycleListener {

    CycleListener NONE = (app, phase) -> { };

    void onPhase(String app, PhaseResult phase);

    default void onResult(CycleResult result) {
    }

    /** Tells both listeners, this one first. */
    default CycleListener and(CycleListener other) {
        CycleListener self = this;
        return new CycleListener() {
            @Override
            public void onPhase(String app, PhaseResult phase) {
                self.onPhase(app, phase);
                other.onPhase(app, phase);
            }

            @Override
            public void onResult(CycleResult result) {
                self.onResult(result);
                other.onResult(result);
            }
        };
    }
}
