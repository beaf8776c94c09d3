package dev.healthgate.it;

import static org.assertj.core.api.Assertions.assertThat;

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
 * The README's fleet benchmark, {@code scripts/bench-fleet}, at its smallest (two inventory hosts): it
 * must measure Ansible's costs with both playbooks (the real {@code ansible-playbook} against the
 * stand-in API on loopback) and print the simulated 1000-host roll for both cycle lengths, each roll at
 * least its lower bound. The figures themselves are the benchmark's to report, not this test's.
 */
@DisplayName("scripts/bench-fleet")
class BenchFleetIT {

    /** A roll-batch.yml row: | serial | batches | lower bound | seconds | ratio | */
    private static final Pattern BATCH_ROW = Pattern.compile(
            "(?m)^\\| (\\S+) \\| (\\d+) \\| (\\d+) s \\| (\\d+) s \\| (\\d+\\.\\d\\d) \\|$");

    @Test
    @Timeout(value = 5, unit = TimeUnit.MINUTES)
    @DisplayName("measures both playbooks with two hosts and prints the simulated roll of each, never below its bound")
    void smallestRun() {
        NetNs.requireOwnNamespace();
        TestDirs dirs = TestDirs.create("BenchFleetIT");
        CommandResult bench = Command.of(ItEnv.repoRoot().resolve("scripts/bench-fleet").toString(), "--hosts", "2")
                .env("ANSIBLE_HOME", dirs.scenario().resolve("ansible").toString())
                .env("ANSIBLE_LOCAL_TEMP", dirs.scenario().resolve("ansible/tmp").toString())
                .env("ANSIBLE_PYTHON_INTERPRETER", "/usr/bin/python3")
                .timeout(Duration.ofMinutes(4)).logTo(dirs.logs(), "bench-fleet").run();
        assertThat(bench.exitCode()).as("scripts/bench-fleet's exit code; stderr:%n%s", bench.stderr()).isZero();

        String out = bench.stdout();
        SoftAssertions soft = new SoftAssertions();
        soft.assertThat(out).as("what it measured")
                .containsPattern("a task's worker: \\d+\\.\\d+ s CPU per host")
                .containsPattern("roll\\.yml \\(uri call \\+ assert\\): \\d+\\.\\d+ s CPU per host")
                .containsPattern("roll-batch\\.yml \\(one task per batch\\): \\d+\\.\\d+ s CPU per batch");
        soft.assertThat(out).as("the simulated fleets").contains("cycle median 3.5 s").contains("cycle median 20.0 s");
        Matcher m = BATCH_ROW.matcher(out);
        List<String> serials = new ArrayList<>();
        while (m.find()) {
            serials.add(m.group(1));
            soft.assertThat(Long.parseLong(m.group(4))).as("roll-batch.yml at serial %s: the roll against its bound",
                    m.group(1)).isGreaterThanOrEqualTo(Long.parseLong(m.group(3)));
        }
        soft.assertThat(serials).as("roll-batch.yml's rows, for both cycle lengths:%n%s", out)
                .containsExactly("1", "10", "5%", "10%", "35%", "1", "10", "5%", "10%", "35%");
        soft.assertAll();
    }
}
