package dev.healthgate.restart;

import dev.healthgate.ready.ReadinessProbe;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import java.time.Duration;

/**
 * Waits until an app is ready while following what its restart started: the wait ends at once, with the
 * process named and how it ended, when the new process exits, rather than at the ready timeout. Once
 * ready, the restart's hand-over is finished ({@link Restarted#onReady()}) and, where that stopped the old
 * process, readiness is checked again. Non-blocking; the checks run on workers.
 */
public final class ReadyWait {

    private static final long CHECK_MS = 200;

    private ReadyWait() {
    }

    /** Succeeds with a note (or null) once ready; fails with the first reason found. */
    public static Future<String> await(Vertx vertx, ReadinessProbe probe, Duration timeout, Restarted followed) {
        Promise<String> done = Promise.promise();
        // Probing stops once the wait is decided (e.g. the new process died), not at the ready timeout.
        probe.awaitReady(timeout, done.future()).onComplete(ready -> {
            if (ready.failed()) {
                done.tryFail(ready.cause());
                return;
            }
            vertx.executeBlocking(followed::onReady, false)
                    .compose(note -> followed.handsOver()
                            // the old process answered until now: ask the new one alone
                            ? probe.awaitReady(timeout, done.future()).map(note)
                            : Future.succeededFuture(note))
                    .onComplete(handed -> {
                        if (handed.succeeded()) {
                            done.tryComplete(handed.result());
                        } else {
                            done.tryFail(handed.cause());
                        }
                    });
        });
        watch(vertx, followed, done);
        return done.future();
    }

    private static void watch(Vertx vertx, Restarted followed, Promise<String> done) {
        vertx.setTimer(CHECK_MS, t -> {
            if (done.future().isComplete()) {
                return;
            }
            vertx.executeBlocking(() -> {
                followed.checkAlive();
                return null;
            }, false).onComplete(alive -> {
                if (alive.failed()) {
                    done.tryFail(alive.cause());
                } else {
                    watch(vertx, followed, done);
                }
            });
        });
    }
}
