package dev.healthgate.cli;

import dev.healthgate.config.ConfigLoader;
import dev.healthgate.haproxy.HaproxyConfigRenderer;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code healthgate haproxy-config}: renders the HAProxy side of the config. */
@Command(name = "haproxy-config", mixinStandardHelpOptions = true,
        description = "Print the HAProxy config (frontend and backend with main and backup lines) for healthgate.yml.")
final class HaproxyConfigCommand implements Runnable {

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Option(names = "--config", required = true, paramLabel = "FILE", description = "healthgate.yml")
    Path config;

    @Option(names = {"-o", "--output"}, paramLabel = "FILE", description = "write here instead of stdout")
    Path output;

    @Option(names = "--node", paramLabel = "NAME", description = "this load balancer's node name (HAProxy's "
            + "`node`, reported to healthgate in every check; default: HAProxy's host name)")
    String node;

    @Override
    public void run() {
        String text = new HaproxyConfigRenderer().render(ConfigLoader.load(config), config.getFileName().toString(),
                node);
        if (output == null) {
            spec.commandLine().getOut().print(text);
            spec.commandLine().getOut().flush();
            return;
        }
        try {
            Files.writeString(output, text);
        } catch (IOException e) {
            throw new ExitException(ExitCode.USAGE, "--output " + output + ": cannot write: " + e.getMessage());
        }
    }
}
