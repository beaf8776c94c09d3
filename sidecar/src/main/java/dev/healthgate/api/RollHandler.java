package dev.healthgate.api;

import dev.healthgate.cycle.BusyException;
import dev.healthgate.cycle.CycleResult;
import dev.healthgate.cycle.Fleet;
import dev.healthgate.cycle.StoppingException;
import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import java.util.List;

/**
 * {@code POST /v1/roll}: restarts every app on this host one at a time and stops at the first
 * failure; 409 if any app is in a cycle, 503 once healthgate is stopping.
 */
final class RollHandler {

    private static final Logger LOG = LoggerFactory.getLogger(RollHandler.class);

    private final Fleet fleet;

    RollHandler(Fleet fleet) {
        this.fleet = fleet;
    }

    void handle(RoutingContext ctx) {
        ActionHandler.Progress progress = new ActionHandler.Progress(ctx);
        Future<List<CycleResult>> roll;
        try {
            roll = fleet.roll(progress);
        } catch (BusyException e) {
            Replies.busy(ctx, e, fleet);
            return;
        } catch (StoppingException e) {
            Replies.error(ctx, 503, e.getMessage());
            return;
        }
        progress.start();
        roll.onComplete(ar -> {
            if (ar.failed()) {
                LOG.error("the roll failed unexpectedly", ar.cause());
                progress.fail(500, Replies.INTERNAL);
                return;
            }
            JsonArray results = new JsonArray();
            ar.result().forEach(r -> results.add(Json.result(r)));
            boolean ok = ar.result().stream().allMatch(CycleResult::ok);
            JsonObject body = new JsonObject().put("ok", ok).put("results", results);
            if (!ok) {
                CycleResult failed = ar.result().get(ar.result().size() - 1);
                body.put("reason", failed.app() + ": " + failed.reason()).put("stoppedAt", failed.app());
            }
            progress.finish(ok ? 200 : 500, body);
        });
    }
}
