package dev.healthgate.restart;

import dev.healthgate.Eventually;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicReference;

/** Test helper: waits until a followed restart reports that its process died. */
final class Followed {

    private Followed() {
    }

    static RestartException awaitCheckFails(Restarted followed) throws InterruptedException {
        AtomicReference<RestartException> failure = new AtomicReference<>();
        Eventually.await("checkAlive() reports the process gone", Duration.ofSeconds(5), () -> {
            try {
                followed.checkAlive();
                return false;
            } catch (RestartException e) {
                failure.set(e);
                return true;
            }
        });
        return failure.get();
    }
}
