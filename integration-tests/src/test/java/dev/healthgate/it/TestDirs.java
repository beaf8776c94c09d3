package dev.healthgate.it;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.stream.Stream;

/**
 * The directories of one test: its scenario (configs, pid files, the apps' own logs) under
 * {@code target/it-scenarios/NAME} and the logs of the processes it ran under
 * {@code target/it-logs/NAME}. Both are emptied when created, so a run never reads a stale file.
 */
public record TestDirs(String name, Path scenario, Path logs) {

    /** Creates (empty) directories for the test called {@code name}. */
    public static TestDirs create(String name) {
        String safe = name.replaceAll("[^A-Za-z0-9_.-]+", "-");
        Path scenario = fresh(ItEnv.buildDir().resolve("it-scenarios").resolve(safe));
        Path logs = fresh(ItEnv.buildDir().resolve("it-logs").resolve(safe));
        return new TestDirs(safe, scenario, logs);
    }

    /** A file in the log directory. */
    public Path log(String fileName) {
        return logs.resolve(fileName);
    }

    private static Path fresh(Path dir) {
        try {
            if (Files.exists(dir)) {
                deleteTree(dir);
            }
            return Files.createDirectories(dir);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot prepare " + dir, e);
        }
    }

    /** Deletes {@code dir} and everything below it, deepest first; symbolic links are removed, not followed. */
    static void deleteTree(Path dir) throws IOException {
        try (Stream<Path> tree = Files.walk(dir)) {
            for (Path p : tree.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        }
    }
}
