package dev.healthgate.os;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.SeekableByteChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.OptionalLong;
import java.util.regex.Pattern;

/**
 * A pid file as Unicorn, Puma and most daemons write it: a decimal pid and an optional newline.
 * Blocking (it reads a file).
 *
 * <p>healthgate signals the pid it reads, often as root, so the file is read with care: a symbolic link is
 * not followed (a link to another service's pid file would get that service signalled), anything but a
 * regular file is refused (a FIFO would block the reading thread), and at most {@value #MAX_BYTES} bytes
 * are read. Such a file holds no pid, and {@link #describe()} says why.
 */
public final class PidFile {

    private static final Pattern PID = Pattern.compile("\\s*([0-9]{1,10})\\s*");
    private static final int MAX_BYTES = 64;

    private final Path path;

    public PidFile(Path path) {
        this.path = path;
    }

    public Path path() {
        return path;
    }

    /**
     * The pid the file holds now; empty when the file is missing, empty, not (yet) a pid, as while a
     * daemon is writing it, or not a regular file.
     */
    public OptionalLong read() {
        try {
            if (unsafe() != null) {
                return OptionalLong.empty();
            }
            // O_NOFOLLOW as well: the file may have been swapped for a link since it was looked at
            try (SeekableByteChannel ch = Files.newByteChannel(path, StandardOpenOption.READ, LinkOption.NOFOLLOW_LINKS)) {
                ByteBuffer head = ByteBuffer.allocate(MAX_BYTES + 1);
                while (head.hasRemaining() && ch.read(head) > 0) {
                    // a pid file is written in one go; this reads what is there
                }
                if (head.position() > MAX_BYTES) {
                    return OptionalLong.empty();
                }
                return parse(new String(head.array(), 0, head.position(), StandardCharsets.US_ASCII));
            }
        } catch (IOException e) {
            return OptionalLong.empty();
        }
    }

    /** Why the path cannot be a pid file (a link, a FIFO, a directory), or {@code null}. */
    private String unsafe() throws IOException {
        BasicFileAttributes attrs = Files.readAttributes(path, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
        if (attrs.isSymbolicLink()) {
            return "is a symbolic link (not followed: write the pid file itself there)";
        }
        if (!attrs.isRegularFile()) {
            return "is not a regular file";
        }
        if (attrs.size() > MAX_BYTES) {
            return "is " + attrs.size() + " bytes long, more than a pid file";
        }
        return null;
    }

    /** Parses the text of a pid file; empty unless it is exactly one positive pid. */
    static OptionalLong parse(String text) {
        var m = PID.matcher(text);
        if (!m.matches()) {
            return OptionalLong.empty();
        }
        long pid = Long.parseLong(m.group(1));
        return pid > 0 && pid <= Integer.MAX_VALUE ? OptionalLong.of(pid) : OptionalLong.empty();
    }

    /** Describes what the file holds, for error messages: {@code holds 1234}, {@code does not exist}. */
    public String describe() {
        try {
            String unsafe = unsafe();
            if (unsafe != null) {
                return path + " " + unsafe;
            }
        } catch (NoSuchFileException e) {
            return path + " does not exist";
        } catch (IOException e) {
            return path + " cannot be read: " + e.getMessage();
        }
        OptionalLong pid = read();
        return pid.isPresent() ? path + " holds " + pid.getAsLong() : path + " does not hold a pid";
    }

    @Override
    public String toString() {
        return path.toString();
    }
}
