package dev.healthgate.os;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.OptionalLong;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PidFileTest {

    @Test
    void readsAPidWithOrWithoutNewline() {
        assertThat(PidFile.parse("1234\n")).isEqualTo(OptionalLong.of(1234));
        assertThat(PidFile.parse(" 42 ")).isEqualTo(OptionalLong.of(42));
    }

    @Test
    void anythingElseIsNoPid() {
        assertThat(PidFile.parse("")).isEmpty();
        assertThat(PidFile.parse("12 34")).isEmpty();
        assertThat(PidFile.parse("-5")).isEmpty();
        assertThat(PidFile.parse("0")).isEmpty();
        assertThat(PidFile.parse("99999999999")).isEmpty();
        assertThat(PidFile.parse("pid")).isEmpty();
    }

    @Test
    void describesWhatItHolds(@TempDir Path dir) throws Exception {
        PidFile file = new PidFile(dir.resolve("app.pid"));
        assertThat(file.read()).isEmpty();
        assertThat(file.describe()).endsWith("app.pid does not exist");
        Files.writeString(file.path(), "77\n");
        assertThat(file.read()).isEqualTo(OptionalLong.of(77));
        assertThat(file.describe()).endsWith("app.pid holds 77");
        Files.writeString(file.path(), "");
        assertThat(file.describe()).endsWith("app.pid does not hold a pid");
    }

    @Test
    @DisplayName("a symbolic link to a real pid file is not followed: no pid, and describe says why")
    void doesNotFollowLinks(@TempDir Path dir) throws Exception {
        Path real = Files.writeString(dir.resolve("other-service.pid"), "1\n");
        PidFile link = new PidFile(Files.createSymbolicLink(dir.resolve("app.pid"), real));
        assertThat(link.read()).isEmpty();
        assertThat(link.describe()).endsWith("app.pid is a symbolic link (not followed: write the pid file itself there)");
    }

    @Test
    @DisplayName("a FIFO, a directory, a large file or garbage hold no pid, and reading a FIFO does not block")
    void refusesWhatIsNotAPidFile(@TempDir Path dir) throws Exception {
        Path fifo = dir.resolve("fifo.pid");
        Process mkfifo = new ProcessBuilder("mkfifo", fifo.toString()).start();
        assertThat(mkfifo.waitFor(10, TimeUnit.SECONDS) && mkfifo.exitValue() == 0).as("mkfifo").isTrue();
        PidFile pipe = new PidFile(fifo);
        assertTimeoutPreemptively(Duration.ofSeconds(5), () -> assertThat(pipe.read()).isEmpty());
        assertThat(pipe.describe()).endsWith("fifo.pid is not a regular file");
        assertThat(new PidFile(dir).read()).isEmpty();
        Path big = Files.writeString(dir.resolve("big.pid"), "7" + " ".repeat(5000));
        assertThat(new PidFile(big).read()).isEmpty();
        assertThat(new PidFile(big).describe()).endsWith("big.pid is 5001 bytes long, more than a pid file");
        Path garbage = Files.write(dir.resolve("garbage.pid"), new byte[] {0, (byte) 0xff, '1', 10, 27});
        assertThat(new PidFile(garbage).read()).isEmpty();
        assertThat(new PidFile(garbage).describe()).endsWith("garbage.pid does not hold a pid");
    }
}
