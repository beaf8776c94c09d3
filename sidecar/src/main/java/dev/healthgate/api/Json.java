package dev.healthgate.api;

import dev.healthgate.cycle.AppInstance;
import dev.healthgate.cycle.CycleResult;
import dev.healthgate.cycle.Intent;
import dev.healthgate.cycle.PhaseResult;
import dev.healthgate.cycle.RollStatus;
import dev.healthgate.gate.GateStatus;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.List;
import java.util.concurrent.TimeUnit;
import dev.healthgate.observe.Report;

/** The API's JSON shapes, in one place (see the README's API section). */
final class Json {

    private Json() {
    }

    static JsonObject app(AppInstance app, GateStatus gates) {
        CycleResult last = app.lastCycle();
        return new JsonObject()
                .put("name", app.name())
                .put("state", app.state().name())
                .put("gate", app.config().gate().key())
                .put("busy", app.running() != null)
                .put("running", app.running() == null ? null : app.running().key())
                .put("phase", app.phase())
                .put("intent", app.intent() == Intent.OUT ? "out" : "in")
                .put("reason", app.reason())
                .put("gates", gates == null ? null : new JsonObject()
                        .put("main", gates.main() ? "open" : "closed")
                        .put("backup", gates.backup() ? "open" : "closed"))
                .put("lastCycle", last == null ? null : result(last));
    }

    static JsonObject result(CycleResult r) {
        JsonArray phases = new JsonArray();
        r.phases().forEach(p -> phases.add(phase(p)));
        return new JsonObject()
                .put("app", r.app())
                .put("action", r.action().key())
                .put("ok", r.ok())
                .put("state", r.state().name())
                .put("reason", r.reason())
                .put("phases", phases)
                .put("totalMs", r.totalMs())
                .put("startedAt", r.startedAt().toString());
    }

    static JsonObject phase(PhaseResult p) {
        JsonObject o = new JsonObject().put("name", p.name()).put("ms", p.ms());
        if (p.note() != null) {
            o.put("note", p.note());
        }
        return o;
    }

    /** Each node's last report on each line, with its age: HAProxy's own view, as its checks told it. */
    static JsonArray reports(List<Report> reports) {
        JsonArray out = new JsonArray();
        long now = System.nanoTime();
        for (Report r : reports) {
            out.add(new JsonObject()
                    .put("node", r.node())
                    .put("line", r.line())
                    .put("server", r.server())
                    .put("status", r.status())
                    .put("scur", r.scur() < 0 ? null : r.scur())
                    .put("qcur", r.qcur() < 0 ? null : r.qcur())
                    .put("answered", r.answer())
                    .put("ageMs", TimeUnit.NANOSECONDS.toMillis(now - r.receivedNanos())));
        }
        return out;
    }

    /** Where a running roll is: its apps in order, the one it is at, how many are done. */
    static JsonObject roll(RollStatus roll) {
        return new JsonObject().put("apps", new JsonArray(roll.apps())).put("at", roll.at()).put("done", roll.done());
    }

    static JsonObject error(String message) {
        return new JsonObject().put("error", message);
    }
}
