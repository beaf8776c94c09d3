package dev.healthgate.cli;

import dev.healthgate.config.ConfigLoader;
import dev.healthgate.config.HealthgateConfig;
import dev.healthgate.daemon.Daemon;
import dev.healthgate.daemon.StartException;
import java.nio.file.Path;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code healthgate run}: the daemon. */
@Command(name = "run", mixinStandardHelpOptions = true,
        description = "Run the sidecar: gate the configured apps and serve the control API until stopped.")
final class RunCommand implements Runnable {

    @Option(names = "--config", required = true, paramLabel = "FILE", description = "healthgate.yml")
    Path config;

    @Override
    public void run() {
        HealthgateConfig cfg = ConfigLoader.load(config);
        Daemon daemon;
        try {
            daemon = Daemon.start(cfg);
        } catch (StartException e) {
            throw new ExitException(ExitCode.FAILED, "cannot start: " + e.getMessage());
        }
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            try {
                daemon.stop().toCompletionStage().toCompletableFuture().get(5, TimeUnit.SECONDS);
            } catch (Exception e) {
                // the process is ending anyway
            }
            stopped.countDown();
        }, "healthgate-stop"));
        try {
            stopped.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
