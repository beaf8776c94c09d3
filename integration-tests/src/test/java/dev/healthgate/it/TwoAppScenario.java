package dev.healthgate.it;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.function.Consumer;

/**
 * The scenario of the restart ITs: demo apps web1 (port 8001, status ports 9001/9101) and web2
 * (8002, 9002/9102) behind a real HAProxy on 127.0.0.1:8080, whose config healthgate renders, with
 * healthgate's nat gate in front of their status ports and its API on 127.0.0.1:9901.
 * By default each app is restarted through demo-appctl with a 1.5 s boot delay.
 */
public final class TwoAppScenario implements AutoCloseable {
    public static final int FRONTEND_PORT = 8080;
    public static final Duration BOOT_DELAY = Duration.ofMillis(1500);

    private final TestDirs dirs;
    private final DemoApps apps;
    private Healthgate healthgate;
    private Haproxy haproxy;
    private LoadGenerator load;
    /** HAProxy's config while {@link #startWithoutHaproxy} has left HAProxy for later. */
    private Path haproxyConfigLater;

    public TwoAppScenario(TestDirs dirs) {
        this.dirs = dirs;
        this.apps = new DemoApps(dirs.scenario().resolve("apps"), dirs.logs());
    }

    /** web1 as the scenario defines it, before customisation. */
    public HealthgateConfig.App web1() {
        return app("web1", 8001, 9001, 9101);
    }

    /** web2 as the scenario defines it, before customisation. */
    public HealthgateConfig.App web2() {
        return app("web2", 8002, 9002, 9102);
    }

    private HealthgateConfig.App app(String name, int port, int status, int backup) {
        return new HealthgateConfig.App(name, port, status, backup)
                .restartExec(apps.restartCommand(name, port, BOOT_DELAY))
                .readyTimeout(Duration.ofSeconds(30))
                .stickyGrace(Duration.ofSeconds(2))
                .drainTimeout(Duration.ofSeconds(30));
    }

    /**
     * Starts the apps, healthgate (which opens the gates) and HAProxy, and waits until both apps
     * serve requests through HAProxy. {@code customize} may change web1 and web2 first.
     */
    public TwoAppScenario start(Consumer<HealthgateConfig.App> customizeWeb1, Consumer<HealthgateConfig.App> customizeWeb2) {
        Path haproxyConfig = startHealthgate(customizeWeb1, customizeWeb2);
        // healthgate may watch HAProxy's checks while it restores the apps: HAProxy runs from here on
        haproxy = Haproxy.start(haproxyConfig, FRONTEND_PORT, dirs.logs());
        healthgate.awaitAllInRotation();
        awaitBothServeThroughHaproxy();
        return this;
    }

    public TwoAppScenario start() {
        return start(app -> { }, app -> { });
    }

    /**
     * Starts the apps and healthgate only, as when a whole site boots and HAProxy comes up later;
     * {@link #startHaproxy} starts it. {@code customize} may change web1 and web2 first.
     */
    public TwoAppScenario startWithoutHaproxy(Consumer<HealthgateConfig.App> customizeWeb1,
            Consumer<HealthgateConfig.App> customizeWeb2) {
        haproxyConfigLater = startHealthgate(customizeWeb1, customizeWeb2);
        return this;
    }

    /** After {@link #startWithoutHaproxy}: starts HAProxy and waits until both apps serve through it. */
    public TwoAppScenario startHaproxy() {
        if (haproxyConfigLater == null || haproxy != null) {
            throw new IllegalStateException("startHaproxy() follows startWithoutHaproxy(), once");
        }
        haproxy = Haproxy.start(haproxyConfigLater, FRONTEND_PORT, dirs.logs());
        awaitBothServeThroughHaproxy();
        return this;
    }

    /** Starts the apps and healthgate; returns HAProxy's config, rendered by healthgate. */
    private Path startHealthgate(Consumer<HealthgateConfig.App> customizeWeb1,
            Consumer<HealthgateConfig.App> customizeWeb2) {
        NetNs.requireOwnNamespace();
        Iptables.removeHealthgateRules();
        HealthgateConfig.App web1 = web1();
        HealthgateConfig.App web2 = web2();
        customizeWeb1.accept(web1);
        customizeWeb2.accept(web2);
        HealthgateConfig config = new HealthgateConfig().app(web1).app(web2);

        apps.start("web1", 8001);
        apps.start("web2", 8002);
        healthgate = new Healthgate(dirs, config);
        Path haproxyConfig = healthgate.renderHaproxyConfig();
        healthgate.start();
        return haproxyConfig;
    }

    public Healthgate healthgate() {
        return healthgate;
    }

    public Haproxy haproxy() {
        return haproxy;
    }

    public DemoApps apps() {
        return apps;
    }

    /**
     * Starts the load (20 users, half sticky, 300 requests/s, at most 2 minutes); the sticky users
     * arrive with web1's and web2's cookies in turn.
     */
    public LoadGenerator startLoad() {
        return startLoad(LoadGenerator.Options.against(FRONTEND_PORT).withStickyCookies(List.of("web1", "web2")));
    }

    /** Starts the load with {@code options} (against {@link #FRONTEND_PORT}); stopped by {@link #close()}. */
    public LoadGenerator startLoad(LoadGenerator.Options options) {
        load = LoadGenerator.start(options);
        return load;
    }

    /** Waits until the load has had both instances serve both sticky and new clients. */
    public void awaitWarmLoad() {
        Await.until("both instances to serve sticky and new clients", Duration.ofSeconds(20), () -> {
            LoadReport r = load.report();
            return r.servedBy(RequestRecord::sticky).keySet().containsAll(List.of("web1", "web2"))
                    && r.servedBy(rec -> !rec.sticky()).keySet().containsAll(List.of("web1", "web2"))
                    && r.total() >= 300;
        }, () -> load.report().summary());
    }

    /** Waits until {@code app} serves a new (non-sticky) client whose request started after {@code sinceNanos}. */
    public void awaitServesNewClients(String app, long sinceNanos, Duration timeout) {
        Await.until(app + " to serve new (non-sticky) clients again", timeout,
                () -> load.report().records().stream().anyMatch(r -> !r.sticky()
                        && r.startNanos() - sinceNanos > 0 && app.equals(r.servedBy())),
                () -> load.report().timeline(Duration.ofSeconds(1)));
    }

    private void awaitBothServeThroughHaproxy() {
        LbSide.awaitAllServeThroughHaproxy(List.of("web1", "web2"), haproxy, FRONTEND_PORT);
    }

    /** Stops the load, HAProxy, healthgate and the apps, and removes healthgate's rules. */
    @Override
    public void close() {
        Cleanup cleanup = new Cleanup();
        cleanup.run(() -> {
            if (load != null) {
                load.closeAndWriteReport(dirs.log("load-report.txt"));
            }
        });
        cleanup.run(() -> {
            if (haproxy != null) {
                haproxy.close();
            }
        });
        cleanup.run(() -> {
            if (healthgate != null) {
                healthgate.close();
            }
        });
        cleanup.run(apps::close);
        cleanup.run(Iptables::removeHealthgateRules);
        cleanup.throwIfFailed("cleaning up the scenario");
    }
}
