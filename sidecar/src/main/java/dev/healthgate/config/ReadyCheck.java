package dev.healthgate.config;

import java.time.Duration;

/**
 * How healthgate decides that an app is ready: an HTTP GET answering the expected status, or a TCP
 * connect to the app port.
 *
 * @param httpPath       path to GET, or {@code null} for a TCP check
 * @param expectedStatus HTTP status that means ready
 * @param timeout        how long to wait for readiness after a restart
 */
public record ReadyCheck(String httpPath, int expectedStatus, Duration timeout) {

    public boolean isHttp() {
        return httpPath != null;
    }

    public String describe() {
        return isHttp() ? "HTTP GET " + httpPath + " answering " + expectedStatus : "TCP connect";
    }
}
