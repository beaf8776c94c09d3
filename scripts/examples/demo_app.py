#!/usr/bin/env python3
"""demo_app.py: a small demo HTTP app for healthgate's tests and demo.

  GET  /            200, body "NAME\\n", header X-Served-By: NAME
  GET  /health      200, body "ok\\n"
  GET  /slow?ms=N   sleeps N ms, then answers like /
  HEAD /, /health   the same headers, no body
  anything else     404

HTTP/1.0: every connection closes after its response.

On SIGTERM/SIGINT it stops accepting at once (the listening socket is closed,
after taking the connections the kernel had already queued), lets every request
already being handled finish (bounded by --drain-timeout), logs how many were
in flight and whether any was cut, and exits 0.
"""

import argparse
import os
import re
import signal
import socket
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

from appkit import app_name, port_number, seconds  # the argument checks the example apps share

MAX_SLOW_MS = 600_000

_log_lock = threading.Lock()


def log(msg, stream=None):
    """Write one timestamped line and flush it (stdout unless told otherwise)."""
    now = time.time()
    stamp = time.strftime("%Y-%m-%dT%H:%M:%S", time.localtime(now))
    line = "%s.%03d %s\n" % (stamp, int(now * 1000) % 1000, msg)
    out = stream or sys.stdout
    with _log_lock:
        out.write(line)
        out.flush()


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.0"
    server_version = "demo_app"
    timeout = 10  # a client that connects and never sends a request is dropped after this

    def version_string(self):
        return self.server_version

    def handle(self):
        self.t0 = time.monotonic()
        super().handle()

    # --- endpoints ---------------------------------------------------------

    def do_GET(self):
        self._dispatch(head=False)

    def do_HEAD(self):
        self._dispatch(head=True)

    def _dispatch(self, head):
        url = urlsplit(self.path)
        name = self.server.app_name
        if url.path == "/":
            self._reply(200, name + "\n", head)
        elif url.path == "/health":
            self._reply(200, "ok\n", head)
        elif url.path == "/slow" and not head:
            ms = parse_qs(url.query).get("ms", ["0"])[0]
            if not re.fullmatch(r"[0-9]{1,7}", ms) or int(ms) > MAX_SLOW_MS:
                self._reply(400, "ms must be an integer 0-%d\n" % MAX_SLOW_MS, head)
                return
            time.sleep(int(ms) / 1000.0)
            self._reply(200, name + "\n", head)
        else:
            self._reply(404, "not found\n", head)

    def _reply(self, status, body, head):
        data = body.encode("utf-8")
        self.send_response(status)
        self.send_header("Content-Type", "text/plain; charset=utf-8")
        self.send_header("Content-Length", str(len(data)))
        self.send_header("X-Served-By", self.server.app_name)
        self.send_header("Connection", "close")
        self.end_headers()
        if not head:
            self.wfile.write(data)

    # --- logging -----------------------------------------------------------

    def log_request(self, code="-", size="-"):
        # called by send_response / send_error: one line per request
        ms = (time.monotonic() - getattr(self, "t0", time.monotonic())) * 1000.0
        status = getattr(code, "value", code)
        log("%s %s %s %.1fms" % (self.command, self.path, status, ms))

    def log_message(self, fmt, *args):
        log("%s: %s" % (self.address_string(), fmt % args), sys.stderr)


class DemoServer(ThreadingHTTPServer):
    daemon_threads = False  # handler threads are not daemons...
    block_on_close = False  # ...but we join them ourselves, bounded by --drain-timeout
    request_queue_size = 128

    def __init__(self, addr, name):
        self.app_name = name
        self.inflight = 0
        self.cond = threading.Condition()
        super().__init__(addr, Handler)

    def process_request(self, request, client_address):
        with self.cond:
            self.inflight += 1
        threading.Thread(target=self._handle_one, args=(request, client_address),
                         daemon=False).start()

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

    def take_queued(self):
        """Hand the connections the kernel already accepted to handler threads."""
        self.socket.setblocking(False)
        taken = 0
        while True:
            try:
                request, addr = self.socket.accept()
            except OSError:  # BlockingIOError: the queue is empty
                return taken
            request.setblocking(True)
            self.process_request(request, addr)
            taken += 1

    def wait_drained(self, timeout):
        """Wait until no request is in flight or timeout passed; return how many are left."""
        deadline = time.monotonic() + timeout
        with self.cond:
            while self.inflight > 0:
                left = deadline - time.monotonic()
                if left <= 0:
                    break
                self.cond.wait(left)
            return self.inflight


def parse_args(argv):
    p = argparse.ArgumentParser(
        prog="demo_app.py",
        description="Small demo HTTP app for healthgate (endpoints: /, /health, /slow?ms=N).",
        epilog="example: demo_app.py --name web1 --port 8001 --boot-delay 2 --pidfile /tmp/web1.pid")
    p.add_argument("--name", required=True, type=app_name, help="app name, sent in bodies and X-Served-By")
    p.add_argument("--port", required=True, type=port_number, help="TCP port to listen on")
    p.add_argument("--host", default="127.0.0.1", help="address to bind (default 127.0.0.1)")
    p.add_argument("--boot-delay", type=seconds, default=0.0, metavar="SECONDS",
                   help="sleep this long before binding the port (default 0)")
    p.add_argument("--pidfile", metavar="PATH", help="write the pid here at start, remove it at exit")
    p.add_argument("--drain-timeout", type=seconds, default=30.0, metavar="SECONDS",
                   help="on SIGTERM/SIGINT wait at most this long for requests in flight (default 30)")
    return p.parse_args(argv)


def remove_pidfile(path):
    if not path:
        return
    try:
        with open(path) as f:
            mine = f.read().strip() == str(os.getpid())
        if mine:
            os.unlink(path)
    except OSError:
        pass


def main(argv):
    args = parse_args(argv)
    pid = os.getpid()
    stop = threading.Event()

    got = []

    def on_signal(signum, _frame):
        got.append(signal.Signals(signum).name)  # logged by main(): no lock in a handler
        stop.set()

    signal.signal(signal.SIGTERM, on_signal)
    signal.signal(signal.SIGINT, on_signal)

    if args.pidfile:
        with open(args.pidfile, "w") as f:
            f.write("%d\n" % pid)

    if args.boot_delay > 0:
        log("%s booting for %.2f s (pid %d)" % (args.name, args.boot_delay, pid))
        if stop.wait(args.boot_delay):
            log("%s: got %s while booting; exiting" % (args.name, got[0]))
            remove_pidfile(args.pidfile)
            return 0

    DemoServer.address_family = socket.AF_INET6 if ":" in args.host else socket.AF_INET
    try:
        server = DemoServer((args.host, args.port), args.name)
    except OSError as e:
        log("%s: cannot listen on %s:%d: %s" % (args.name, args.host, args.port, e), sys.stderr)
        remove_pidfile(args.pidfile)
        return 1
    log("%s listening on %s:%d (pid %d)" % (args.name, args.host, args.port, pid))

    serving = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05},
                               name="accept")
    serving.start()
    while not stop.wait(0.5):
        pass
    log("%s: got %s, stopping" % (args.name, got[0]))

    server.shutdown()           # the accept loop ends (within one poll_interval)
    queued = server.take_queued()
    server.socket.close()       # no new connection from here on
    with server.cond:
        inflight = server.inflight
    log("%s: listening socket closed; %d request(s) in flight (%d taken from the accept queue)"
        % (args.name, inflight, queued))
    left = server.wait_drained(args.drain_timeout)
    remove_pidfile(args.pidfile)
    if left:
        log("%s: drain timeout (%.1f s) hit: %d of %d request(s) cut"
            % (args.name, args.drain_timeout, left, inflight))
        sys.stdout.flush()
        os._exit(0)  # do not wait for the handler threads still running
    log("%s: drained: all %d request(s) finished, none cut; exiting" % (args.name, inflight))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
