package dev.healthgate.os;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.UUID;
import jnr.ffi.LibraryLoader;
import jnr.ffi.annotations.In;
import jnr.ffi.annotations.Out;
import jnr.ffi.types.size_t;
import jnr.ffi.types.ssize_t;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** sd_notify's datagram, received on real unix datagram sockets (a path and an abstract name). */
class SdNotifyTest {

    /** What a receiver needs, as systemd does it: bind a datagram socket, read one message. */
    public interface Receiver {
        int socket(int domain, int type, int protocol);

        int bind(int fd, @In byte[] addr, int addrlen);

        @ssize_t
        long recv(int fd, @Out byte[] buf, @size_t long len, int flags);

        int close(int fd);
    }

    private static final Receiver LIBC = LibraryLoader.create(Receiver.class).load("c");
    private static final int MSG_DONTWAIT = 0x40;

    private int fd = -1;

    @AfterEach
    void close() {
        if (fd >= 0) {
            LIBC.close(fd);
        }
    }

    @Test
    @DisplayName("READY=1 reaches a socket bound to a path")
    void sendsToAPath(@TempDir Path dir) throws IOException {
        String socket = dir.resolve("notify").toString();
        bind(socket);

        SdNotify.send(socket, "READY=1\nSTATUS=serving");

        assertThat(receive()).isEqualTo("READY=1\nSTATUS=serving");
        assertThat(Files.exists(Path.of(socket))).isTrue();
    }

    @Test
    @DisplayName("STOPPING=1 reaches an abstract socket named @name, as systemd's own")
    void sendsToAnAbstractName() throws IOException {
        String socket = "@healthgate-test-" + UUID.randomUUID();
        bind(socket);

        SdNotify.send(socket, "STOPPING=1");

        assertThat(receive()).isEqualTo("STOPPING=1");
    }

    @Test
    @DisplayName("the address: family, then the path and its NUL; an abstract name after a NUL, none at the end")
    void encodesTheAddress() throws IOException {
        byte[] path = SdNotify.address("/run/n");
        assertThat(path).hasSize(2 + 7);
        assertThat(Arrays.copyOfRange(path, 2, 9)).isEqualTo("/run/n\0".getBytes(StandardCharsets.UTF_8));
        byte[] abstractName = SdNotify.address("@n");
        assertThat(Arrays.copyOfRange(abstractName, 2, abstractName.length)).containsExactly(0, 'n');
    }

    @Test
    @DisplayName("a relative path or one too long for a unix socket is refused, naming the value")
    void refusesBadAddresses() {
        assertThatThrownBy(() -> SdNotify.address("run/notify")).isInstanceOf(IOException.class)
                .hasMessage("NOTIFY_SOCKET = run/notify: expected an absolute path or @name");
        String tooLong = "/" + "x".repeat(SdNotify.SUN_PATH_MAX);
        assertThatThrownBy(() -> SdNotify.address(tooLong)).isInstanceOf(IOException.class)
                .hasMessageStartingWith("NOTIFY_SOCKET = " + tooLong + ": longer than a unix socket address");
    }

    @Test
    @DisplayName("sending to a socket nobody listens on fails with the socket named")
    void failsWithoutAReceiver(@TempDir Path dir) {
        String socket = dir.resolve("nobody").toString();
        assertThatThrownBy(() -> SdNotify.send(socket, "READY=1")).isInstanceOf(IOException.class)
                .hasMessageStartingWith("cannot send READY=1 to NOTIFY_SOCKET " + socket + ": errno ");
    }

    private void bind(String socket) throws IOException {
        fd = LIBC.socket(1, 2, 0);
        assertThat(fd).as("socket(AF_UNIX, SOCK_DGRAM)").isNotNegative();
        byte[] address = SdNotify.address(socket);
        assertThat(LIBC.bind(fd, address, address.length)).as("bind %s", socket).isZero();
    }

    private String receive() {
        byte[] buf = new byte[512];
        long n = LIBC.recv(fd, buf, buf.length, MSG_DONTWAIT);
        assertThat(n).as("bytes received").isPositive();
        return new String(buf, 0, (int) n, StandardCharsets.UTF_8);
    }
}
