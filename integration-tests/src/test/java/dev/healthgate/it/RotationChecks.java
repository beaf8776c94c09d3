package dev.healthgate.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.assertj.core.api.SoftAssertions;

/** What the load report must show of one app's cycle: sticky clients kept, new clients kept away. */
final class RotationChecks {

    private RotationChecks() {
    }

    /**
     * Sticky clients holding {@code app}'s cookie reach {@code app} through its drain and
     * sticky-grace; when the app keeps its port open (a socket hand-over, no sticky-grace) through
     * its whole restart, until it is ready.
     */
    static void stickyClientsStayedWhileDraining(SoftAssertions soft, LoadReport report, String app,
            CycleTiming cycle) {
        String last = cycle.phaseNames().contains("sticky-grace") ? "sticky-grace" : "ready";
        CycleTiming.Window window = cycle.surely("drain", last).inset(100);
        List<RequestRecord> sticky = report.matching(r -> r.sticky() && app.equals(r.cookieSent()) && window.contains(r));
        soft.assertThat(sticky)
                .as("requests of sticky %s clients from its drain to the end of its %s (%d ms; cycle %s)",
                        app, last, window.millis(), cycle)
                .isNotEmpty()
                .allSatisfy(r -> assertThat(r.servedBy()).as("instance that served %s", r).isEqualTo(app));
    }

    /** While {@code app} is out of rotation (after drain, before restore) no new client is sent to it. */
    static void newClientsWentElsewhereWhileOut(SoftAssertions soft, LoadReport report, String app,
            CycleTiming cycle) {
        List<String> phases = cycle.phaseNames();
        CycleTiming.Window window = cycle.surely(phases.get(phases.indexOf("drain") + 1), "ready").inset(200);
        List<RequestRecord> fresh = report.matching(r -> !r.sticky() && window.contains(r));
        soft.assertThat(fresh)
                .as("requests of new clients while %s was out of rotation (%d ms; cycle %s)", app,
                        window.millis(), cycle)
                .isNotEmpty()
                .noneSatisfy(r -> assertThat(r.servedBy()).as("instance that served %s", r).isEqualTo(app));
    }
}
