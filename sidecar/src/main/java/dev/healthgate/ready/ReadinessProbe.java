package dev.healthgate.ready;

import dev.healthgate.config.AppConfig;
import dev.healthgate.config.ReadyCheck;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.net.NetClient;
import io.vertx.core.net.NetClientOptions;
import io.vertx.ext.web.client.WebClient;
import io.vertx.ext.web.client.WebClientOptions;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * Asks an app whether it is ready: an HTTP GET expecting a status, or a TCP connect. Non-blocking.
 * The probe goes to the address HAProxy uses, so it sees what HAProxy will see.
 *
 * <p>Health probes for HAProxy's checks are coalesced: at most one is in flight per app, every check that
 * arrives meanwhile shares its result, and a result younger than {@link #REUSE_NANOS} answers at once. So
 * however many checks (or foreign connections) arrive, the app sees at most one probe at a time and no
 * queue of probes builds up in front of HAProxy's next check.
 */
public final class ReadinessProbe {

    private static final int PROBE_TIMEOUT_MS = 1000;
    private static final long POLL_MS = 100;
    /** Short enough that no check interval HAProxy allows (10 ms and up) is answered from a stale probe. */
    static final long REUSE_NANOS = TimeUnit.MILLISECONDS.toNanos(5);

    private final Vertx vertx;
    private final AppConfig app;
    private final WebClient http;
    private final NetClient tcp;
    private final Coalesced health = new Coalesced();
    private final Coalesced reachable = new Coalesced();

    public ReadinessProbe(Vertx vertx, AppConfig app) {
        this.vertx = vertx;
        this.app = app;
        this.http = WebClient.create(vertx, new WebClientOptions()
                .setKeepAlive(false)
                .setConnectTimeout(PROBE_TIMEOUT_MS)
                .setUserAgent("healthgate-ready"));
        this.tcp = vertx.createNetClient(new NetClientOptions().setConnectTimeout(PROBE_TIMEOUT_MS));
    }

    /** One probe: succeeds when ready, fails with what was seen otherwise. */
    public Future<Void> probe() {
        ReadyCheck check = app.ready();
        if (check.isHttp()) {
            return http.get(app.port(), app.host(), check.httpPath())
                    .timeout(PROBE_TIMEOUT_MS)
                    .send()
                    .compose(resp -> resp.statusCode() == check.expectedStatus()
                            ? Future.<Void>succeededFuture()
                            : Future.failedFuture("GET " + check.httpPath() + " answered " + resp.statusCode()
                                    + ", expected " + check.expectedStatus()));
        }
        return tcp.connect(app.port(), app.host()).compose(socket -> socket.close());
    }

    /**
     * The app's health as an HTTP status, for answering HAProxy's checks on its behalf: the status its
     * ready path answered (HTTP), 200 if its port accepts (TCP), 503 if it could not be reached.
     */
    public Future<Integer> healthStatus() {
        return health.get(this::probeHealth);
    }

    /**
     * 200 if the app's port accepts a TCP connection, 503 otherwise, whatever the ready check: while a
     * restart keeps the listening socket open, a connection the kernel accepts waits in its queue and is
     * served once the new process accepts it, though nobody answers yet. Coalesced like {@link #healthStatus}.
     */
    public Future<Integer> reachableStatus() {
        return reachable.get(this::probeReachable);
    }

    private Future<Integer> probeHealth() {
        ReadyCheck check = app.ready();
        if (check.isHttp()) {
            return http.get(app.port(), app.host(), check.httpPath()).timeout(PROBE_TIMEOUT_MS).send()
                    .map(resp -> resp.statusCode() == check.expectedStatus() ? 200 : resp.statusCode())
                    .otherwise(503);
        }
        return probeReachable();
    }

    private Future<Integer> probeReachable() {
        return tcp.connect(app.port(), app.host()).compose(socket -> socket.close()).map(200).otherwise(503);
    }

    /** At most one probe of a kind in flight; its result answers every caller until it is {@link #REUSE_NANOS} old. */
    private static final class Coalesced {
        private Future<Integer> last;
        private long doneNanos;

        synchronized Future<Integer> get(Supplier<Future<Integer>> probe) {
            Future<Integer> previous = last;
            if (previous != null && (!previous.isComplete() || System.nanoTime() - doneNanos < REUSE_NANOS)) {
                return previous;
            }
            Future<Integer> next = probe.get();
            last = next;
            next.onComplete(ar -> {
                synchronized (this) {
                    doneNanos = System.nanoTime();
                }
            });
            return next;
        }
    }

    /** Probes until ready or until {@code timeout}; the failure names the last thing seen. */
    public Future<Void> awaitReady(Duration timeout) {
        return awaitReady(timeout, Promise.<Void>promise().future());
    }

    /**
     * Probes until ready, until {@code timeout}, or until {@code until} completes (the wait it serves has
     * ended some other way, e.g. the restarted process died): then it stops probing and fails.
     */
    public Future<Void> awaitReady(Duration timeout, Future<?> until) {
        Promise<Void> done = Promise.promise();
        long deadline = System.nanoTime() + timeout.toNanos();
        attempt(done, deadline, timeout, until);
        return done.future();
    }

    private void attempt(Promise<Void> done, long deadline, Duration timeout, Future<?> until) {
        if (until.isComplete()) {
            done.tryFail("stopped waiting for " + app.name() + " to be ready: the wait ended");
            return;
        }
        probe().onComplete(ar -> {
            if (ar.succeeded()) {
                done.complete();
            } else if (System.nanoTime() >= deadline) {
                done.fail("not ready within " + timeout.toMillis() + " ms (" + app.ready().describe() + " on "
                        + app.host() + ":" + app.port() + "; last: " + ar.cause().getMessage() + ")");
            } else {
                vertx.setTimer(POLL_MS, t -> attempt(done, deadline, timeout, until));
            }
        });
    }
}
