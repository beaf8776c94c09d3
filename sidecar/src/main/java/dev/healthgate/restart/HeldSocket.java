package dev.healthgate.restart;

import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.UnknownHostException;
import jnr.ffi.LibraryLoader;
import jnr.ffi.annotations.SaveError;

/**
 * A supervised app's listening socket, bound and held by healthgate ({@code supervise.hold-socket}), so
 * that the port stays open while the app restarts: connections wait in its queue until the new process
 * accepts them. Each new process gets it through {@link #handTo}: Java starts children with fds 0-2 only,
 * so the socket goes in as the child's stdin, and a small helper ({@link LaunchCommand#SOCKET_HELPER})
 * moves it to fd 3, sets {@code LISTEN_FDS}/{@code LISTEN_PID} and execs the app (systemd's socket
 * activation, which Gunicorn, Puma and Unicorn read). IPv4. Blocking: call from a worker thread.
 */
final class HeldSocket {

    private static final int AF_INET = 2;
    private static final int SOCK_STREAM = 1;
    private static final int SOCK_CLOEXEC = 0x80000;
    private static final int SOL_SOCKET = 1;
    private static final int SO_REUSEADDR = 2;
    private static final int BACKLOG = 1024;
    /** One hand-over at a time in the whole JVM: it swaps the JVM's own fd 0 for a moment. */
    private static final Object STDIN = new Object();

    /** The libc calls for one socket; loaded on first use. */
    public interface Native {
        @SaveError
        int socket(int domain, int type, int protocol);

        @SaveError
        int setsockopt(int fd, int level, int name, int[] value, int length);

        @SaveError
        int bind(int fd, byte[] address, int length);

        @SaveError
        int listen(int fd, int backlog);

        @SaveError
        int dup(int fd);

        @SaveError
        int dup2(int fd, int target);

        int close(int fd);

        String strerror(int errno);
    }

    private static final class Holder {
        static final Native LIBC = LibraryLoader.create(Native.class).load("c");
        static final jnr.ffi.Runtime RUNTIME = jnr.ffi.Runtime.getRuntime(LIBC);
    }

    private final String app;
    private final String host;
    private final int port;
    private int fd = -1;

    HeldSocket(String app, String host, int port) {
        this.app = app;
        this.host = host;
        this.port = port;
    }

    /** Binds and listens the first time; afterwards nothing (the same socket serves every process). */
    synchronized void bindOnce() throws RestartException {
        if (fd >= 0) {
            return;
        }
        byte[] address;
        try {
            InetAddress a = InetAddress.getByName(host);
            if (!(a instanceof Inet4Address)) {
                throw new RestartException("cannot hold " + app + "'s socket: " + host + " is not an IPv4 address");
            }
            address = sockaddrIn(a.getAddress(), port);
        } catch (UnknownHostException e) {
            throw new RestartException("cannot hold " + app + "'s socket: unknown host " + host);
        }
        Native libc = Holder.LIBC;
        int s = libc.socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
        if (s < 0) {
            throw failure("socket()");
        }
        if (libc.setsockopt(s, SOL_SOCKET, SO_REUSEADDR, new int[] {1}, 4) != 0
                || libc.bind(s, address, address.length) != 0 || libc.listen(s, BACKLOG) != 0) {
            RestartException e = failure("binding " + host + ":" + port);
            libc.close(s);
            throw e;
        }
        fd = s;
    }

    /**
     * Starts {@code builder} with the held socket as its stdin: the JVM's fd 0 is the socket for the
     * moment of the start, under a lock, then restored.
     */
    Process handTo(ProcessBuilder builder) throws RestartException, java.io.IOException {
        bindOnce();
        Native libc = Holder.LIBC;
        synchronized (STDIN) {
            int saved = libc.dup(0);
            if (saved < 0) {
                throw failure("dup(0)");
            }
            try {
                if (libc.dup2(fd, 0) < 0) {
                    throw failure("dup2(socket, 0)");
                }
                return builder.redirectInput(ProcessBuilder.Redirect.INHERIT).start();
            } finally {
                libc.dup2(saved, 0);
                libc.close(saved);
            }
        }
    }

    private RestartException failure(String call) {
        int errno = Holder.RUNTIME.getLastError();
        return new RestartException("cannot hold " + app + "'s socket on " + host + ":" + port + ": " + call
                + " failed: " + Holder.LIBC.strerror(errno));
    }

    /** struct sockaddr_in: the family in host byte order, the port and the address in network order. */
    static byte[] sockaddrIn(byte[] ipv4, int port) {
        byte[] b = new byte[16];
        boolean little = java.nio.ByteOrder.nativeOrder() == java.nio.ByteOrder.LITTLE_ENDIAN;
        b[little ? 0 : 1] = (byte) AF_INET;
        b[2] = (byte) (port >> 8);
        b[3] = (byte) port;
        System.arraycopy(ipv4, 0, b, 4, 4);
        return b;
    }
}
