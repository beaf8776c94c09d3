package dev.healthgate.config;

/**
 * Where the control API listens.
 *
 * @param host  listen address; anything but loopback requires a token
 * @param port  listen port
 * @param token bearer token ({@code control.token}, or read from {@code control.token-file}), or {@code null}
 */
public record ControlConfig(String host, int port, String token) {

    public String url() {
        String h = host.contains(":") ? "[" + host + "]" : host;
        return "http://" + h + ":" + port;
    }
}
