package dev.healthgate.it;

import io.vertx.core.Context;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.PoolOptions;
import io.vertx.ext.web.client.HttpRequest;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;
import io.vertx.ext.web.client.WebClientOptions;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * HTTP load through HAProxy's frontend, recorded request by request (Vert.x 5 web client).
 *
 * <p>{@code users} virtual users each send one request at a time. Half of them (users 0, 1, 4, 5, ...)
 * are sticky: they keep HAProxy's {@code SRV} cookie like a browser; the others never send a cookie,
 * so HAProxy balances them as new clients. (Pairs rather than even numbers: the users' first requests
 * go out in order and round-robin alternates, so each kind ends up on both instances.) Optionally a
 * share of the users sends slow requests. The total rate, the duration and the number of requests are
 * all bounded, and the load stops by itself at the first bound it reaches (or on {@link #stop()}).
 */
public final class LoadGenerator implements AutoCloseable {
    private static final long TICK_MS = 10;
    private static final String COOKIE = "SRV";

    /**
     * What load to send: 20 users, 300 requests/s, at most 2 minutes, 10 s per request, no
     * keep-alive, sticky users in runs of 2, no slow requests. The number of requests is bounded by
     * the rate times the duration. Set once, before {@link #start}.
     */
    public static final class Options {
        private String host = "127.0.0.1";
        private final int port;
        private String path = "/";
        private int users = 20;
        private int ratePerSecond = 300;
        private Duration maxDuration = Duration.ofMinutes(2);
        private Duration requestTimeout = Duration.ofSeconds(10);
        private boolean keepAlive;
        private int stickyRun = 2;
        private List<String> stickyCookies = List.of();
        private int slowEvery;
        private Duration slowFor = Duration.ZERO;

        private Options(int port) {
            this.port = port;
        }

        /** The defaults, against HAProxy's frontend on {@code 127.0.0.1:port}. */
        public static Options against(int port) {
            return new Options(port);
        }

        public Options withHost(String value) {
            this.host = value;
            return this;
        }

        public Options withMaxDuration(Duration value) {
            this.maxDuration = value;
            return this;
        }

        /** {@code users} virtual users sharing {@code ratePerSecond}. */
        public Options withRate(int users, int ratePerSecond) {
            this.users = users;
            this.ratePerSecond = ratePerSecond;
            return this;
        }

        /**
         * Sticky and non-sticky users alternate in runs of {@code value} (default 2: users 0, 1
         * sticky, 2, 3 not, ...); with N instances behind round-robin, a run of N puts each kind on
         * every instance.
         */
        public Options withStickyRun(int value) {
            this.stickyRun = value;
            return this;
        }

        /**
         * Sticky users arrive with HAProxy's cookie already set, as returning browsers do: the k-th
         * sticky user with {@code values[k % n]}. Without it each learns its cookie from its first
         * answer, and which instance that is depends on the order round-robin saw the first burst of
         * requests in (once all ten sticky users of a run landed on one instance of two).
         */
        public Options withStickyCookies(List<String> values) {
            this.stickyCookies = List.copyOf(values);
            return this;
        }

        /**
         * Every {@code every}-th user (users every-1, 2*every-1, ...) sends {@code GET /slow?ms=N}
         * instead, a request the app holds for {@code duration}: a share of sticky and new clients
         * with requests in flight whenever a drain begins.
         */
        public Options withSlowUsers(int every, Duration duration) {
            this.slowEvery = every;
            this.slowFor = duration;
            return this;
        }

        /**
         * How long a client waits for one answer before it counts the request as failed (default 10 s).
         * Raise it to HAProxy's {@code timeout server} where requests are meant to wait in an app's socket
         * queue while it restarts.
         */
        public Options withRequestTimeout(Duration value) {
            this.requestTimeout = value;
            return this;
        }

        /**
         * Reuse client connections; off by default, because a pooled connection that HAProxy
         * closes for idleness just as it is reused fails a request on the client's side, which
         * says nothing about the instances behind HAProxy.
         */
        public Options withKeepAlive(boolean value) {
            this.keepAlive = value;
            return this;
        }

        boolean isSlow(int user) {
            return slowEvery > 0 && user % slowEvery == slowEvery - 1;
        }

        /** The count bound: the rate for the whole duration, plus one request per user. */
        int maxRequests() {
            return (int) Math.min(Integer.MAX_VALUE, ratePerSecond * Math.max(1, maxDuration.toSeconds()) + users);
        }

        String pathOf(int user) {
            return isSlow(user) ? "/slow?ms=" + slowFor.toMillis() : path;
        }
    }

    private static final class User {
        final int id;
        final boolean sticky;
        final boolean slow;
        final String path;
        String cookie;
        boolean busy;

        User(int id, Options options) {
            this.id = id;
            this.sticky = (id / options.stickyRun) % 2 == 0;
            this.slow = options.isSlow(id);
            this.path = options.pathOf(id);
        }
    }

    private final Options options;
    private final Vertx vertx;
    private final WebClient client;
    private final Context context;
    private final List<User> users = new ArrayList<>();
    private final ConcurrentLinkedQueue<RequestRecord> records = new ConcurrentLinkedQueue<>();
    private final Promise<Void> finished = Promise.promise();
    private final long originNanos = System.nanoTime();

    // event-loop state
    private long timerId = -1;
    private double tokens;
    private long lastTickNanos = originNanos;
    private int nextUser;
    private int issued;
    private int inFlight;
    private boolean stopping;

    private LoadGenerator(Options options) {
        this.options = options;
        this.vertx = Vertx.vertx(new VertxOptions().setEventLoopPoolSize(1).setWorkerPoolSize(1));
        this.client = WebClient.create(vertx,
                new WebClientOptions()
                        .setKeepAlive(options.keepAlive)
                        .setConnectTimeout((int) options.requestTimeout.toMillis())
                        .setFollowRedirects(false),
                new PoolOptions().setHttp1MaxSize(options.users));
        this.context = vertx.getOrCreateContext();
        int sticky = 0;
        for (int i = 0; i < options.users; i++) {
            User u = new User(i, options);
            if (u.sticky && !options.stickyCookies.isEmpty()) {
                u.cookie = options.stickyCookies.get(sticky++ % options.stickyCookies.size());
            }
            users.add(u);
        }
    }

    /** Starts the load at once; it runs until a bound is reached or {@link #stop()}. */
    public static LoadGenerator start(Options options) {
        LoadGenerator load = new LoadGenerator(options);
        load.context.runOnContext(v -> load.timerId = load.vertx.setPeriodic(TICK_MS, id -> load.tick()));
        return load;
    }

    /** System.nanoTime() when the load started. */
    public long originNanos() {
        return originNanos;
    }

    /** False once the load stopped (a bound was reached or {@link #stop()} was called) and drained. */
    public boolean isRunning() {
        return !finished.future().isComplete();
    }

    /** A report over the requests recorded so far (the load goes on). */
    public LoadReport report() {
        return new LoadReport(new ArrayList<>(records), originNanos);
    }

    /** Stops sending, waits (bounded) for the requests in flight, and reports. */
    public LoadReport stop() {
        context.runOnContext(v -> finish());
        try {
            finished.future().await(options.requestTimeout.toMillis() + 5_000, TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            throw new AssertionError("requests still in flight after stop(): " + e.getMessage(), e);
        } finally {
            closeVertx();
        }
        return report();
    }

    /** Stops the load if it still runs, closes it, and writes its summary and timeline to {@code file}. */
    public void closeAndWriteReport(Path file) throws IOException {
        LoadReport report = isRunning() ? stop() : report();
        close();
        Files.writeString(file, report.summary() + "\n\n" + report.timeline(Duration.ofMillis(500)));
    }

    @Override
    public void close() {
        if (isRunning()) {
            stop();
        } else {
            closeVertx();
        }
    }

    private void closeVertx() {
        try {
            client.close();
            vertx.close().await(10, TimeUnit.SECONDS);
        } catch (TimeoutException | IllegalStateException e) {
            // already closed, or slow to close: nothing of the test depends on it
        }
    }

    private void tick() {
        long elapsed = System.nanoTime() - originNanos;
        if (stopping || elapsed >= options.maxDuration.toNanos() || issued >= options.maxRequests()) {
            finish();
            return;
        }
        // by the time that passed, not the nominal tick: a timer that fires late must not lower the rate
        long now = System.nanoTime();
        tokens = Math.min(tokens + options.ratePerSecond * (now - lastTickNanos) / 1e9, users.size());
        lastTickNanos = now;
        for (int scanned = 0; tokens >= 1 && scanned < users.size() && issued < options.maxRequests(); scanned++) {
            User u = users.get(nextUser);
            nextUser = (nextUser + 1) % users.size();
            if (!u.busy) {
                tokens -= 1;
                send(u);
            }
        }
    }

    private void finish() {
        stopping = true;
        if (timerId >= 0) {
            vertx.cancelTimer(timerId);
            timerId = -1;
        }
        if (inFlight == 0) {
            finished.tryComplete();
        }
    }

    private void send(User u) {
        u.busy = true;
        inFlight++;
        issued++;
        String cookieSent = u.sticky ? u.cookie : null;
        long start = System.nanoTime();
        HttpRequest<Buffer> request = client.get(options.port, options.host, u.path)
                .timeout(options.requestTimeout.toMillis());
        if (cookieSent != null) {
            request.putHeader("Cookie", COOKIE + "=" + cookieSent);
        }
        request.send().onComplete(ar -> {
            long latency = System.nanoTime() - start;
            if (ar.succeeded()) {
                HttpResponse<Buffer> response = ar.result();
                if (u.sticky) {
                    remember(u, response);
                }
                records.add(new RequestRecord(u.id, u.sticky, u.slow, cookieSent, start, latency,
                        response.statusCode(), response.getHeader("X-Served-By"), null));
            } else {
                records.add(new RequestRecord(u.id, u.sticky, u.slow, cookieSent, start, latency, 0, null,
                        String.valueOf(ar.cause())));
            }
            u.busy = false;
            inFlight--;
            if (stopping && inFlight == 0) {
                finished.tryComplete();
            }
        });
    }

    /** Keeps the SRV cookie HAProxy set, as a browser would. */
    private static void remember(User u, HttpResponse<Buffer> response) {
        for (String setCookie : response.cookies()) {
            String pair = setCookie.split(";", 2)[0].trim();
            if (pair.startsWith(COOKIE + "=")) {
                String value = pair.substring(COOKIE.length() + 1);
                u.cookie = value.isEmpty() ? null : value;
            }
        }
    }
}
