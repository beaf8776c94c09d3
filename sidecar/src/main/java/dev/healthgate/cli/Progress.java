package dev.healthgate.cli;

import io.vertx.core.json.JsonObject;
import java.io.PrintWriter;
import java.util.Locale;

/** Prints a cycle's phases as they complete and its outcome, one line each. */
final class Progress {

    private final PrintWriter out;

    Progress(PrintWriter out) {
        this.out = out;
    }

    void phase(JsonObject e) {
        String note = e.getString("note");
        out.printf(Locale.ROOT, "%-8s %-14s %7.2f s%s%n", e.getString("app"), e.getString("name"),
                e.getLong("ms", 0L) / 1000.0, note == null ? "" : "  " + note);
        out.flush();
    }

    /** Prints the outcome and returns whether the cycle succeeded. */
    boolean result(JsonObject r) {
        boolean ok = r.getBoolean("ok", false);
        if (ok) {
            out.printf(Locale.ROOT, "%-8s %-14s %s done in %.2f s%n", r.getString("app"), r.getString("state"),
                    r.getString("action"), r.getLong("totalMs", 0L) / 1000.0);
        } else {
            out.printf(Locale.ROOT, "%-8s %-14s %s%n", r.getString("app", "-"), r.getString("state", "FAILED"),
                    r.getString("reason", r.getString("error", "failed")));
        }
        out.flush();
        return ok;
    }
}
