package dev.healthgate.cli;

import picocli.CommandLine.Command;

/** {@code healthgate restore APP}. */
@Command(name = "restore", mixinStandardHelpOptions = true,
        description = "Check that APP is ready, put it back into rotation and wait until HAProxy has it back.")
final class RestoreCommand extends ActionCommand {

    @Override
    String action() {
        return "restore";
    }
}
