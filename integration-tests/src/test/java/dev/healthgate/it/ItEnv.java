package dev.healthgate.it;

import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Where the integration tests find the repository and the built jar, and where they write. Failsafe
 * sets these system properties (see this module's pom); the defaults fit a run from this module.
 */
public final class ItEnv {
    private ItEnv() {}

    /** The repository root: {@code scripts/healthgate} and {@code scripts/examples} live there. */
    public static Path repoRoot() {
        return path("healthgate.it.repoRoot", "..");
    }

    /** The sidecar's shaded jar, which {@code scripts/healthgate} runs. */
    public static Path jar() {
        return path("healthgate.it.jar", "../sidecar/target/healthgate.jar");
    }

    /** This module's {@code target} directory. */
    public static Path buildDir() {
        return path("healthgate.it.buildDir", "target");
    }

    /** The launcher a user runs: {@code scripts/healthgate ARGS} runs the jar. */
    public static Path healthgateLauncher() {
        return repoRoot().resolve("scripts/healthgate");
    }

    /** The demo app's tiny systemctl. */
    public static Path demoAppCtl() {
        return repoRoot().resolve("scripts/examples/demo-appctl");
    }

    /** Fails with a message that says how to build the jar when it is missing. */
    public static void requireJar() {
        if (!Files.isRegularFile(jar())) {
            throw new IllegalStateException("the sidecar jar " + jar()
                    + " does not exist: build it first (./mvnw verify from the repository root)");
        }
    }

    private static Path path(String property, String fallback) {
        return Path.of(System.getProperty(property, fallback)).toAbsolutePath().normalize();
    }
}
