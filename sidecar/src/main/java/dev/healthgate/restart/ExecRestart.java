package dev.healthgate.restart;

import dev.healthgate.config.RestartSpec;
import dev.healthgate.exec.CommandException;
import dev.healthgate.exec.CommandRunner;

/** Strategy {@code exec}: runs a command such as {@code systemctl restart web1}, bounded, no shell. */
public final class ExecRestart implements RestartStrategy {

    private final RestartSpec spec;
    private final CommandRunner runner;

    public ExecRestart(RestartSpec spec, CommandRunner runner) {
        this.spec = spec;
        this.runner = runner;
    }

    @Override
    public void restart() throws RestartException {
        try {
            runner.check(spec.exec(), spec.timeout());
        } catch (CommandException e) {
            throw new RestartException("restart command failed: " + e.getMessage());
        }
    }

    @Override
    public String describe() {
        return "exec " + CommandRunner.show(spec.exec());
    }
}
