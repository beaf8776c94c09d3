package dev.healthgate.api;

import dev.healthgate.cycle.Action;
import dev.healthgate.cycle.BusyException;
import dev.healthgate.cycle.CycleListener;
import dev.healthgate.cycle.CycleResult;
import dev.healthgate.cycle.Fleet;
import dev.healthgate.cycle.PhaseResult;
import dev.healthgate.cycle.StoppingException;
import io.vertx.core.Future;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code POST /v1/apps/{name}/drain|restore|restart}: answers when the action is done, 500 with the
 * reason when it failed, 409 when a cycle for that app is already running, 503 once healthgate is stopping. With
 * {@code Accept: application/x-ndjson} each phase is streamed as it completes.
 *
 * <p>A client that hangs up does not stop the cycle: a half-done cycle would be worse than a finished one.
 */
final class ActionHandler {

    private static final Logger LOG = LoggerFactory.getLogger(ActionHandler.class);

    private final Fleet fleet;
    private final Action action;

    ActionHandler(Fleet fleet, Action action) {
        this.fleet = fleet;
        this.action = action;
    }

    void handle(RoutingContext ctx) {
        AppLookup.find(ctx, fleet).ifPresent(app -> {
            Progress progress = new Progress(ctx);
            Future<CycleResult> result;
            try {
                result = fleet.act(app, action, progress);
            } catch (BusyException e) {
                Replies.busy(ctx, e, fleet);
                return;
            } catch (StoppingException e) {
                Replies.error(ctx, 503, e.getMessage());
                return;
            }
            progress.start();
            result.onComplete(ar -> {
                if (ar.failed()) {
                    LOG.error("{}: {} failed unexpectedly", app.name(), action.key(), ar.cause());
                    progress.fail(500, Replies.INTERNAL);
                } else {
                    progress.finish(ar.result().ok() ? 200 : 500, Json.result(ar.result()));
                }
            });
        });
    }

    /**
     * Streams phases as NDJSON lines when the client asked for it. Phases complete on this handler's
     * event loop after {@link #start()}, so the stream is open before the first one arrives.
     */
    static final class Progress implements CycleListener {
        private final RoutingContext ctx;
        private final boolean streaming;
        private HttpServerResponse stream;

        Progress(RoutingContext ctx) {
            this.ctx = ctx;
            this.streaming = Replies.wantsProgress(ctx);
        }

        void start() {
            if (streaming) {
                stream = Replies.startStream(ctx);
            }
        }

        @Override
        public void onPhase(String app, PhaseResult phase) {
            if (stream != null) {
                Replies.line(stream, Json.phase(phase).put("event", "phase").put("app", app));
            }
        }

        void finish(int status, JsonObject body) {
            if (stream != null) {
                Replies.line(stream, body.put("event", "result"));
                stream.end();
            } else {
                Replies.json(ctx, status, body);
            }
        }

        void fail(int status, String message) {
            finish(status, Json.error(message).put("ok", false));
        }
    }
}
