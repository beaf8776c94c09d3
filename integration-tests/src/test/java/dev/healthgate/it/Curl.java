package dev.healthgate.it;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * HTTP calls made the way a user's deploy hook makes them: with {@code curl}. The status code is
 * appended to the body by {@code -w}, so no temporary files are needed.
 */
public final class Curl {
    private static final String MARK = "\n@@status=";

    private Curl() {}

    public static HttpResult get(String url, Duration timeout) {
        return call("GET", url, timeout);
    }

    public static HttpResult post(String url, Duration timeout) {
        return call("POST", url, timeout);
    }

    /** Runs curl and waits for it; a transport error gives status 0 and curl's message. */
    public static HttpResult call(String method, String url, Duration timeout) {
        CommandResult r = Command.of(args(method, url, timeout)).timeout(timeout.plusSeconds(5)).run();
        return parse(r.stdout(), r.stderr());
    }

    /**
     * Runs curl with extra arguments before the URL (headers, a body, {@code --path-as-is}), as a browser
     * or a hostile client would send them; waits for it.
     */
    public static HttpResult call(String method, String url, Duration timeout, List<String> extra) {
        List<String> args = args(method, url, timeout);
        args.addAll(args.size() - 1, extra);
        CommandResult r = Command.of(args).timeout(timeout.plusSeconds(5)).run();
        return parse(r.stdout(), r.stderr());
    }

    /** Starts {@code curl -X POST url} as a background process (a deploy hook left running). */
    public static ManagedProcess postInBackground(String url, Duration timeout, Path logFile) {
        return ManagedProcess.start("curl POST " + url, args("POST", url, timeout), logFile);
    }

    /** Parses what {@link #postInBackground} wrote to its log once it exited. */
    public static HttpResult parseLog(String log) {
        String withoutHeader = log.startsWith("### ") ? log.substring(log.indexOf('\n') + 1) : log;
        return parse(withoutHeader, "");
    }

    private static List<String> args(String method, String url, Duration timeout) {
        List<String> args = new ArrayList<>(List.of("curl", "-sS", "-X", method,
                "--max-time", Long.toString(Math.max(1, timeout.toSeconds())),
                "-w", MARK + "%{http_code}\n"));
        args.add(url);
        return args;
    }

    private static HttpResult parse(String stdout, String stderr) {
        int at = stdout.lastIndexOf(MARK);
        if (at < 0) {
            return new HttpResult(0, stdout, stderr);
        }
        String code = stdout.substring(at + MARK.length()).strip();
        int status = code.matches("[0-9]{3}") ? Integer.parseInt(code) : 0;
        return new HttpResult(status, stdout.substring(0, at), stderr);
    }
}
