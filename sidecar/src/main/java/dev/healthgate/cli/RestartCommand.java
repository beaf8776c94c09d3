package dev.healthgate.cli;

import picocli.CommandLine.Command;

/** {@code healthgate restart APP}. */
@Command(name = "restart", mixinStandardHelpOptions = true,
        description = "Drain APP, restart it, wait until it is ready, and put it back into rotation.")
final class RestartCommand extends ActionCommand {

    @Override
    String action() {
        return "restart";
    }
}
