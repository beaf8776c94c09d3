package dev.healthgate.it;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * What a non-root healthgate needs (the launcher, the example apps, the jar, the scenario files),
 * installed world-readable under /tmp as a package would install it, so that a test running healthgate
 * as {@code nobody} does not depend on where the checkout lives: a CI clone may sit below a 0700
 * directory that nobody cannot enter. While open, {@link ItEnv} points at this install; closing it
 * copies the logs back to this module's {@code target/it-logs} and removes the install.
 */
final class WorldReadableInstall implements AutoCloseable {

    private static final List<String> PROPERTIES =
            List.of("healthgate.it.repoRoot", "healthgate.it.jar", "healthgate.it.buildDir");

    private final Path root;
    private final Path realBuildDir;
    private final Map<String, String> saved = new LinkedHashMap<>();

    private WorldReadableInstall(Path root, Path realBuildDir) {
        this.root = root;
        this.realBuildDir = realBuildDir;
    }

    static WorldReadableInstall create() {
        Path realBuildDir = ItEnv.buildDir();
        try {
            Path root = Files.createTempDirectory(Path.of("/tmp"), "healthgate-it-");
            Files.setPosixFilePermissions(root, PosixFilePermissions.fromString("rwxr-xr-x"));
            copyTree(ItEnv.repoRoot().resolve("scripts"), root.resolve("scripts"));
            Path jar = root.resolve("sidecar/target/healthgate.jar");
            Files.createDirectories(jar.getParent());
            Files.copy(ItEnv.jar(), jar, StandardCopyOption.COPY_ATTRIBUTES);
            Files.createDirectories(root.resolve("target"));
            WorldReadableInstall install = new WorldReadableInstall(root, realBuildDir);
            install.point("healthgate.it.repoRoot", root);
            install.point("healthgate.it.jar", jar);
            install.point("healthgate.it.buildDir", root.resolve("target"));
            return install;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot install healthgate world-readable under /tmp", e);
        }
    }

    /** Where the install is (what /opt/healthgate is to a unit file). */
    Path root() {
        return root;
    }

    /** Fresh scenario and log directories for a test, inside this install. */
    TestDirs testDirs(String name) {
        return TestDirs.create(name);
    }

    private void point(String property, Path value) {
        saved.put(property, System.getProperty(property));
        System.setProperty(property, value.toString());
    }

    @Override
    public void close() {
        for (String property : PROPERTIES) {
            String old = saved.get(property);
            if (old == null) {
                System.clearProperty(property);
            } else {
                System.setProperty(property, old);
            }
        }
        try {
            Path logs = root.resolve("target/it-logs");
            if (Files.isDirectory(logs)) {
                copyTree(logs, realBuildDir.resolve("it-logs"));
            }
            TestDirs.deleteTree(root);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot clean up " + root, e);
        }
    }

    private static void copyTree(Path from, Path to) throws IOException {
        try (Stream<Path> tree = Files.walk(from)) {
            for (Path p : tree.toList()) {
                Path target = to.resolve(from.relativize(p).toString());
                if (Files.isDirectory(p)) {
                    Files.createDirectories(target);
                } else {
                    Files.copy(p, target, StandardCopyOption.COPY_ATTRIBUTES, StandardCopyOption.REPLACE_EXISTING);
                }
            }
        }
    }
}
