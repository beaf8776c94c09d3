package dev.healthgate.api;

import dev.healthgate.config.AppConfig;
import dev.healthgate.cycle.AppInstance;
import dev.healthgate.cycle.Fleet;
import io.vertx.core.json.JsonArray;
import io.vertx.ext.web.RoutingContext;
import java.util.Optional;

/**
 * Finds the app named in the path; answers 400 for something that cannot be an app name (control
 * characters, {@code ..}, 300 characters), 404 naming it and the known apps for a name that is none of them.
 * A name from the path is echoed only made printable and cut short.
 */
final class AppLookup {

    private AppLookup() {
    }

    static Optional<AppInstance> find(RoutingContext ctx, Fleet fleet) {
        String name = ctx.pathParam("name");
        if (name == null || !AppConfig.NAME.matcher(name).matches()) {
            Replies.json(ctx, 400, Json.error("not an app name: '" + Replies.printable(String.valueOf(name), 40)
                    + "' (app names are " + AppConfig.NAME_RULE + ")").put("apps", known(fleet)));
            return Optional.empty();
        }
        Optional<AppInstance> app = fleet.app(name);
        if (app.isEmpty()) {
            Replies.json(ctx, 404, Json.error("unknown app '" + name + "'").put("apps", known(fleet)));
        }
        return app;
    }

    private static JsonArray known(Fleet fleet) {
        JsonArray known = new JsonArray();
        fleet.apps().forEach(a -> known.add(a.name()));
        return known;
    }
}
