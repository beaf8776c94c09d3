package dev.healthgate.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.assertj.core.api.SoftAssertions;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The README's benchmark command, {@code scripts/bench}, at its smallest (one round, 100 requests/s, one
 * start each way, two of the real servers): it must run to the end and print its tables, and they must
 * tell what the benchmark is for: the naive restart loses requests, healthgate with every gate loses none
 * and HAProxy retried or redispatched none; wrapping a real server (Gunicorn, nginx), healthgate loses no
 * request and moves no sticky client either. The figures themselves are the benchmark's to report, not
 * this test's. (The two servers add about a minute on the CI machine; all five would add over three,
 * Tomcat one of them. Each server's IT proves the rest.)
 */
@DisplayName("scripts/bench")
class BenchIT {

    private static final List<String> VARIANTS = List.of("naive", "seed-003", "seed-003+backup",
            "seed-003+backup-tight", "healthgate-nat", "healthgate-port", "healthgate-http-404", "healthgate-agent",
            "gunicorn-naive", "gunicorn-healthgate", "nginx-naive", "nginx-healthgate");
    /** A variant's row: | name | restarts | requests (per s) | failed | retried / redispatched | sticky moved | ... */
    private static final Pattern ROW = Pattern.compile(
            "(?m)^\\| (\\S+) \\| (\\d+) \\| \\d+ \\(\\d+\\) \\| (\\d+) \\| (\\d+) / (\\d+) \\| (\\d+) of \\d+ \\|");

    @Test
    @Timeout(value = 10, unit = TimeUnit.MINUTES)
    @DisplayName("runs at its smallest and prints tables in which the naive restart fails requests and healthgate, with every gate"
            + " and around real servers, none")
    void smallestRun() throws IOException {
        NetNs.requireOwnNamespace();
        TestDirs dirs = TestDirs.create("BenchIT");
        CommandResult bench = Command.of(ItEnv.repoRoot().resolve("scripts/bench").toString(),
                        "--rounds", "1", "--rate", "100", "--starts", "1", "--servers", "gunicorn,nginx")
                .timeout(Duration.ofMinutes(9)).logTo(dirs.logs(), "bench").run();
        assertThat(bench.exitCode()).as("scripts/bench's exit code; stderr:%n%s", bench.stderr()).isZero();

        String table = bench.stdout();
        SoftAssertions soft = new SoftAssertions();
        soft.assertThat(table).as("the start table").contains("| with AppCDS (scripts/healthgate) |")
                .contains("| after its restarts under load (2 apps, with AppCDS) |");
        Matcher m = ROW.matcher(table);
        List<String> seen = new ArrayList<>();
        while (m.find()) {
            String name = m.group(1);
            seen.add(name);
            soft.assertThat(Integer.parseInt(m.group(2))).as("%s's restarts", name).isEqualTo(2);
            int failed = Integer.parseInt(m.group(3));
            if (name.equals("naive")) {
                soft.assertThat(failed).as("requests the naive restart failed").isPositive();
            }
            if (name.startsWith("healthgate-") || name.endsWith("-healthgate")) {
                soft.assertThat(failed).as("requests %s failed", name).isZero();
                soft.assertThat(m.group(4) + " / " + m.group(5)).as("requests HAProxy retried / redispatched for %s", name)
                        .isEqualTo("0 / 0");
            }
            if (name.endsWith("-healthgate")) {
                // both servers keep their port open through the restart: the backup gate stays open
                soft.assertThat(Integer.parseInt(m.group(6))).as("sticky clients %s moved", name).isZero();
            }
        }
        soft.assertThat(seen).as("variants in the table:%n%s", table).containsExactlyElementsOf(VARIANTS);
        for (String plot : List.of("bench.png", "bench-servers.png")) {
            Path png = ItEnv.repoRoot().resolve("target/bench").resolve(plot);
            soft.assertThat(Files.exists(png) ? Files.size(png) : 0L).as("size of %s", png).isGreaterThan(10_000L);
        }
        soft.assertAll();
    }
}
