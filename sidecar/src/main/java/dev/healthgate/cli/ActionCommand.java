package dev.healthgate.cli;

import io.vertx.core.json.JsonObject;
import java.util.regex.Pattern;
import picocli.CommandLine;

/** Shared body of drain, restore and restart: POST, print each phase, exit non-zero on failure. */
abstract class ActionCommand implements Runnable {

    private static final Pattern APP_NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9_.-]{0,39}");

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @CommandLine.Mixin
    ClientOptions options;

    @CommandLine.Parameters(index = "0", paramLabel = "APP", description = "the app's name in healthgate.yml")
    String app;

    abstract String action();

    @Override
    public void run() {
        if (!APP_NAME.matcher(app).matches()) {
            throw new ExitException(ExitCode.USAGE, "APP '" + app + "' is not an app name");
        }
        Progress progress = new Progress(spec.commandLine().getOut());
        JsonObject result = options.client().postStreaming("/v1/apps/" + app + "/" + action(), progress::phase);
        if (!progress.result(result)) {
            throw new ExitException(ExitCode.FAILED, null);
        }
    }
}
