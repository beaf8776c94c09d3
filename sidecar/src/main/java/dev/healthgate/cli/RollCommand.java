package dev.healthgate.cli;

import io.vertx.core.json.JsonObject;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** {@code healthgate roll}: every app on this host, one at a time. */
@Command(name = "roll", mixinStandardHelpOptions = true,
        description = "Restart every app on this host one at a time; stop at the first failure.")
final class RollCommand implements Runnable {

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @CommandLine.Mixin
    ClientOptions options;

    @Override
    public void run() {
        Progress progress = new Progress(spec.commandLine().getOut());
        JsonObject result = options.client().postStreaming("/v1/roll", progress::phase);
        result.getJsonArray("results").forEach(r -> progress.result((JsonObject) r));
        if (!result.getBoolean("ok", false)) {
            throw new ExitException(ExitCode.FAILED, "roll stopped at " + result.getString("stoppedAt", "?") + ": "
                    + result.getString("reason", result.getString("error", "failed")));
        }
    }
}
