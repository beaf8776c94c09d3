package dev.healthgate.cli;

import dev.healthgate.config.CommandLineApp;
import dev.healthgate.config.ConfigLoader;
import dev.healthgate.config.HealthgateConfig;
import dev.healthgate.daemon.Daemon;
import dev.healthgate.daemon.StartException;
import dev.healthgate.os.SdNotify;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code healthgate run}: the daemon, from a config file or for one app given on the command line alone
 * ({@code healthgate run --name web1 --port 8001 --status-port 9001 -- bundle exec puma -p 8001}).
 */
@Command(name = "run", mixinStandardHelpOptions = true, sortOptions = false,
        description = {
            "Run the sidecar: gate the configured apps and serve the control API until stopped.",
            "",
            "Either:  healthgate run --config healthgate.yml",
            "or, to wrap one app that healthgate starts and supervises itself:",
            "         healthgate run --name web1 --port 8001 --status-port 9001 -- bundle exec puma -p 8001",
            "",
            "The one-app form stands for a healthgate.yml with restart.supervise (print it with --print-config)."
                    + " Its defaults: gate port (needs no root), backup-status-port = status-port + 100,"
                    + " ready by TCP connect, stop by TERM with 30s before KILL, control API on 127.0.0.1:9901,"
                    + " HAProxy checks inter 500ms fall 2 rise 2 (render the HAProxy side from --print-config's"
                    + " output with `healthgate haproxy-config`)."
        })
final class RunCommand implements Runnable {

    private static final Logger LOG = LoggerFactory.getLogger(RunCommand.class);

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Option(names = "--config", paramLabel = "FILE", description = "healthgate.yml")
    Path config;

    @CommandLine.ArgGroup(exclusive = false, heading = "%nOne app on the command line (instead of --config):%n")
    OneApp oneApp;

    @Parameters(paramLabel = "COMMAND", arity = "0..*",
            description = "after --: the app's command and arguments (one-app form), run without a shell")
    List<String> command = new ArrayList<>();

    @Option(names = "--print-config", description = "print the healthgate.yml the one-app form stands for, and exit")
    boolean printConfig;

    /** The options of the one-app form. */
    static final class OneApp {
        @Option(names = "--name", paramLabel = "NAME", description = "app name (also HAProxy's server name)")
        String name;

        @Option(names = "--port", paramLabel = "PORT", description = "the app's own port")
        Integer port;

        @Option(names = "--status-port", paramLabel = "PORT", description = "port HAProxy checks (main line)")
        Integer statusPort;

        @Option(names = "--backup-status-port", paramLabel = "PORT",
                description = "port HAProxy checks for the backup line (default: status-port + 100)")
        Integer backupStatusPort;

        @Option(names = "--host", paramLabel = "ADDR", description = "address HAProxy reaches the app on (default 127.0.0.1)")
        String host;

        @Option(names = "--gate", paramLabel = "GATE", description = "port (default), nat, http-404 or agent")
        String gate;

        @Option(names = "--ready-http", paramLabel = "PATH", description = "ready when GET PATH answers 200 (default: TCP connect)")
        String readyHttp;

        @Option(names = "--ready-timeout", paramLabel = "DURATION", description = "default 30s")
        String readyTimeout;

        @Option(names = "--dir", paramLabel = "DIR", description = "the app's working directory (absolute)")
        String dir;

        @Option(names = "--env", paramLabel = "NAME=VALUE", description = "an environment variable for the app (repeatable)")
        Map<String, String> env;

        @Option(names = "--user", paramLabel = "USER", description = "run the app as this user (healthgate must be root)")
        String user;

        @Option(names = "--stop-signal", paramLabel = "SIGNAL", description = "graceful stop signal (default TERM)")
        String stopSignal;

        @Option(names = "--stop-timeout", paramLabel = "DURATION", description = "time to stop before KILL (default 30s)")
        String stopTimeout;

        @Option(names = "--listen", paramLabel = "HOST:PORT", description = "control API address (default 127.0.0.1:9901)")
        String listen;

        @Option(names = "--state-dir", paramLabel = "DIR",
                description = "where the app's state is kept across restarts of healthgate (default /var/lib/healthgate as root)")
        String stateDir;

        @Option(names = "--inter", paramLabel = "DURATION", description = "HAProxy's check interval (default 500ms)")
        String inter;

        @Option(names = "--fall", paramLabel = "N", description = "HAProxy's fall (default 2)")
        Integer fall;

        @Option(names = "--rise", paramLabel = "N", description = "HAProxy's rise (default 2)")
        Integer rise;
    }

    @Override
    public void run() {
        HealthgateConfig cfg = loadConfig();
        if (cfg == null) {
            return;
        }
        Daemon daemon;
        try {
            daemon = Daemon.start(cfg);
        } catch (StartException e) {
            throw new ExitException(ExitCode.FAILED, "cannot start: " + e.getMessage());
        }
        // the control API and every status port serve once start returns: what Type=notify waits for
        SdNotify.tell("READY=1\nSTATUS=control API on " + cfg.control().url());
        CountDownLatch stopped = new CountDownLatch(1);
        // SIGTERM and SIGINT (systemctl stop, Ctrl-C) run this hook: the JVM exits once it returns, so it
        // waits for the graceful stop, bounded by the stop budget systemd's TimeoutStopSec must exceed
        Duration budget = daemon.stopTimeout();
        LOG.info("a stop (SIGTERM) drains the supervised apps, then stops them: at most {} s (systemd's "
                + "TimeoutStopSec must be longer)", budget.toSeconds());
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            SdNotify.tell("STOPPING=1\nSTATUS=draining the supervised apps, then stopping");
            try {
                daemon.stop().toCompletionStage().toCompletableFuture()
                        .get(budget.toMillis(), TimeUnit.MILLISECONDS);
                LOG.info("stopped");
            } catch (TimeoutException e) {
                LOG.error("the stop did not finish within {} ms: exiting anyway (supervised apps started "
                        + "through setpriv die with healthgate)", budget.toMillis());
            } catch (ExecutionException e) {
                LOG.error("the stop failed: {}", e.getCause().toString());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            stopped.countDown();
        }, "healthgate-stop"));
        try {
            stopped.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** The config file, or the one app given on the command line; null when only printing it. */
    private HealthgateConfig loadConfig() {
        if (config != null) {
            if (oneApp != null || !command.isEmpty() || printConfig) {
                throw new CommandLine.ParameterException(spec.commandLine(),
                        "give either --config FILE or one app on the command line, not both");
            }
            return ConfigLoader.load(config);
        }
        if (oneApp == null && command.isEmpty()) {
            throw new CommandLine.ParameterException(spec.commandLine(),
                    "give --config FILE, or --name, --port, --status-port and the app's command after --");
        }
        OneApp o = oneApp == null ? new OneApp() : oneApp;
        CommandLineApp app = new CommandLineApp(o.name, o.port, o.statusPort, o.backupStatusPort, o.host, o.gate,
                o.readyHttp, o.readyTimeout, command, o.dir, o.env, o.user, o.stopSignal, o.stopTimeout, o.listen,
                o.inter, o.fall, o.rise, o.stateDir);
        HealthgateConfig cfg = app.load();
        if (printConfig) {
            spec.commandLine().getOut().print(app.toYaml());
            spec.commandLine().getOut().flush();
            return null;
        }
        return cfg;
    }
}
