package dev.healthgate.api;

import dev.healthgate.config.ControlConfig;
import dev.healthgate.cycle.Action;
import dev.healthgate.cycle.Fleet;
import dev.healthgate.observe.HaproxyView;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;

/** Every route of the control API, declared here and nowhere else. */
public final class ControlApi {

    private final Vertx vertx;
    private final ControlConfig config;
    private final Fleet fleet;
    private final HaproxyView view;
    private final PrometheusMeterRegistry metrics;

    public ControlApi(Vertx vertx, ControlConfig config, Fleet fleet, HaproxyView view,
            PrometheusMeterRegistry metrics) {
        this.vertx = vertx;
        this.config = config;
        this.fleet = fleet;
        this.view = view;
        this.metrics = metrics;
    }

    public Router router() {
        Router router = Router.router(vertx);
        if (config.token() != null) {
            router.route().handler(new TokenCheck(config.token())::handle);
        }
        AppsHandler apps = new AppsHandler(vertx, fleet, view);
        router.get("/v1/apps").handler(apps::list);
        router.get("/v1/apps/:name").handler(apps::one);
        for (Action action : Action.values()) {
            if (!action.requestable()) {
                continue;
            }
            router.post("/v1/apps/:name/" + action.key()).handler(new ActionHandler(fleet, action)::handle);
        }
        router.post("/v1/roll").handler(new RollHandler(fleet)::handle);
        router.get("/metrics").handler(ctx -> ctx.response()
                .putHeader("Content-Type", "text/plain; version=0.0.4; charset=utf-8")
                .end(metrics.scrape()));
        router.route().last().handler(ControlApi::notFound);
        router.errorHandler(405, ctx -> Replies.error(ctx, 405,
                ctx.request().method() + " is not allowed on " + ctx.request().path()));
        router.errorHandler(500, ctx -> Replies.error(ctx, 500,
                ctx.failure() == null ? "internal error" : ctx.failure().toString()));
        return router;
    }

    public Future<HttpServer> listen() {
        return vertx.createHttpServer().requestHandler(router()).listen(config.port(), config.host());
    }

    private static void notFound(RoutingContext ctx) {
        Replies.error(ctx, 404, "no such endpoint: " + ctx.request().method() + " " + ctx.request().path()
                + " (see GET /v1/apps, POST /v1/apps/{name}/drain|restore|restart, POST /v1/roll, GET /metrics)");
    }
}
