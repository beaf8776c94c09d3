package dev.healthgate.api;

import dev.healthgate.cycle.AppInstance;
import dev.healthgate.cycle.Fleet;
import dev.healthgate.cycle.RollStatus;
import dev.healthgate.gate.GateStatus;
import dev.healthgate.observe.HaproxyView;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import java.util.ArrayList;
import java.util.List;

/**
 * {@code GET /v1/apps} and {@code GET /v1/apps/{name}}: state, gates as they are now, last cycle, and
 * what each HAProxy node last reported about each server line; the list also says where a running roll is.
 */
final class AppsHandler {

    private final Vertx vertx;
    private final Fleet fleet;
    private final HaproxyView view;

    AppsHandler(Vertx vertx, Fleet fleet, HaproxyView view) {
        this.vertx = vertx;
        this.fleet = fleet;
        this.view = view;
    }

    void list(RoutingContext ctx) {
        List<Future<JsonObject>> views = new ArrayList<>();
        fleet.apps().forEach(app -> views.add(view(app)));
        Future.all(views).onComplete(ar -> {
            JsonArray apps = new JsonArray();
            views.forEach(v -> apps.add(v.result()));
            RollStatus roll = fleet.roll();
            Replies.json(ctx, 200, new JsonObject().put("apps", apps).put("roll", roll == null ? null : Json.roll(roll)));
        });
    }

    void one(RoutingContext ctx) {
        AppLookup.find(ctx, fleet).ifPresent(app -> view(app).onComplete(ar -> Replies.json(ctx, 200, ar.result())));
    }

    /**
     * The gates as each gate knows them: the flag gates hold them, and the nat gate, the only writer of its
     * rules, keeps them in memory from its reconcile at start on (no iptables run per request).
     */
    private Future<JsonObject> view(AppInstance app) {
        return vertx.executeBlocking(app::gateStatus, false)
                .map(gates -> Json.app(app, gates))
                .recover(err -> Future.succeededFuture(Json.app(app, (GateStatus) null)
                        .put("gatesError", err.getMessage())))
                .map(json -> json.put("haproxy", Json.reports(view.reports(app.name()))));
    }
}
