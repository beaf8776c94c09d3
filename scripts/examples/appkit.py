"""appkit: the parts shared by healthgate's example apps (plain_app.py, unicorn_like.py, puma_like.py).

Python 3 standard library only. Every app answers:
  GET /        200, body "<name>\\n"
  GET /health  200 "ok" when ready, 503 while not (fault "never-ready")
  GET /slow?ms=N  waits N ms (0-600000), then answers like /
with the headers X-Served-By: <name> and X-Pid: <pid of the process that answered>.

Faults, for tests and demos: --fault-file PATH names a file that a "deploy" may write; a process reads
it when it boots (and a master when it is told to restart). Its first word:
  crash-on-boot   the booting process exits with code 1 before it serves
  never-ready     the process serves, but GET /health answers 503
  ignore-restart  a master ignores the restart signal (its pid never changes)
A missing or empty file means no fault.
"""

import os
import re
import socket
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

FAULTS = ("crash-on-boot", "never-ready", "ignore-restart")
MAX_SLOW_MS = 600_000
NAME_RE = re.compile(r"^[A-Za-z0-9_.-]{1,40}$")

_log_lock = threading.Lock()


def log(name, msg):
    """One timestamped line on stdout, flushed (healthgate copies a supervised app's output to its log)."""
    now = time.time()
    stamp = time.strftime("%Y-%m-%dT%H:%M:%S", time.localtime(now))
    line = "%s.%03d %s[%d] %s\n" % (stamp, int(now * 1000) % 1000, name, os.getpid(), msg)
    with _log_lock:
        sys.stdout.write(line)
        sys.stdout.flush()


def read_fault(path):
    """The fault the file names now, or None."""
    if not path:
        return None
    try:
        with open(path) as f:
            words = f.read().split()
    except OSError:
        return None
    if words and words[0] in FAULTS:
        return words[0]
    return None


def listen(host, port):
    """A listening TCP socket, inheritable so that a re-exec'd or worker process can take it over."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.create_server((host, port), family=family, backlog=128)
    sock.set_inheritable(True)
    return sock


def inherit(fd):
    """The listening socket a parent handed over as file descriptor fd."""
    sock = socket.socket(fileno=fd)
    sock.set_inheritable(True)
    return sock


def write_pidfile(path, pid=None):
    """Writes the pid atomically (temporary file, then rename), as daemons do."""
    tmp = "%s.%d.tmp" % (path, os.getpid())
    with open(tmp, "w") as f:
        f.write("%d\n" % (pid or os.getpid()))
    os.replace(tmp, path)


def pidfile_holds(path, pid):
    try:
        with open(path) as f:
            return f.read().strip() == str(pid)
    except OSError:
        return False


def remove_pidfile_if_mine(path, pid=None):
    if path and pidfile_holds(path, pid or os.getpid()):
        try:
            os.unlink(path)
        except OSError:
            pass


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.0"
    server_version = "healthgate-example"
    timeout = 10

    def version_string(self):
        return self.server_version

    def do_GET(self):
        url = urlsplit(self.path)
        name = self.server.app_name
        if url.path == "/":
            self._reply(200, name + "\n")
        elif url.path == "/health":
            if self.server.ready:
                self._reply(200, "ok\n")
            else:
                self._reply(503, "not ready\n")
        elif url.path == "/slow":
            ms = parse_qs(url.query).get("ms", ["0"])[0]
            if not re.fullmatch(r"[0-9]{1,7}", ms) or int(ms) > MAX_SLOW_MS:
                self._reply(400, "ms must be an integer 0-%d\n" % MAX_SLOW_MS)
                return
            time.sleep(int(ms) / 1000.0)
            self._reply(200, name + "\n")
        else:
            self._reply(404, "not found\n")

    def _reply(self, status, body):
        data = body.encode("utf-8")
        self.send_response(status)
        self.send_header("Content-Type", "text/plain; charset=utf-8")
        self.send_header("Content-Length", str(len(data)))
        self.send_header("X-Served-By", self.server.app_name)
        self.send_header("X-Pid", str(os.getpid()))
        self.send_header("Connection", "close")
        self.end_headers()
        self.wfile.write(data)

    def log_request(self, code="-", size="-"):
        if self.server.access_log:
            log(self.server.app_name, "%s %s %s" % (self.command, self.path, getattr(code, "value", code)))

    def log_message(self, fmt, *args):
        if self.server.access_log:
            log(self.server.app_name, fmt % args)


class Server(ThreadingHTTPServer):
    """An HTTP server on a listening socket it may share with other processes (after a hand-over).

    The socket is non-blocking: when another process accepted the connection first, accept() fails
    with EAGAIN and the loop goes on, instead of blocking.
    """

    daemon_threads = False
    block_on_close = False

    def __init__(self, name, sock, ready=True, access_log=False):
        self.app_name = name
        self.ready = ready
        self.access_log = access_log
        self.inflight = 0
        self.cond = threading.Condition()
        super().__init__(sock.getsockname()[:2], Handler, bind_and_activate=False)
        self.socket.close()
        self.socket = sock
        self.socket.setblocking(False)
        self.server_address = sock.getsockname()
        self._thread = None

    def get_request(self):
        request, addr = self.socket.accept()
        request.setblocking(True)
        return request, addr

    def process_request(self, request, client_address):
        with self.cond:
            self.inflight += 1
        threading.Thread(target=self._handle_one, args=(request, client_address), daemon=False).start()

    def _handle_one(self, request, client_address):
        try:
            self.finish_request(request, client_address)
        except Exception:
            self.handle_error(request, client_address)
        finally:
            self.shutdown_request(request)
            with self.cond:
                self.inflight -= 1
                self.cond.notify_all()

    def handle_error(self, request, client_address):
        log(self.app_name, "error while serving %s: %s" % (client_address, sys.exc_info()[1]))

    def start(self):
        self._thread = threading.Thread(target=self.serve_forever, kwargs={"poll_interval": 0.05},
                                        name="accept", daemon=True)
        self._thread.start()

    def stop_accepting(self, shared):
        """Ends the accept loop and closes this process's copy of the socket.

        shared: another process holds the socket too and serves what is queued; otherwise the
        connections the kernel has already accepted are taken first, so none is dropped.
        """
        self.shutdown()
        taken = 0
        if not shared:
            while True:
                try:
                    request, addr = self.get_request()
                except OSError:
                    break
                self.process_request(request, addr)
                taken += 1
        self.socket.close()
        return taken

    def wait_drained(self, timeout):
        deadline = time.monotonic() + timeout
        with self.cond:
            while self.inflight > 0:
                left = deadline - time.monotonic()
                if left <= 0:
                    break
                self.cond.wait(left)
            return self.inflight


class Signals:
    """Signals noted by their handlers and taken one by one by the main loop (no locks in handlers)."""

    def __init__(self, *signums):
        import signal as _signal
        self.pending = []
        self.event = threading.Event()
        for s in signums:
            _signal.signal(s, self._note)
        # A process started by a JVM inherits its blocked SIGQUIT: unblock what we handle.
        _signal.pthread_sigmask(_signal.SIG_UNBLOCK, signums)

    def _note(self, signum, _frame):
        self.pending.append(signum)
        self.event.set()

    def take(self, timeout):
        """The next signal, or None after timeout."""
        if not self.pending:
            self.event.wait(timeout)
        self.event.clear()
        if self.pending:
            return self.pending.pop(0)
        return None


def sleep_interruptibly(signals, seconds, stop_on):
    """Sleeps (booting); returns the signal that cut it short if it is one of stop_on, else None."""
    deadline = time.monotonic() + seconds
    while True:
        left = deadline - time.monotonic()
        if left <= 0:
            return None
        got = signals.take(left)
        if got in stop_on:
            return got


def common_args(parser):
    """Options every example app takes."""
    parser.add_argument("--name", required=True, type=app_name, help="app name, in bodies and X-Served-By")
    parser.add_argument("--port", required=True, type=port_number, help="TCP port to listen on")
    parser.add_argument("--host", default="127.0.0.1", help="address to bind (default 127.0.0.1)")
    parser.add_argument("--boot-delay", type=seconds, default=0.0, metavar="SECONDS",
                        help="time a booting process takes before it serves (default 0)")
    parser.add_argument("--fault-file", metavar="PATH",
                        help="file naming a fault to simulate: crash-on-boot, never-ready, ignore-restart")
    parser.add_argument("--drain-timeout", type=seconds, default=30.0, metavar="SECONDS",
                        help="how long a stopping process waits for requests in flight (default 30)")
    parser.add_argument("--access-log", action="store_true", help="log every request")


def port_number(text):
    import argparse
    if not re.fullmatch(r"[0-9]{1,5}", text) or not 1 <= int(text) <= 65535:
        raise argparse.ArgumentTypeError("'%s' is not a port number (1-65535)" % text)
    return int(text)


def seconds(text):
    import argparse
    try:
        value = float(text)
    except ValueError:
        value = -1.0
    if not value >= 0 or value == float("inf"):
        raise argparse.ArgumentTypeError("'%s' is not a number of seconds >= 0" % text)
    return value


def app_name(text):
    import argparse
    if not NAME_RE.match(text):
        raise argparse.ArgumentTypeError("'%s' is not a name ([A-Za-z0-9_.-]{1,40})" % text)
    return text
