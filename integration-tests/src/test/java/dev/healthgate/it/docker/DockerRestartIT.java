package dev.healthgate.it.docker;

import static org.assertj.core.api.Assertions.assertThat;

import com.github.dockerjava.api.model.Capability;
import dev.healthgate.it.Await;
import dev.healthgate.it.HealthgateConfig;
import dev.healthgate.it.HttpResult;
import dev.healthgate.it.ItEnv;
import dev.healthgate.it.LoadGenerator;
import dev.healthgate.it.LoadReport;
import dev.healthgate.it.TestDirs;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.condition.EnabledIf;
import org.testcontainers.DockerClientFactory;
import org.testcontainers.containers.Container.ExecResult;
import org.testcontainers.containers.GenericContainer;
import org.testcontainers.images.builder.ImageFromDockerfile;
import org.testcontainers.images.builder.Transferable;
import org.testcontainers.utility.MountableFile;

/**
 * The restart-under-load scenario in a debian:12 container, for machines with a Docker engine but
 * without root or network namespaces (opt-in: {@code ./mvnw verify -Pdocker}). Everything but the
 * load runs inside the container; the load comes from this JVM through the published frontend port.
 * Skipped where no Docker engine answers.
 */
@DisplayName("The restart scenario in a debian:12 container")
@EnabledIf(value = "dockerIsAvailable", disabledReason = "no Docker engine answers")
class DockerRestartIT {
    private static final String HOME = "/opt/healthgate";
    private static final String WORK = "/tmp/hg";
    private static final String CTL = HOME + "/scripts/examples/demo-appctl";
    private static final String HEALTHGATE = HOME + "/scripts/healthgate";
    private static final String CONFIG = WORK + "/healthgate.yml";
    private static final String API = "http://127.0.0.1:9901";
    private static final String MARK = "@@status=";

    private static GenericContainer<?> container;
    private static TestDirs dirs;

    static boolean dockerIsAvailable() {
        return DockerClientFactory.instance().isDockerAvailable();
    }

    @BeforeAll
    static void startContainer() throws Exception {
        ItEnv.requireJar();
        dirs = TestDirs.create("DockerRestartIT");
        container = new GenericContainer<>(new ImageFromDockerfile("healthgate-it", false)
                .withDockerfileFromBuilder(b -> b.from("debian:12")
                        .run("apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y"
                                + " --no-install-recommends haproxy iptables iproute2 python3 curl procps"
                                + " openjdk-17-jre-headless && rm -rf /var/lib/apt/lists/*")
                        .build()))
                .withCreateContainerCmdModifier(cmd -> cmd.getHostConfig().withCapAdd(Capability.NET_ADMIN))
                .withCopyFileToContainer(MountableFile.forHostPath(ItEnv.repoRoot().resolve("scripts")), HOME + "/scripts")
                .withCopyFileToContainer(MountableFile.forHostPath(ItEnv.jar()), HOME + "/sidecar/target/healthgate.jar")
                .withExposedPorts(8080)
                .withCommand("sleep", "infinity");
        container.start();

        HealthgateConfig config = new HealthgateConfig().bind("0.0.0.0:8080").app(app("web1", 8001)).app(app("web2", 8002));
        container.copyFileToContainer(Transferable.of(config.toYaml()), CONFIG);
        sh("mkdir -p " + WORK + "/apps && " + CTL + " start --name web1 --port 8001 --dir " + WORK + "/apps && "
                + CTL + " start --name web2 --port 8002 --dir " + WORK + "/apps");
        sh(HEALTHGATE + " haproxy-config --config " + CONFIG + " --output " + WORK + "/haproxy.cfg && haproxy -c -f "
                + WORK + "/haproxy.cfg");
        sh("nohup " + HEALTHGATE + " run --config " + CONFIG + " > " + WORK + "/healthgate.log 2>&1 &");
        Await.until("healthgate in the container to put both apps in rotation", Duration.ofSeconds(90), () -> {
            HttpResult apps = curl("GET", "/v1/apps");
            return apps.status() == 200 && apps.json().getJsonArray("apps").stream().map(JsonObject.class::cast)
                    .allMatch(a -> "IN_ROTATION".equals(a.getString("state")) && !a.getBoolean("busy", true));
        });
        sh("nohup haproxy -db -f " + WORK + "/haproxy.cfg > " + WORK + "/haproxy.log 2>&1 &");
        Await.until("HAProxy in the container to serve web1 and web2", Duration.ofSeconds(30), () -> {
            String served = exec("for i in 1 2 3 4; do curl -s --max-time 2 http://127.0.0.1:8080/; done").getStdout();
            return served.contains("web1") && served.contains("web2");
        });
    }

    @AfterAll
    static void stopContainer() {
        if (container == null) {
            return;
        }
        for (String log : List.of("healthgate.log", "haproxy.log", "apps/web1.log", "apps/web2.log")) {
            try {
                container.copyFileFromContainer(WORK + "/" + log, dirs.log(log.replace('/', '-')).toString());
            } catch (RuntimeException e) {
                // a log that was never written: nothing to keep
            }
        }
        container.stop();
    }

    @Test
    @Timeout(value = 4, unit = TimeUnit.MINUTES)
    @DisplayName("restarting web1 through the API under load fails no request and puts it back into rotation")
    void restartingUnderLoadFailsNoRequest() {
        LoadGenerator load = LoadGenerator.start(LoadGenerator.Options.against(container.getMappedPort(8080))
                .withHost(container.getHost()).withRate(10, 100).withMaxDuration(Duration.ofMinutes(2)));
        try {
            Await.until("both instances to serve new clients", Duration.ofSeconds(30),
                    () -> load.report().servedBy(r -> !r.sticky()).keySet().containsAll(List.of("web1", "web2")));

            HttpResult restart = curl("POST", "/v1/apps/web1/restart");
            long answered = System.nanoTime();
            assertThat(restart.status()).as("status of POST /v1/apps/web1/restart: %s", restart).isEqualTo(200);
            assertThat(restart.json().getBoolean("ok")).as("ok in %s", restart).isTrue();
            assertThat(restart.json().getString("state")).as("state in %s", restart).isEqualTo("IN_ROTATION");
            Await.until("web1 to serve new clients again", Duration.ofSeconds(20), () -> load.report().records()
                    .stream().anyMatch(r -> !r.sticky() && r.startNanos() - answered > 0 && "web1".equals(r.servedBy())));
        } finally {
            LoadReport report = load.stop();
            System.out.printf("%s%n%s%n", report.summary(), report.timeline(Duration.ofSeconds(1)));
            assertThat(report.failures()).as("requests that failed (non-200 or transport error) of %d", report.total())
                    .isEmpty();
        }
        String rules = sh("iptables -w -t nat -S OUTPUT").getStdout();
        assertThat(rules.lines().filter(l -> l.contains("healthgate:web1:main")).count())
                .as("rules commented healthgate:web1:main in the container's nat OUTPUT: %s", rules).isEqualTo(1);
    }

    private static HealthgateConfig.App app(String name, int port) {
        return new HealthgateConfig.App(name, port, port + 1000, port + 1100)
                .restartExec(List.of(CTL, "restart", "--name", name, "--port", Integer.toString(port), "--dir",
                        WORK + "/apps", "--boot-delay", "1.5"))
                .stickyGrace(Duration.ofSeconds(2));
    }

    private static HttpResult curl(String method, String path) {
        String out = exec("curl -sS -X " + method + " --max-time 120 -w '\\n" + MARK + "%{http_code}' " + API + path)
                .getStdout();
        int at = out.lastIndexOf(MARK);
        return at < 0 ? new HttpResult(0, out, "")
                : new HttpResult(Integer.parseInt(out.substring(at + MARK.length()).strip()), out.substring(0, at), "");
    }

    /** Runs {@code script} in the container and fails unless it exits 0. */
    private static ExecResult sh(String script) {
        ExecResult r = exec(script);
        if (r.getExitCode() != 0) {
            throw new AssertionError("in the container: " + script + "\nexit " + r.getExitCode() + "\n"
                    + r.getStdout() + r.getStderr());
        }
        return r;
    }

    /** Runs {@code script} in the container; a non-zero exit code is a result (for polling). */
    private static ExecResult exec(String script) {
        try {
            return container.execInContainer("bash", "-c", script);
        } catch (IOException e) {
            throw new IllegalStateException("cannot exec in the container: " + script, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted: " + script, e);
        }
    }
}
