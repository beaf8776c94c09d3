package dev.healthgate.cli;

import dev.healthgate.config.ConfigException;
import dev.healthgate.config.ConfigLoader;
import dev.healthgate.config.TokenSource;
import dev.healthgate.config.ControlConfig;
import java.net.URI;
import java.nio.file.Path;
import picocli.CommandLine.Option;

/**
 * Where client commands find the control API: {@code --api}, else {@code --config}'s control.listen,
 * else {@code $HEALTHGATE_API}, else {@code http://127.0.0.1:9901}; and its token: {@code --token} or
 * {@code --token-file}, else {@code $HEALTHGATE_TOKEN}, else {@code --config}'s control.token or
 * control.token-file.
 */
final class ClientOptions {

    static final String DEFAULT_API = "http://127.0.0.1:9901";

    @Option(names = "--api", paramLabel = "URL", description = "control API URL (default: from --config, "
            + "$HEALTHGATE_API, or " + DEFAULT_API + ")")
    String api;

    @Option(names = "--config", paramLabel = "FILE", description = "read control.listen and control.token from healthgate.yml")
    Path config;

    @Option(names = "--token", paramLabel = "TOKEN", description = "bearer token (visible in ps: prefer "
            + "--token-file or $HEALTHGATE_TOKEN; default: from --config)")
    String token;

    @Option(names = "--token-file", paramLabel = "FILE", description = "read the bearer token from FILE")
    Path tokenFile;

    ApiClient client() {
        String url = api;
        if (token != null && tokenFile != null) {
            throw new ExitException(ExitCode.USAGE, "give either --token or --token-file, not both");
        }
        String bearer = token;
        if (tokenFile != null) {
            try {
                bearer = TokenSource.read("--token-file", tokenFile);
            } catch (ConfigException e) {
                throw new ExitException(ExitCode.USAGE, e.getMessage());
            }
        }
        if (bearer == null) {
            bearer = System.getenv("HEALTHGATE_TOKEN");
        }
        if (url == null && config != null) {
            ControlConfig control = ConfigLoader.load(config).control();
            url = control.url();
            if (bearer == null) {
                bearer = control.token();
            }
        }
        if (url == null) {
            url = System.getenv("HEALTHGATE_API") != null ? System.getenv("HEALTHGATE_API") : DEFAULT_API;
        }
        URI uri;
        try {
            uri = URI.create(url.endsWith("/") ? url.substring(0, url.length() - 1) : url);
        } catch (IllegalArgumentException e) {
            throw new ExitException(ExitCode.USAGE, "--api " + url + ": not a URL: " + e.getMessage());
        }
        if (!"http".equals(uri.getScheme()) || uri.getHost() == null) {
            throw new ExitException(ExitCode.USAGE, "--api " + url + ": must be http://HOST:PORT");
        }
        return new ApiClient(uri, bearer);
    }
}
