package dev.healthgate.restart;

import dev.healthgate.config.AppConfig;
import dev.healthgate.config.RestartSpec;
import dev.healthgate.exec.CommandRunner;

/** Builds the restart strategy an app's config names. */
public final class Restarts {

    private Restarts() {
    }

    /**
     * The strategy of {@code app}. Blocking (a supervised app's user is looked up); starts nothing.
     *
     * @throws RestartException when the strategy cannot work here, e.g. an unknown user to run as
     */
    public static RestartStrategy create(AppConfig app, CommandRunner runner) throws RestartException {
        RestartSpec spec = app.restart();
        return switch (spec.kind()) {
            case EXEC -> new ExecRestart(spec, runner);
            case SIGNAL -> new SignalRestart(app.name(), spec.signal(), spec.timeout());
            case SUPERVISE -> SuperviseRestart.prepare(app.name(), spec.supervise(), runner, app.host(), app.port());
        };
    }
}
