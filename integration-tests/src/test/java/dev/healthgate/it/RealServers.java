package dev.healthgate.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.OptionalLong;
import org.assertj.core.api.SoftAssertions;

/**
 * The real servers Debian packages (gunicorn, puma, unicorn, nginx), as the test starts them in a
 * {@link WrappedAppsScenario} with the example apps of {@code scripts/examples/} (wsgi_app.py,
 * config.ru): two workers, the app's name in {@code HG_APP_NAME}, the pid file of the scenario. Also the
 * checks every real-server IT makes: a restart through the API, then no failed request and no sticky
 * client moved.
 */
final class RealServers {

    /** Requests per second of the load: light, bounded (the load generator stops itself after 2 minutes). */
    static final int RATE = 80;
    static final int USERS = 20;

    /**
     * The clients' patience where an app restarts on a socket that stays open: HAProxy's {@code timeout
     * server} in the rendered template (30 s), the bound README tells operators to size. Requests sent while
     * no process answers wait in the socket's queue for the whole gap, which on the test's shared cores has
     * taken longer than the load's default 10 s.
     */
    static final Duration QUEUED_PATIENCE = Duration.ofSeconds(30);

    private RealServers() {
    }

    /** Gunicorn (sync workers) serving wsgi_app.py on webN's port. */
    static List<String> gunicorn(WrappedAppsScenario scenario, HealthgateConfig.App app) {
        return List.of("env", "HG_APP_NAME=" + app.name(), "gunicorn", "--chdir", examples(), "--bind",
                "127.0.0.1:" + app.port(), "--workers", "2", "--graceful-timeout", "10", "--pid",
                scenario.pidFile(app.name()).toString(), "wsgi_app:app");
    }

    /**
     * Gunicorn run by healthgate: the name comes from the supervise env; with a held socket Gunicorn
     * takes fd 3 (LISTEN_FDS) and ignores --bind.
     */
    static List<String> gunicornSupervised(HealthgateConfig.App app) {
        return List.of("gunicorn", "--chdir", examples(), "--bind", "127.0.0.1:" + app.port(), "--workers", "2",
                "--graceful-timeout", "10", "wsgi_app:app");
    }

    /** Puma in cluster mode (two workers, no preload, so USR1 is a phased restart) serving config.ru. */
    static List<String> puma(WrappedAppsScenario scenario, HealthgateConfig.App app) {
        return List.of("env", "HG_APP_NAME=" + app.name(), "puma", "--workers", "2", "--bind",
                "tcp://127.0.0.1:" + app.port(), "--pidfile", scenario.pidFile(app.name()).toString(), "--dir",
                examples(), examples() + "/config.ru");
    }

    /** Unicorn (unicorn.rb: two workers, the pid file from HG_PIDFILE) serving config.ru. */
    static List<String> unicorn(WrappedAppsScenario scenario, HealthgateConfig.App app) {
        return List.of("env", "HG_APP_NAME=" + app.name(), "HG_PIDFILE=" + scenario.pidFile(app.name()), "unicorn",
                "-c", examples() + "/unicorn.rb", "-l", "127.0.0.1:" + app.port(), examples() + "/config.ru");
    }

    /**
     * nginx with scripts/examples/nginx.conf made this app's (name, port, files in the scenario's app
     * directory). It daemonizes: a binary upgrade (USR2) is ignored by a master whose parent still is
     * the one that started it; and it re-executes argv[0], so the binary is named by its full path.
     */
    static List<String> nginx(WrappedAppsScenario scenario, HealthgateConfig.App app) {
        Path dir = scenario.pidFile(app.name()).getParent();
        try {
            String sample = Files.readString(Path.of(examples(), "nginx.conf"));
            String conf = sample.replace("/tmp/healthgate-examples/", dir + "/").replace("web1", app.name())
                    .replace("8001", Integer.toString(app.port()));
            Path file = Files.writeString(dir.resolve(app.name() + ".nginx.conf"), conf);
            return List.of("/usr/sbin/nginx", "-c", file.toString());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * Tomcat 10 in the foreground ({@code catalina.sh run}, which execs java: TERM stops it) with a copy
     * of scripts/examples/tomcat as its CATALINA_BASE; the environment {@link #tomcatEnv} gives it.
     */
    static List<String> tomcat() {
        return List.of("/usr/share/tomcat10/bin/catalina.sh", "run");
    }

    /** CATALINA_BASE (a copy of scripts/examples/tomcat in the scenario), the port, the app's name. */
    static java.util.Map<String, String> tomcatEnv(WrappedAppsScenario scenario, String app, int port) {
        Path base = scenario.pidFile(app).getParent().resolve(app + "-tomcat");
        try {
            copyTree(Path.of(examples(), "tomcat"), base);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        // C1 only: Tomcat starts in about half the time on the test's two shared cores
        return java.util.Map.of("CATALINA_HOME", "/usr/share/tomcat10", "CATALINA_BASE", base.toString(),
                "CATALINA_OPTS", "-Dhg.port=" + port + " -XX:TieredStopAtLevel=1", "HG_APP_NAME", app);
    }

    private static void copyTree(Path from, Path to) throws IOException {
        try (var paths = Files.walk(from)) {
            for (Path p : paths.toList()) {
                Path target = to.resolve(from.relativize(p).toString());
                if (Files.isDirectory(p)) {
                    Files.createDirectories(target);
                } else {
                    Files.copy(p, target, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
                }
            }
        }
    }

    /**
     * Whether {@code pid} has exited: gone, or a zombie (a daemon's old master is reaped by whoever
     * adopted it, maybe later; {@link ProcessHandle#isAlive} counts a zombie as alive).
     */
    static boolean exited(long pid) {
        try {
            String stat = Files.readString(Path.of("/proc", Long.toString(pid), "stat"));
            return stat.substring(stat.lastIndexOf(')') + 2).startsWith("Z");
        } catch (IOException e) {
            return true;
        }
    }

    static String examples() {
        return ItEnv.repoRoot().resolve("scripts/examples").toString();
    }

    /** One restart through the API: its RESULT, the pids before and after, when it was asked and answered. */
    record Restart(String app, JsonObject result, long pidBefore, long pidAfter, long sentNanos, long answeredNanos) {

        long cycleMillis() {
            return result.getLong("totalMs");
        }

        String note(String phase) {
            return SignalRestartIT.note(result, phase);
        }

        List<String> phaseNames() {
            return SignalRestartIT.phaseNames(result);
        }

        @Override
        public String toString() {
            return app + ": " + phaseNames() + " in " + cycleMillis() + " ms, pid " + pidBefore + " -> " + pidAfter
                    + ", " + result.encode();
        }
    }

    static Restart restart(WrappedAppsScenario scenario, String app) {
        long before = scenario.pid(app).orElseThrow(() -> new AssertionError(app + " has no pid file"));
        long sent = System.nanoTime();
        HttpResult api = scenario.healthgate().post("/v1/apps/" + app + "/restart");
        long answered = System.nanoTime();
        assertThat(api.status()).as("POST /v1/apps/%s/restart: %s", app, api).isEqualTo(200);
        OptionalLong after = scenario.pid(app);
        assertThat(after).as("%s's pid file after the restart", app).isPresent();
        Restart r = new Restart(app, api.json(), before, after.getAsLong(), sent, answered);
        System.out.println("restart " + r);
        assertThat(r.phaseNames()).as("phases of %s: the backup gate stays open", r)
                .containsExactly("drain", "restart", "ready", "restore");
        return r;
    }

    /** {@code restart:} of a server that re-execs a new master on USR2 and is told {@code thenOld} for the old one. */
    static String reExecRestart(WrappedAppsScenario scenario, String app, String thenOld) {
        return "{ pidfile: " + HealthgateConfig.quote(scenario.pidFile(app).toString())
                + ", signal: USR2, new-pid: true, then-old: " + thenOld + " }";
    }

    /** {@code restart:} of a server that replaces its workers on HUP under the same master. */
    static String hupRestart(WrappedAppsScenario scenario, String app) {
        return "{ pidfile: " + HealthgateConfig.quote(scenario.pidFile(app).toString())
                + ", signal: HUP, new-pid: false }";
    }

    /**
     * Restarts an app whose server re-execs a new master on USR2, and checks the new master took over: a
     * new pid, the old master sent {@code thenOld} once the new one was ready, and gone.
     */
    static Restart restartByNewMaster(WrappedAppsScenario scenario, String app, String thenOld) {
        Restart r = restart(scenario, app);
        assertThat(r.pidAfter()).as("%s's pid after USR2", app).isNotEqualTo(r.pidBefore());
        assertThat(r.note("restart")).isEqualTo("sent USR2 to pid " + r.pidBefore() + ", new pid " + r.pidAfter());
        assertThat(r.note("ready")).as("ready note of %s", r)
                .startsWith("sent " + thenOld + " to old pid " + r.pidBefore() + "; it exited after ");
        assertThat(exited(r.pidBefore())).as("old master %d exited", r.pidBefore()).isTrue();
        return r;
    }

    /** Restarts an app by HUP, and checks the master stayed and the cycle ended once its old workers were gone. */
    static Restart restartInPlace(WrappedAppsScenario scenario, String app) {
        Restart r = restart(scenario, app);
        assertThat(r.pidAfter()).as("%s's pid after HUP", app).isEqualTo(r.pidBefore());
        assertThat(r.note("ready")).as("ready note of %s", r).startsWith("old workers [").contains("] gone after ");
        return r;
    }

    /**
     * Waits until every app serves new clients after the last restart, stops the load and checks that no
     * request failed (HAProxy runs with {@code retries 0}), that sticky clients stayed on their app, and
     * that sticky clients of each restarted app were served during its restart. Returns the report.
     */
    static LoadReport assertNoLoss(WrappedAppsScenario scenario, LoadGenerator load, List<Restart> restarts) {
        return assertNoLoss(scenario, load, restarts, List.of("web1", "web2"));
    }

    /** As above; only the sticky clients of {@code stickyKept} must stay on their app (a stop-start moves them). */
    static LoadReport assertNoLoss(WrappedAppsScenario scenario, LoadGenerator load, List<Restart> restarts,
            List<String> stickyKept) {
        long last = restarts.get(restarts.size() - 1).answeredNanos();
        Await.until("both apps to serve new clients again", Duration.ofSeconds(15), () -> load.report().records()
                .stream().filter(r -> !r.sticky() && r.startNanos() - last > 0)
                .map(RequestRecord::servedBy).distinct().count() == 2);
        LoadReport report = load.stop();
        String timeline = report.timeline(Duration.ofMillis(500));
        System.out.printf("%s%n%s%n", report.summary(), timeline);
        SoftAssertions soft = new SoftAssertions();
        soft.assertThat(report.failures())
                .as("requests that failed of %d; timeline:%n%s", report.total(), timeline).isEmpty();
        for (String app : stickyKept) {
            List<RequestRecord> sticky = report.matching(r -> r.sticky() && app.equals(r.cookieSent()));
            soft.assertThat(sticky).as("requests of sticky %s clients", app).isNotEmpty()
                    .allSatisfy(r -> assertThat(r.servedBy()).as("instance that served %s", r).isEqualTo(app));
        }
        for (Restart r : restarts) {
            soft.assertThat(!stickyKept.contains(r.app()) || !report.matching(rec -> rec.sticky() && r.app().equals(rec.cookieSent())
                            && rec.startedBetween(r.sentNanos(), r.answeredNanos())).isEmpty())
                    .as("sticky %s clients were served during its restart", r.app()).isTrue();
            soft.assertThat(scenario.healthgate().state(r.app())).isEqualTo("IN_ROTATION");
        }
        soft.assertAll();
        long moved = report.matching(r -> r.sticky() && r.cookieSent() != null && stickyKept.contains(r.cookieSent())
                && !r.cookieSent().equals(r.servedBy())).size();
        System.out.printf("real servers: %d requests, %d failed, %d sticky requests moved; cycles: %s%n", report.total(),
                report.failures().size(), moved, restarts.stream().map(r -> r.app() + " " + r.cycleMillis() + " ms").toList());
        return report;
    }
}
