package dev.healthgate.cli;

import picocli.CommandLine;

/** The version from the jar's manifest. */
final class Version implements CommandLine.IVersionProvider {

    @Override
    public String[] getVersion() {
        String v = HealthgateCli.class.getPackage().getImplementationVersion();
        return new String[] {"healthgate " + (v == null ? "(development build)" : v)};
    }
}
