package dev.healthgate.api;

import dev.healthgate.config.ControlConfig;
import dev.healthgate.cycle.Action;
import dev.healthgate.cycle.Fleet;
import dev.healthgate.observe.HaproxyView;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Every route of the control API, declared here and nowhere else, behind the checks every request passes
 * first: connection limits, {@link RequestGuard} (no cross-site calls), the token, {@link RequestBody}.
 */
public final class ControlApi {

    private static final Logger LOG = LoggerFactory.getLogger(ControlApi.class);

    /** Longest request line (method, path, version); a path of app names needs far less. */
    static final int MAX_INITIAL_LINE = 2048;
    /** Largest total size of the request headers. */
    static final int MAX_HEADERS = 8192;

    private final Vertx vertx;
    private final ControlConfig config;
    private final Fleet fleet;
    private final HaproxyView view;
    private final PrometheusMeterRegistry metrics;
    private final ConnectionLimits limits;

    public ControlApi(Vertx vertx, ControlConfig config, Fleet fleet, HaproxyView view,
            PrometheusMeterRegistry metrics) {
        this(vertx, config, fleet, view, metrics,
                new ConnectionLimits(vertx, ConnectionLimits.MAX_CONNECTIONS, ConnectionLimits.IDLE));
    }

    ControlApi(Vertx vertx, ControlConfig config, Fleet fleet, HaproxyView view, PrometheusMeterRegistry metrics,
            ConnectionLimits limits) {
        this.vertx = vertx;
        this.config = config;
        this.fleet = fleet;
        this.view = view;
        this.metrics = metrics;
        this.limits = limits;
    }

    public Router router() {
        Router router = Router.router(vertx);
        router.route().handler(limits::request);
        router.route().handler(new RequestGuard(config.host(), config.token() != null)::handle);
        if (config.token() != null) {
            router.route().handler(new TokenCheck(config.token())::handle);
        }
        RequestBody.register(router);
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
        router.errorHandler(400, ctx -> Replies.error(ctx, 400, "bad request"));
        router.errorHandler(405, ctx -> Replies.error(ctx, 405,
                ctx.request().method() + " is not allowed on " + Replies.printable(ctx.request().path(), 80)));
        router.errorHandler(413, ctx -> Replies.error(ctx, 413, "request body too large: the control API takes no "
                + "parameters and reads at most " + RequestBody.LIMIT + " bytes"));
        router.errorHandler(500, ControlApi::internalError);
        return router;
    }

    public Future<HttpServer> listen() {
        // HTTP/1.1 only: no client of the API needs HTTP/2, and h2c would bring limits of its own to set
        HttpServerOptions options = new HttpServerOptions()
                .setHttp2ClearTextEnabled(false)
                .setMaxInitialLineLength(MAX_INITIAL_LINE)
                .setMaxHeaderSize(MAX_HEADERS);
        return vertx.createHttpServer(options)
                .connectionHandler(limits::opened)
                .requestHandler(router())
                .listen(config.port(), config.host());
    }

    /** The detail goes to the log, never into the answer: exception text may carry paths and internals. */
    private static void internalError(RoutingContext ctx) {
        LOG.error("control API: {} {} failed", ctx.request().method(), Replies.printable(ctx.request().path(), 80),
                ctx.failure());
        Replies.error(ctx, 500, Replies.INTERNAL);
    }

    private static void notFound(RoutingContext ctx) {
        Replies.error(ctx, 404, "no such endpoint: " + ctx.request().method() + " "
                + Replies.printable(ctx.request().path(), 80)
                + " (see GET /v1/apps, POST /v1/apps/{name}/drain|restore|restart, POST /v1/roll, GET /metrics)");
    }
}
