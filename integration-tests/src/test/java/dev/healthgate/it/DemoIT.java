package dev.healthgate.it;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.assertj.core.api.SoftAssertions;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The README's first command, {@code scripts/demo}, as a user runs it: as root (the nat gate, in a network
 * namespace of the demo's own) and as any other user (the port gate on 127.0.0.1). Each must finish a
 * rolling restart under load with no failed request, say so, and leave nothing behind.
 */
@DisplayName("scripts/demo")
class DemoIT {

    private static final String OK = "result: OK: a rolling restart under load with 0 failed requests";

    @Test
    @Timeout(value = 5, unit = TimeUnit.MINUTES)
    @DisplayName("as root: the nat gate in the demo's own namespace, 0 failed requests, the namespace removed after")
    void asRoot() {
        NetNs.requireOwnNamespace();
        TestDirs dirs = TestDirs.create("DemoIT-asRoot");
        CommandResult demo = Command.of(ItEnv.repoRoot().resolve("scripts/demo").toString())
                .timeout(Duration.ofMinutes(4)).logTo(dirs.logs(), "demo").run();
        SoftAssertions soft = new SoftAssertions();
        assertRolledWithoutLoss(soft, demo, "nat");
        // the demo's own namespace, by name: another demo (a second test run) may have one of its own
        Matcher where = Pattern.compile("running in network namespace (hg-demo-\\d+)").matcher(demo.stdout());
        soft.assertThat(where.find()).as("the demo names its namespace: %s", demo.stdout()).isTrue();
        if (where.find(0)) {
            CommandResult netns = Command.of("ip", "netns", "list").run();
            soft.assertThat(netns.stdout().lines().map(l -> l.split("\\s+")[0]))
                    .as("network namespaces after the demo").doesNotContain(where.group(1));
        }
        soft.assertAll();
    }

    @Test
    @Timeout(value = 5, unit = TimeUnit.MINUTES)
    @DisplayName("as nobody, from a directory nobody cannot enter: the port gate on 127.0.0.1, 0 failed requests")
    void asNobody() throws IOException {
        NetNs.requireOwnNamespace(); // its ports are this JVM's namespace's loopback
        try (WorldReadableInstall install = WorldReadableInstall.create()) {
            TestDirs dirs = install.testDirs("DemoIT-asNobody");
            // as after `sudo -u nobody scripts/demo` from a private home (HAProxy refuses to start there)
            Path privateDir = Files.createDirectories(dirs.scenario().resolve("private"));
            Files.setPosixFilePermissions(privateDir, PosixFilePermissions.fromString("rwx------"));
            CommandResult demo = Command.of(List.of("setpriv", "--reuid", "nobody", "--regid", "nogroup",
                            "--clear-groups", "env", "HOME=/tmp", "PATH=/usr/local/bin:/usr/bin:/bin",
                            ItEnv.repoRoot().resolve("scripts/demo").toString()))
                    .directory(privateDir).timeout(Duration.ofMinutes(4)).logTo(dirs.logs(), "demo").run();
            SoftAssertions soft = new SoftAssertions();
            assertRolledWithoutLoss(soft, demo, "port");
            soft.assertAll();
        }
    }

    /** The demo ran with {@code gate}, exited 0, and its summary says no request failed and the roll is ok. */
    private static void assertRolledWithoutLoss(SoftAssertions soft, CommandResult demo, String gate) {
        String output = demo.stdout() + demo.stderr();
        soft.assertThat(demo.exitCode()).as("scripts/demo's exit code; output:%n%s", output).isZero();
        soft.assertThat(output).as("scripts/demo's output").contains("(gate " + gate + ":").contains(OK)
                .containsPattern("(?m)^  failed +0 ").containsPattern("(?m)^  roll +ok$");
    }
}
