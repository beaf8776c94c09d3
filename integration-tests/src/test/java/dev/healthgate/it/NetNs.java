package dev.healthgate.it;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Guards the host's network: the ITs change iptables rules, and may only do so in the network
 * namespace that {@code src/test/netns/java-in-netns} made for this JVM.
 */
public final class NetNs {
    private static final Path SELF = Path.of("/proc/self/ns/net");
    private static final Path INIT = Path.of("/proc/1/ns/net");

    private NetNs() {}

    /**
     * Refuses (throws) unless this JVM runs in a network namespace other than the host's: compares
     * the inode of this process's namespace with pid 1's or, where /proc/1 cannot be read (a
     * sandbox), with the host namespace the launcher recorded before it entered the new one.
     */
    public static void requireOwnNamespace() {
        long self = inode(SELF);
        long host = hostInode();
        if (self == host) {
            throw new IllegalStateException("refusing to touch iptables: this JVM runs in the host's"
                    + " network namespace (inode " + self + "); run the ITs through Failsafe, whose"
                    + " JVM starts inside src/test/netns/java-in-netns");
        }
    }

    /** The name of the namespace the launcher created, for log lines. */
    public static String name() {
        return System.getenv().getOrDefault("HG_IT_NETNS", "(not set)");
    }

    /** The inode of this JVM's network namespace. */
    public static long currentInode() {
        return inode(SELF);
    }

    private static long hostInode() {
        try {
            return inode(INIT);
        } catch (IllegalStateException unreadable) {
            String recorded = System.getenv("HG_IT_HOST_NETNS_INODE");
            if (recorded == null || !recorded.matches("[0-9]+")) {
                throw new IllegalStateException("refusing to touch iptables: cannot read " + INIT
                        + " and HG_IT_HOST_NETNS_INODE is not set, so this JVM cannot tell whether it"
                        + " runs in its own network namespace", unreadable);
            }
            return Long.parseLong(recorded);
        }
    }

    private static long inode(Path nsLink) {
        try {
            // the link reads "net:[4026531833]"; its target's inode is the same number
            Object ino = Files.getAttribute(nsLink, "unix:ino");
            return ((Number) ino).longValue();
        } catch (IOException | SecurityException | UnsupportedOperationException e) {
            throw new IllegalStateException("cannot read " + nsLink, e);
        }
    }
}
