package dev.healthgate.config;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFileAttributes;
import java.nio.file.attribute.PosixFilePermission;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reads a bearer token from a file ({@code control.token-file}, the CLI's {@code --token-file}), so that it is
 * neither in the config a deploy tool copies around nor on a command line that {@code ps} shows. The file
 * holds the token and at most a trailing newline; a file others may read gets a warning.
 */
public final class TokenSource {

    private static final Logger LOG = LoggerFactory.getLogger(TokenSource.class);
    private static final int MAX_BYTES = 4096;

    private TokenSource() {
    }

    /** The token in {@code file}; {@code what} names where the path came from, for errors. */
    public static String read(String what, Path file) {
        try {
            if (!Files.exists(file)) {
                throw new NoSuchFileException(file.toString());
            }
            if (!Files.isRegularFile(file)) { // a FIFO would block the read
                throw new ConfigException(what + " = " + file + ": not a regular file");
            }
            if (Files.size(file) > MAX_BYTES) {
                throw new ConfigException(what + " = " + file + ": larger than " + MAX_BYTES + " bytes: not a token file");
            }
            warnIfOthersMayRead(what, file);
            String token = new String(Files.readAllBytes(file), StandardCharsets.UTF_8).strip();
            if (token.isEmpty()) {
                throw new ConfigException(what + " = " + file + ": the file is empty");
            }
            if (token.chars().anyMatch(c -> c < 0x21 || c > 0x7e)) {
                throw new ConfigException(what + " = " + file + ": a token is one line of printable characters "
                        + "without spaces");
            }
            return token;
        } catch (NoSuchFileException e) {
            throw new ConfigException(what + " = " + file + ": no such file");
        } catch (IOException e) {
            throw new ConfigException(what + " = " + file + ": cannot read it: " + e.getMessage());
        }
    }

    private static void warnIfOthersMayRead(String what, Path file) {
        try {
            Set<PosixFilePermission> perms = Files.readAttributes(file, PosixFileAttributes.class).permissions();
            if (perms.contains(PosixFilePermission.GROUP_READ) || perms.contains(PosixFilePermission.OTHERS_READ)) {
                LOG.warn("{} = {}: group or others may read the token: chmod 600 {}", what, file, file);
            }
        } catch (IOException | UnsupportedOperationException e) {
            // not a POSIX file system: nothing to warn about
        }
    }
}
