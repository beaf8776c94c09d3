package dev.healthgate.os;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.OptionalLong;
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
}
