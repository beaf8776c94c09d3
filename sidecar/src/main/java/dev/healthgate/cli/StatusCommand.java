package dev.healthgate.cli;

import io.vertx.core.json.JsonObject;
import java.io.PrintWriter;
import java.util.List;
import java.util.Locale;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** {@code healthgate status [APP]}. */
@Command(name = "status", mixinStandardHelpOptions = true,
        description = "Show each app's state, its gates as they are now, its last cycle, and what each "
                + "HAProxy node last reported about its server lines. Exits 1 if any app shown is FAILED.")
final class StatusCommand implements Runnable {

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @CommandLine.Mixin
    ClientOptions options;

    @CommandLine.Parameters(index = "0", arity = "0..1", paramLabel = "APP", description = "one app (default: all)")
    String app;

    @Override
    public void run() {
        ApiClient client = options.client();
        List<JsonObject> apps = app == null
                ? client.get("/v1/apps").getJsonArray("apps").stream().map(JsonObject.class::cast).toList()
                : List.of(client.get("/v1/apps/" + app));
        PrintWriter out = spec.commandLine().getOut();
        out.printf(Locale.ROOT, "%-10s %-15s %-8s %-8s %s%n", "APP", "STATE", "MAIN", "BACKUP", "LAST CYCLE");
        boolean failed = false;
        for (JsonObject a : apps) {
            JsonObject gates = a.getJsonObject("gates");
            out.printf(Locale.ROOT, "%-10s %-15s %-8s %-8s %s%n", a.getString("name"),
                    a.getString("state") + (a.getBoolean("busy", false) ? "*" : ""),
                    gates == null ? "?" : gates.getString("main"), gates == null ? "?" : gates.getString("backup"),
                    last(a.getJsonObject("lastCycle")));
            if (a.getString("reason") != null) {
                out.printf(Locale.ROOT, "%-10s reason: %s%n", "", a.getString("reason"));
            }
            io.vertx.core.json.JsonArray reports = a.getJsonArray("haproxy");
            if (reports != null) {
                for (Object o : reports) {
                    JsonObject r = (JsonObject) o;
                    out.printf(Locale.ROOT, "%-10s haproxy %-12s %-6s %-14s%s answered %s, %.1f s ago%n", "",
                            r.getString("node"), r.getString("line"), r.getString("status"),
                            r.getInteger("scur") == null ? "" : " scur " + r.getInteger("scur") + ",",
                            r.getString("answered"), r.getLong("ageMs", 0L) / 1000.0);
                }
            }
            failed |= "FAILED".equals(a.getString("state"));
        }
        out.flush();
        if (failed) {
            throw new ExitException(ExitCode.FAILED, null);
        }
    }

    private static String last(JsonObject c) {
        if (c == null) {
            return "-";
        }
        return String.format(Locale.ROOT, "%s %s in %.2f s", c.getString("action"), c.getBoolean("ok") ? "ok" : "FAILED",
                c.getLong("totalMs", 0L) / 1000.0);
    }
}
