package dev.healthgate.cli;

import dev.healthgate.config.ConfigException;
import io.micronaut.configuration.picocli.MicronautFactory;
import io.micronaut.context.ApplicationContext;
import java.io.PrintWriter;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** The {@code healthgate} command: the daemon, client commands for the control API, and templates. */
@Command(name = "healthgate",
        mixinStandardHelpOptions = true,
        versionProvider = Version.class,
        description = "Takes an app out of HAProxy's rotation without the admin socket, restarts it, and puts it back.",
        subcommands = {
            RunCommand.class,
            StatusCommand.class,
            DrainCommand.class,
            RestoreCommand.class,
            RestartCommand.class,
            RollCommand.class,
            HaproxyConfigCommand.class,
            CommandLine.HelpCommand.class
        })
public final class HealthgateCli implements Runnable {

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        throw new CommandLine.ParameterException(spec.commandLine(), "a command is required");
    }

    public static void main(String[] args) {
        System.exit(execute(new PrintWriter(System.out, true), new PrintWriter(System.err, true), args));
    }

    /** Runs one command line and returns its exit code; every error is mapped to a code in this one place. */
    public static int execute(PrintWriter out, PrintWriter err, String... args) {
        try (ApplicationContext context = ApplicationContext.builder().deduceEnvironment(false).deduceCloudEnvironment(false)
                .enableDefaultPropertySources(false).banner(false).start()) {
            CommandLine cmd = new CommandLine(HealthgateCli.class, new MicronautFactory(context));
            cmd.setOut(out);
            cmd.setErr(err);
            cmd.setExecutionExceptionHandler((e, line, parsed) -> {
                if (e instanceof ExitException exit) {
                    if (exit.getMessage() != null) {
                        err.println("healthgate: " + exit.getMessage());
                    }
                    return exit.code();
                }
                if (e instanceof ConfigException config) {
                    err.println("healthgate: config error: " + config.getMessage());
                    return ExitCode.USAGE;
                }
                err.println("healthgate: " + e);
                return ExitCode.FAILED;
            });
            cmd.setParameterExceptionHandler((e, params) -> {
                err.println("healthgate: " + e.getMessage());
                e.getCommandLine().usage(err);
                return ExitCode.USAGE;
            });
            return cmd.execute(args);
        }
    }
}
