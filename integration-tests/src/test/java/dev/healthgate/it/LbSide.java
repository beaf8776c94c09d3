package dev.healthgate.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Matcher;
import org.assertj.core.api.SoftAssertions;

/**
 * The load balancer's side of the multi-host test beds ({@code MultiHostIT}, {@code AnsibleFleetIT}):
 * HAProxy's config over every host's apps, its stats socket, and the checks made on what HAProxy saw
 * (its log, its capacity sample by sample).
 */
final class LbSide {

    private LbSide() {
    }

    /**
     * Renders HAProxy's config over every app of {@code all} with {@code healthgate haproxy-config},
     * plus a stats socket (the test's own view of HAProxy; healthgate never uses it).
     */
    static Path renderHaproxyConfig(TestDirs dirs, HealthgateConfig all, Path statsSocket) {
        Path yaml = all.writeTo(dirs.scenario().resolve("haproxy-all.yml"));
        Path out = dirs.scenario().resolve("haproxy.cfg");
        CommandResult r = Healthgate.run(dirs.logs(), Duration.ofSeconds(60),
                List.of("haproxy-config", "--config", yaml.toString(), "--output", out.toString()));
        assertThat(r.exitCode()).as("exit code of healthgate haproxy-config over all apps: %s", r.describe())
                .isZero();
        try {
            // the test's own view of HAProxy (healthgate never uses the socket), and a log with every line
            String cfg = Files.readString(out);
            Files.writeString(out, cfg.replaceFirst("(?m)^global\n",
                    Matcher.quoteReplacement("global\n" + CapacityWatch.globalLines(statsSocket) + "\n")));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out;
    }

    /**
     * A path for HAProxy's stats socket short enough for a unix socket (108 bytes), under /tmp; its
     * removal is added to {@code toClose}.
     */
    static Path shortSocketPath(List<AutoCloseable> toClose) {
        try {
            Path dir = Files.createTempDirectory("hg-mh-");
            toClose.add(() -> {
                Files.deleteIfExists(dir.resolve("stats.sock"));
                Files.deleteIfExists(dir);
            });
            return dir.resolve("stats.sock");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Capacity as HAProxy saw it, sample by sample: at least {@code min} instances took new clients. */
    static void checkCapacity(SoftAssertions soft, CapacityWatch capacity, int min) {
        List<CapacityWatch.Sample> samples = capacity.samples();
        soft.assertThat(samples).as("samples of HAProxy's stats (errors: %s)", capacity.errors())
                .hasSizeGreaterThan(100);
        soft.assertThat(capacity.errors()).as("failed reads of HAProxy's stats socket").hasSizeLessThan(
                Math.max(5, samples.size() / 20));
        soft.assertThat(capacity.below(min)).as("samples with fewer than %d instances in rotation (histogram %s)",
                min, capacity.histogram()).isEmpty();
        soft.assertThat(capacity.histogram()).as("instances in rotation (count=samples): each restart took one out")
                .containsKey(min);
    }

    /**
     * HAProxy logs a request when it ends: waits until it has logged, after {@code fromChar} of its
     * log (where the load began), at least the load's requests.
     */
    static HaproxyLog awaitLogged(Haproxy haproxy, int fromChar, int requests) {
        return Await.value("HAProxy to log the load's " + requests + " requests", Duration.ofSeconds(10), () -> {
            HaproxyLog log = HaproxyLog.parse(haproxy.log().substring(fromChar));
            return log.requests().size() >= requests ? Optional.of(log) : Optional.empty();
        }, () -> HaproxyLog.parse(haproxy.log().substring(fromChar)).summary() + "\n"
                + haproxy.process().logTail(5));
    }

    /**
     * Waits until each of {@code names} has answered a request through HAProxy's frontend, and until HAProxy
     * has logged every one of those requests it answered: it writes a request's line once the answer is sent,
     * which may be after curl has it, so a log mark taken right after this call would otherwise count the
     * last one as the load's.
     */
    static void awaitAllServeThroughHaproxy(List<String> names, Haproxy haproxy, int frontendPort) {
        int from = haproxy.log().length();
        Set<String> seen = new LinkedHashSet<>();
        int[] answered = {0};
        Await.until("each of " + names + " to serve through HAProxy", Duration.ofSeconds(30), () -> {
            HttpResult r = Curl.get("http://127.0.0.1:" + frontendPort + "/", Duration.ofSeconds(2));
            if (r.status() > 0) {
                answered[0]++; // an answer from HAProxy: it logs the request
            }
            if (r.status() == 200) {
                seen.add(r.body().strip());
            }
            return seen.containsAll(names);
        }, () -> "served so far: " + seen + "\nHAProxy log:\n" + haproxy.process().logTail(20));
        Await.until("HAProxy to log the " + answered[0] + " requests it answered", Duration.ofSeconds(10),
                () -> HaproxyLog.parse(haproxy.log().substring(from)).requests().size() >= answered[0],
                () -> haproxy.process().logTail(20));
    }

    /** Waits until every instance has served sticky and new clients of the load. */
    static void awaitWarmLoad(LoadGenerator load, List<String> names) {
        Await.until("every instance to serve sticky and new clients", Duration.ofSeconds(20), () -> {
            LoadReport r = load.report();
            return r.servedBy(RequestRecord::sticky).keySet().containsAll(names)
                    && r.servedBy(rec -> !rec.sticky()).keySet().containsAll(names)
                    && r.total() >= 300;
        }, () -> load.report().summary());
    }
}
