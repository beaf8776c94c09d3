#!/usr/bin/env python3
"""loadgen.py: a small, bounded HTTP load generator for healthgate's demo.

CLIENTS threads share a total rate of RATE requests per second, for at most DURATION seconds and
MAX_REQUESTS requests, or until SIGTERM/SIGINT. Every request is a GET on its own connection
(Connection: close); with --slow, a share of the clients sends GET /slow?ms=N instead, one after the
other (the other clients share the rest of the rate). A share of the clients (--sticky) keeps
HAProxy's SRV cookie, like a browser with a session; the others never send one. A request fails when it gets no answer (refused,
reset, timeout) or an answer other than 200.

Once a second it prints one line: t=12s  rps=150  ok=1790  failed=0  web1:75 web2:75
(requests in that second, totals so far, and which instance served that second's requests, from
the X-Served-By header). At the end it prints one JSON line (or writes it to --summary FILE).

Sticky clients: each one's history of serving instances is recorded. With --phases FILE (the output
of `healthgate roll`, each line prefixed by its epoch time) it also checks, for each restarted app,
that every sticky client that was on it kept being served by it from the start of its `drain` to
the end of its `sticky-grace` (after that healthgate closes the backup line and moves them, as
designed).

Only loopback URLs are accepted: this is a demo tool, not a benchmark against other hosts.
"""

import argparse
import collections
import http.client
import itertools
import json
import signal
import sys
import threading
import time
from urllib.parse import urlsplit


class Stats:
    """Counters shared by the client threads."""

    def __init__(self):
        self.lock = threading.Lock()
        self.ok = 0
        self.failed = 0
        self.failures = collections.Counter()  # reason -> count
        self.served = collections.Counter()  # instance -> count (whole run)
        self.second = collections.Counter()  # instance -> count (since the last progress line)
        self.latencies = []  # ms, every request
        self.events = []  # (epoch seconds at the end of the request, failed), every request

    def record(self, instance, error, ms):
        with self.lock:
            self.latencies.append(ms)
            self.events.append((time.time(), bool(error)))
            if error:
                self.failed += 1
                self.failures[error] += 1
            else:
                self.ok += 1
                self.served[instance] += 1
                self.second[instance] += 1


class Client(threading.Thread):
    """One virtual user: requests at its share of the rate, keeping the SRV cookie if sticky."""

    def __init__(self, index, args, stats, stop, budget):
        super().__init__(name="client-%d" % index, daemon=True)
        self.index, self.args, self.stats, self.stop, self.budget = index, args, stats, stop, budget
        self.sticky = index < round(args.clients * args.sticky)
        # the slow clients are the last ones, so both sticky and new clients have some when --sticky is 0.5
        slow = round(args.clients * args.slow)
        self.slow = index >= args.clients - slow
        self.path = "/slow?ms=%d" % args.slow_ms if self.slow else url_path(args.url)
        # a slow client sends one request after the other; the others share what is left of the rate
        fast_rate = max(1.0, args.rate - slow * 1000.0 / args.slow_ms)
        self.interval = 0.0 if self.slow else (args.clients - slow) / fast_rate
        self.cookie = None
        self.served = []  # sticky clients: (time, instance) of every answered request

    def run(self):
        interval = self.interval
        due = time.monotonic() + interval * self.index / self.args.clients
        while not self.stop.wait(max(0.0, due - time.monotonic())):
            if not self.budget.acquire(blocking=False):
                self.stop.set()  # --max-requests reached
                return
            self.one_request()
            due = max(due + interval, time.monotonic())  # fall behind rather than burst

    def one_request(self):
        url = self.args.url
        headers = {"Connection": "close"}
        if self.sticky and self.cookie:
            headers["Cookie"] = self.cookie
        t0 = time.monotonic()
        instance, error = None, None
        conn = http.client.HTTPConnection(url.hostname, url.port or 80, timeout=self.args.timeout)
        try:
            conn.request("GET", self.path, headers=headers)
            resp = conn.getresponse()
            resp.read()
            instance = resp.getheader("X-Served-By")
            if resp.status != 200:
                error = "HTTP %d%s" % (resp.status, " from " + instance if instance else "")
            elif self.sticky:
                cookie = resp.getheader("Set-Cookie")
                if cookie and cookie.startswith("SRV="):
                    self.cookie = cookie.split(";")[0]
        except (OSError, http.client.HTTPException) as e:
            error = type(e).__name__
        finally:
            conn.close()
        self.stats.record(instance, error, (time.monotonic() - t0) * 1000.0)
        if self.sticky and not error:
            self.served.append((time.time(), instance))


def url_path(url):
    return (url.path or "/") + ("?" + url.query if url.query else "")


def write_series(path, events, started_epoch, step):
    """Requests answered and failed per STEP seconds since the load started, as CSV."""
    buckets = collections.defaultdict(lambda: [0, 0])
    for t, failed in events:
        buckets[int(max(0.0, t - started_epoch) / step)][1 if failed else 0] += 1
    with open(path, "w") as f:
        f.write("# started_epoch_ms=%d step_ms=%d\n" % (started_epoch * 1000, step * 1000))
        f.write("t_s,ok,failed\n")
        for i in range(max(buckets) + 1 if buckets else 0):
            ok, failed = buckets[i]
            f.write("%.2f,%d,%d\n" % (i * step, ok, failed))


def read_phases(path):
    """{app: (drain_start, grace_end)} from timestamped `healthgate roll` lines.

    A phase line is `EPOCH APP PHASE SECONDS s [NOTE]`, printed when the phase completes."""
    done = collections.defaultdict(dict)
    with open(path) as f:
        for line in f:
            w = line.split()
            if len(w) >= 5 and w[4] == "s":
                try:
                    done[w[1]][w[2]] = (float(w[0]), float(w[3]))
                except ValueError:
                    pass
    windows = {}
    for app, phases in done.items():
        if "drain" in phases and "sticky-grace" in phases:
            drain_end, drain_s = phases["drain"]
            windows[app] = (drain_end - drain_s, phases["sticky-grace"][0])
    return windows


def check_sticky(clients, windows):
    """Per app: the sticky clients on it when its drain began, and whether each stayed on it."""
    report = {}
    for app, (start, end) in sorted(windows.items()):
        on_app = kept = served = 0
        for c in clients:
            before = [inst for t, inst in c.served if t <= start]
            if not before or before[-1] != app:
                continue  # this client was not on the app when its drain began
            on_app += 1
            during = [inst for t, inst in c.served if start < t <= end]
            kept += all(inst == app for inst in during)
            served += during.count(app)
        report[app] = {"clients": on_app, "kept": kept, "requests_served_while_draining": served}
    return report


def percentile(sorted_values, p):
    if not sorted_values:
        return 0.0
    return sorted_values[min(len(sorted_values) - 1, int(p / 100.0 * len(sorted_values)))]


def positive(kind):
    def parse(text):
        value = kind(text)
        if value <= 0:
            raise argparse.ArgumentTypeError("must be > 0: %s" % text)
        return value
    return parse


def parse_args(argv):
    p = argparse.ArgumentParser(prog="loadgen.py", description=__doc__,
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--url", default="http://127.0.0.1:18080/", help="loopback URL (default %(default)s)")
    p.add_argument("--rate", type=positive(float), default=150.0, help="requests per second, at most 500")
    p.add_argument("--clients", type=positive(int), default=12, help="virtual users, at most 64")
    p.add_argument("--sticky", type=float, default=0.5, help="share of clients keeping the cookie")
    p.add_argument("--duration", type=positive(float), default=30.0, help="seconds, at most 600")
    p.add_argument("--max-requests", type=positive(int), default=100000, help="stop after this many")
    p.add_argument("--timeout", type=positive(float), default=5.0, help="per request, seconds")
    p.add_argument("--slow", type=float, default=0.0, metavar="SHARE",
                   help="share of clients sending GET /slow?ms=SLOW_MS instead (default 0)")
    p.add_argument("--slow-ms", type=positive(int), default=300, help="how long a slow request takes (default 300)")
    p.add_argument("--series", metavar="FILE",
                   help="write requests ok and failed per quarter second as CSV (for scripts/bench's plot)")
    p.add_argument("--phases", metavar="FILE", help="timestamped `healthgate roll` output (see above)")
    p.add_argument("--summary", metavar="FILE", help="write the JSON summary here instead of stdout")
    args = p.parse_args(argv)
    args.url = urlsplit(args.url)
    if args.url.scheme != "http" or args.url.hostname not in ("127.0.0.1", "localhost", "::1"):
        p.error("--url must be http:// on loopback (127.0.0.1, localhost, ::1)")
    if args.rate > 500 or args.clients > 64 or args.duration > 600 or not 0 <= args.sticky <= 1:
        p.error("bounds: --rate <= 500, --clients <= 64, --duration <= 600, 0 <= --sticky <= 1")
    if not 0 <= args.slow <= 0.5 or args.slow_ms > 10000:
        p.error("bounds: 0 <= --slow <= 0.5, --slow-ms <= 10000")
    return args


def main(argv):
    args = parse_args(argv)
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    signal.signal(signal.SIGINT, lambda *_: stop.set())

    stats = Stats()
    budget = threading.Semaphore(args.max_requests)
    clients = [Client(i, args, stats, stop, budget) for i in range(args.clients)]
    started = time.monotonic()
    started_epoch = time.time()
    for c in clients:
        c.start()

    second, last_total = 0, 0
    while not stop.wait(max(0.0, started + second + 1 - time.monotonic())):
        second += 1
        with stats.lock:
            total, ok, failed = stats.ok + stats.failed, stats.ok, stats.failed
            per = "".join("  %s:%d" % kv for kv in sorted(stats.second.items()))
            stats.second.clear()
        print("t=%ds  rps=%d  ok=%d  failed=%d%s" % (second, total - last_total, ok, failed, per),
              flush=True)
        last_total = total
        if second >= args.duration:
            stop.set()
    for c in clients:
        c.join(args.timeout + 1)

    if args.series:
        write_series(args.series, stats.events, started_epoch, 0.25)
    lat = sorted(stats.latencies)
    sticky = [c for c in clients if c.sticky]
    summary = {
        "requests": stats.ok + stats.failed,
        "ok": stats.ok,
        "failed": stats.failed,
        "failures": dict(stats.failures),
        "seconds": round(time.monotonic() - started, 1),
        "served": dict(sorted(stats.served.items())),
        "latency_ms": {"p50": round(percentile(lat, 50), 1), "p99": round(percentile(lat, 99), 1),
                       "max": round(lat[-1] if lat else 0.0, 1)},
        "sticky_clients": len(sticky),
        # per sticky client: the instances that served it, in order, with request counts
        "sticky_history": [[[inst, len(list(run))] for inst, run in
                            itertools.groupby(inst for _, inst in c.served)] for c in sticky],
    }
    if args.phases:
        summary["sticky_during_drain"] = check_sticky(sticky, read_phases(args.phases))
    line = json.dumps(summary)
    if args.summary:
        with open(args.summary, "w") as f:
            f.write(line + "\n")
    else:
        print(line, flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
