package dev.healthgate.cli;

import picocli.CommandLine.Command;

/** {@code healthgate drain APP}. */
@Command(name = "drain", mixinStandardHelpOptions = true,
        description = "Take APP out of rotation for new clients (sticky clients keep reaching it) and wait until HAProxy has acted.")
final class DrainCommand extends ActionCommand {

    @Override
    String action() {
        return "drain";
    }
}
