package dev.healthgate.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
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
 * The README's soak command, {@code scripts/soak}, short: 30 restarts through one daemon with the nat gate.
 * Past the first restarts (classes loaded, threads started) a restart must leave nothing behind that a
 * full GC cannot take back: no open file, no thread, no live heap (each within a little slack). The JIT's growth is the script's to
 * report, not this test's.
 */
@DisplayName("scripts/soak")
class SoakIT {

    /** A sample row: restarts, RSS, live heap, metaspace, code cache (each "N.N MB"), compiled, threads, fds. */
    private static final Pattern ROW = Pattern.compile(
            "(?m)^\\s*(\\d+)\\s+([\\d.]+) MB\\s+([\\d.]+) MB\\s+([\\d.]+) MB\\s+([\\d.]+) MB\\s+(\\d+)\\s+(\\d+)\\s+(\\d+)$");

    private record Sample(int restarts, double liveHeapMb, int threads, int fds) {
    }

    @Test
    @Timeout(value = 5, unit = TimeUnit.MINUTES)
    @DisplayName("30 restarts with the nat gate leave no file, thread or live heap behind")
    void restartsLeaveNothingBehind() throws IOException {
        NetNs.requireOwnNamespace();
        TestDirs dirs = TestDirs.create("SoakIT");
        CommandResult soak = Command.of(ItEnv.repoRoot().resolve("scripts/soak").toString(),
                        "--restarts", "30", "--every", "10", "--gate", "nat")
                .timeout(Duration.ofMinutes(4)).logTo(dirs.logs(), "soak").run();
        assertThat(soak.exitCode()).as("scripts/soak's exit code; stderr:%n%s", soak.stderr()).isZero();

        List<Sample> samples = new ArrayList<>();
        Matcher m = ROW.matcher(soak.stdout());
        while (m.find()) {
            samples.add(new Sample(Integer.parseInt(m.group(1)), Double.parseDouble(m.group(3)),
                    Integer.parseInt(m.group(7)), Integer.parseInt(m.group(8))));
        }
        assertThat(samples).as("sample rows in:%n%s", soak.stdout()).extracting(Sample::restarts)
                .containsExactly(0, 10, 20, 30);
        Sample settled = samples.get(1);
        Sample last = samples.get(3);
        // A leak of one per restart would show as 20 more; a little slack for what comes and goes: a HAProxy
        // check connected at the moment of the sample, a pool thread started late
        SoftAssertions soft = new SoftAssertions();
        soft.assertThat(last.fds()).as("open files after 30 restarts (after 10: %d)", settled.fds())
                .isLessThanOrEqualTo(settled.fds() + 2);
        soft.assertThat(last.threads()).as("threads after 30 restarts (after 10: %d)", settled.threads())
                .isLessThanOrEqualTo(settled.threads() + 3);
        soft.assertThat(last.liveHeapMb()).as("live heap after a full GC after 30 restarts, MB (after 10: %.1f)",
                settled.liveHeapMb()).isLessThanOrEqualTo(settled.liveHeapMb() + 0.5);
        soft.assertThat(soak.stdout()).as("the growth summary").contains("per 100 restarts: RSS");
        soft.assertAll();
    }
}
