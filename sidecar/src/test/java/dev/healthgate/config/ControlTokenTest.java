package dev.healthgate.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** control.token and control.token-file: text as written, from a file, each refusal naming the key. */
@DisplayName("The control token")
class ControlTokenTest {

    @TempDir
    Path dir;

    private static String withControl(String control) {
        return ConfigLoaderTest.VALID.replace("control:\n  listen: 127.0.0.1:9901\n", "control:\n" + control);
    }

    @Test
    @DisplayName("an unquoted 0123 is refused, naming the key, rather than read as the octal number 83")
    void refusesAnUnquotedNumber() {
        assertThatThrownBy(() -> ConfigLoader.parse(withControl("  token: 0123\n")))
                .isInstanceOf(ConfigException.class)
                .hasMessageStartingWith("control.token: must be a string, but YAML read the number 83")
                .hasMessageContaining("put the value in quotes");
    }

    @Test
    @DisplayName("refuses a boolean, a list and a mapping as the token")
    void refusesOtherTypes() {
        for (String v : new String[] {"yes", "[a, b]", "{a: b}"}) {
            assertThatThrownBy(() -> ConfigLoader.parse(withControl("  token: " + v + "\n")))
                    .as("token: %s", v).isInstanceOf(ConfigException.class)
                    .hasMessageStartingWith("control.token: must be a string");
        }
    }

    @Test
    @DisplayName("a quoted \"0123\" is the token 0123")
    void readsAQuotedToken() {
        assertThat(ConfigLoader.parse(withControl("  token: \"0123\"\n")).control().token()).isEqualTo("0123");
    }

    @Test
    @DisplayName("reads control.token-file, without its newline, and allows listening beyond loopback with it")
    void readsATokenFile() throws Exception {
        Path file = Files.writeString(dir.resolve("token"), "s3cr3t-token\n");
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-------"));
        ControlConfig control = ConfigLoader.parse(withControl("  listen: 0.0.0.0:9901\n  token-file: " + file + "\n"))
                .control();
        assertThat(control.token()).isEqualTo("s3cr3t-token");
    }

    @Test
    @DisplayName("refuses a missing token file, an empty one, both token and token-file, naming the key and path")
    void refusesBadTokenFiles() throws Exception {
        Path missing = dir.resolve("nope");
        assertThatThrownBy(() -> ConfigLoader.parse(withControl("  token-file: " + missing + "\n")))
                .hasMessage("control.token-file = " + missing + ": no such file");
        Path empty = Files.writeString(dir.resolve("empty"), "\n");
        assertThatThrownBy(() -> ConfigLoader.parse(withControl("  token-file: " + empty + "\n")))
                .hasMessage("control.token-file = " + empty + ": the file is empty");
        assertThatThrownBy(() -> ConfigLoader.parse(withControl("  token: \"a\"\n  token-file: " + empty + "\n")))
                .hasMessageStartingWith("control.token-file = " + empty + ": give either control.token or");
        assertThatThrownBy(() -> ConfigLoader.parse(withControl("  token-file: " + dir + "\n")))
                .hasMessage("control.token-file = " + dir + ": not a regular file");
    }

    @Test
    @DisplayName("refuses a FIFO as the token file at once instead of blocking on it")
    void refusesAFifo() throws Exception {
        Path fifo = dir.resolve("fifo");
        Process mkfifo = new ProcessBuilder("mkfifo", fifo.toString()).start();
        assertThat(mkfifo.waitFor(10, TimeUnit.SECONDS) && mkfifo.exitValue() == 0).as("mkfifo").isTrue();
        assertThatThrownBy(() -> ConfigLoader.parse(withControl("  token-file: " + fifo + "\n")))
                .hasMessage("control.token-file = " + fifo + ": not a regular file");
    }
}
