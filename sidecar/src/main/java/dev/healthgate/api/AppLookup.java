package dev.healthgate.api;

import dev.healthgate.cycle.AppInstance;
import dev.healthgate.cycle.Fleet;
import io.vertx.core.json.JsonArray;
import io.vertx.ext.web.RoutingContext;
import java.util.Optional;

/** Finds the app named in the path, or answers 404 naming it and the known apps. */
final class AppLookup {

    private AppLookup() {
    }

    static Optional<AppInstance> find(RoutingContext ctx, Fleet fleet) {
        String name = ctx.pathParam("name");
        Optional<AppInstance> app = fleet.app(name);
        if (app.isEmpty()) {
            JsonArray known = new JsonArray();
            fleet.apps().forEach(a -> known.add(a.name()));
            Replies.json(ctx, 404, Json.error("unknown app '" + name + "'").put("apps", known));
        }
        return app;
    }
}
