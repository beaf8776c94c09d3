package dev.healthgate.os;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import jnr.ffi.LibraryLoader;
import jnr.ffi.annotations.In;
import jnr.ffi.annotations.SaveError;
import jnr.ffi.types.size_t;
import jnr.ffi.types.ssize_t;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * systemd's readiness protocol ({@code Type=notify}): a datagram such as {@code READY=1} sent to the
 * unix socket named by {@code $NOTIFY_SOCKET}, a path or, with a leading {@code @}, an abstract name.
 * Java's channels do not do unix datagrams, so this goes through libc (jnr-ffi): socket, sendto, close.
 * Without {@code $NOTIFY_SOCKET} (not started by systemd, or another Type) it does nothing. Blocking only
 * as long as the system call (a datagram to a local socket).
 */
public final class SdNotify {

    private static final int AF_UNIX = 1;
    private static final int SOCK_DGRAM = 2;
    private static final int SOCK_CLOEXEC = 0x80000;
    /** {@code sizeof(sockaddr_un.sun_path)} on Linux. */
    static final int SUN_PATH_MAX = 108;

    /** The binding itself; loaded on first use. */
    public interface Native {
        @SaveError
        int socket(int domain, int type, int protocol);

        @SaveError
        @ssize_t
        long sendto(int fd, @In byte[] buf, @size_t long len, int flags, @In byte[] addr, int addrlen);

        int close(int fd);
    }

    private static final class Holder {
        static final Native LIBC = LibraryLoader.create(Native.class).load("c");
        static final jnr.ffi.Runtime RUNTIME = jnr.ffi.Runtime.getRuntime(LIBC);
    }

    private static final Logger LOG = LoggerFactory.getLogger(SdNotify.class);

    private SdNotify() {
    }

    /**
     * {@link #notify}, with a failure logged rather than thrown: systemd then sees no readiness and
     * fails the start at its TimeoutStartSec, and the log says why.
     */
    public static void tell(String state) {
        try {
            if (notify(state)) {
                LOG.debug("told systemd {}", state.replace('\n', ' '));
            }
        } catch (IOException | RuntimeException | LinkageError e) {
            LOG.error("cannot tell systemd {}: {}", state.replace('\n', ' '), e.getMessage());
        }
    }

    /**
     * Sends {@code state} (e.g. {@code READY=1}) to {@code $NOTIFY_SOCKET}.
     *
     * @return false when {@code $NOTIFY_SOCKET} is not set, true once sent
     * @throws IOException naming the socket and the errno when it cannot be sent
     */
    public static boolean notify(String state) throws IOException {
        String socket = System.getenv("NOTIFY_SOCKET");
        if (socket == null || socket.isEmpty()) {
            return false;
        }
        send(socket, state);
        return true;
    }

    /** Sends {@code state} as one datagram to the unix socket {@code socket} (a path, or {@code @name}). */
    static void send(String socket, String state) throws IOException {
        byte[] address = address(socket);
        byte[] message = state.getBytes(StandardCharsets.UTF_8);
        int fd = Holder.LIBC.socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
        if (fd < 0) {
            throw new IOException("cannot open a unix datagram socket for NOTIFY_SOCKET: errno "
                    + Holder.RUNTIME.getLastError());
        }
        try {
            long sent = Holder.LIBC.sendto(fd, message, message.length, 0, address, address.length);
            if (sent < 0) {
                throw new IOException("cannot send " + state.replace('\n', ' ') + " to NOTIFY_SOCKET " + socket
                        + ": errno " + Holder.RUNTIME.getLastError());
            }
        } finally {
            Holder.LIBC.close(fd);
        }
    }

    /**
     * {@code struct sockaddr_un} for {@code socket}, cut to its used length: the family (native byte
     * order), then the path with its terminating NUL, or for {@code @name} a NUL and the name (an
     * abstract address is exactly as long as its name, no NUL at the end).
     */
    static byte[] address(String socket) throws IOException {
        boolean abstractName = socket.startsWith("@");
        if (!abstractName && !socket.startsWith("/")) {
            throw new IOException("NOTIFY_SOCKET = " + socket + ": expected an absolute path or @name");
        }
        byte[] name = (abstractName ? socket.substring(1) : socket).getBytes(StandardCharsets.UTF_8);
        int pathLength = name.length + 1; // the NUL: in front for an abstract name, at the end for a path
        if (pathLength > SUN_PATH_MAX) {
            throw new IOException("NOTIFY_SOCKET = " + socket + ": longer than a unix socket address ("
                    + (SUN_PATH_MAX - 1) + " bytes)");
        }
        ByteBuffer b = ByteBuffer.allocate(2 + pathLength).order(ByteOrder.nativeOrder());
        b.putShort((short) AF_UNIX);
        if (abstractName) {
            b.put((byte) 0).put(name);
        } else {
            b.put(name).put((byte) 0);
        }
        return b.array();
    }
}
