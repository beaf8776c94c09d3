#!/usr/bin/env python3
"""healthbench.py: how fast healthgate answers HAProxy's checks, idle, with the CPU saturated, and under
a flood of foreign connections. Run through scripts/bench-health (see its --help).

Everything is on loopback. It starts a real healthgate daemon (scripts/healthgate, the built jar) with
two apps: web1 behind a `port` gate (HTTP checks on its main and backup status ports) and web2 behind an
`agent` gate, both `status-listen: 127.0.0.1` and `haproxy.sources: [127.0.0.1]`. The apps are two
small HTTP servers in one Python process. Then, phase by phase, HAProxy-like checkers (from 127.0.0.1,
each check a new connection, HTTP checks with an X-Haproxy-Server-State header naming the line) measure
the time from connect to the answer's end (an answer later than HAProxy's `timeout check 1s` counts as
failed); the app's own /health, checked directly the same way, is measured alongside for comparison:

  idle   nothing else runs
  cpu    busy loops, one per CPU, children of the app process, saturate the machine
  flood  a separate process opens connections from 127.0.0.2 (not in haproxy.sources) to the three
         ports as fast as it can and holds idle ones open
  both   cpu and flood at once

Every loop is bounded in time (each phase --seconds) and the flood in connections (--flood-max).
The checkers run at nice -10 when allowed (root), standing for a HAProxy on another host: what is
measured is healthgate's answer, not the checker's own wait for a CPU. The daemon runs at the default
priority, as a sidecar would.
"""

import argparse
import asyncio
import collections
import http.server
import json
import os
import signal
import socket
import socketserver
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request

LOOPBACK = "127.0.0.1"
# The rendered template's `timeout check 1s`: an answer later than this is a failed check for HAProxy.
CHECK_TIMEOUT_S = 1.0
FOREIGN = "127.0.0.2"


def free_port():
    with socket.socket() as s:
        s.bind((LOOPBACK, 0))
        return s.getsockname()[1]


# ---- the app: two HTTP servers answering /health, and on request busy loops as its children ----------

class Health(http.server.BaseHTTPRequestHandler):
    def do_GET(self):
        body = b"ok\n"
        self.send_response(200)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


class Server(socketserver.ThreadingMixIn, http.server.HTTPServer):
    daemon_threads = True
    allow_reuse_address = True


def run_app(ports, until):
    for port in ports:
        srv = Server((LOOPBACK, port), Health)
        threading.Thread(target=srv.serve_forever, daemon=True).start()
    burners = []

    def burn(_sig, _frm):  # SIGUSR1: one busy loop per CPU for the given seconds (bounded)
        seconds = float(open(os.environ["HB_BURN_FILE"]).read())
        for _ in range(os.cpu_count() or 2):
            burners.append(subprocess.Popen([sys.executable, "-c",
                "import time\nend=time.monotonic()+%f\nwhile time.monotonic()<end: pass" % seconds]))

    signal.signal(signal.SIGUSR1, burn)
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    try:
        while time.monotonic() < until:
            time.sleep(0.2)
    finally:
        for b in burners:
            b.kill()


# ---- checkers -----------------------------------------------------------------------------------

def http_request(state):
    return ("GET /health HTTP/1.1\r\nHost: healthgate\r\nX-Haproxy-Server-State: %s\r\n"
            "Connection: close\r\n\r\n" % state).encode()


async def one_check(port, payload, source, timeout):
    """Connect, send payload (nothing for an agent check), read until closed. Returns (ms, answer).
    A timeout raises CheckTimeout saying whether the connection or the answer was late."""
    t0 = time.perf_counter()
    try:
        reader, writer = await asyncio.wait_for(
            asyncio.open_connection(LOOPBACK, port, local_addr=(source, 0)), timeout)
    except asyncio.TimeoutError:
        raise CheckTimeout("connect")
    try:
        if payload:
            writer.write(payload)
            await writer.drain()
        data = await asyncio.wait_for(reader.read(-1), max(0.001, timeout - (time.perf_counter() - t0)))
    except asyncio.TimeoutError:
        raise CheckTimeout("answer")
    finally:
        writer.close()
    return (time.perf_counter() - t0) * 1000.0, data


class CheckTimeout(Exception):
    pass


async def checker(kind, port, payload, period, end, results):
    while time.monotonic() < end:
        started = time.monotonic()
        try:
            ms, data = await one_check(port, payload, LOOPBACK, CHECK_TIMEOUT_S)
            ok = data.startswith(b"HTTP/1.") and b" 200 " in data[:16] if payload else data.startswith(b"up")
            results.append((kind, ms, "ok" if ok else "bad answer"))
        except CheckTimeout as late:
            results.append((kind, CHECK_TIMEOUT_S * 1000.0, str(late)))
        except OSError:
            results.append((kind, CHECK_TIMEOUT_S * 1000.0, "refused"))
        await asyncio.sleep(max(0.0, period - (time.monotonic() - started)))


def run_checkers(targets, rate, seconds):
    """targets: [(kind, port, payload)]; rate: checks/s in all, shared out over 3 loops per target."""
    loops = 3
    period = loops * len(targets) / rate
    results = []
    end = time.monotonic() + seconds

    async def main():
        await asyncio.gather(*[checker(kind, port, payload, period, end, results)
                               for kind, port, payload in targets for _ in range(loops)])
    asyncio.run(main())
    return results


# ---- the flood (its own process, so it does not slow the checkers' loop) ----------------------------

async def flood(ports, seconds, max_connections, idle_held):
    end = time.monotonic() + seconds
    made = [0]
    payload = http_request("UP; name=app/web1; node=evil; scur=0/0; qcur=0")

    async def hammer(i):
        while time.monotonic() < end and made[0] < max_connections:
            made[0] += 1
            try:
                await one_check(ports[i % len(ports)], payload, FOREIGN, 1.0)
            except (OSError, asyncio.TimeoutError, CheckTimeout):
                pass

    async def hold():  # idle connections that never send a byte, re-opened when closed
        while time.monotonic() < end and made[0] < max_connections:
            made[0] += 1
            try:
                r, w = await asyncio.open_connection(LOOPBACK, ports[made[0] % len(ports)], local_addr=(FOREIGN, 0))
                await asyncio.wait_for(r.read(-1), max(0.01, end - time.monotonic()))
                w.close()
            except (OSError, asyncio.TimeoutError):
                pass

    await asyncio.gather(*[hammer(i) for i in range(48)], *[hold() for _ in range(idle_held)])
    print(json.dumps({"connections": made[0]}), flush=True)


# ---- orchestration --------------------------------------------------------------------------------

def pct(values, p):
    values = sorted(values)
    if not values:
        return float("nan")
    k = min(len(values) - 1, max(0, int(round(p / 100.0 * len(values) + 0.5)) - 1))
    return values[k]


def wait_until(what, test, seconds):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            if test():
                return
        except OSError:
            pass
        time.sleep(0.1)
    raise SystemExit("bench-health: %s not within %d s" % (what, seconds))


def answers_200(port):
    with socket.create_connection((LOOPBACK, port), timeout=2) as s:
        s.sendall(http_request("UP; name=app/web1; node=lb1; scur=0/0; qcur=0"))
        return s.recv(64).startswith(b"HTTP/1.1 200")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--repo", required=True)
    ap.add_argument("--seconds", type=int, default=15)
    ap.add_argument("--rate", type=int, default=300)
    ap.add_argument("--flood-max", type=int, default=200000)
    ap.add_argument("--out", default=None)
    sub = ap.add_subparsers(dest="role")
    app_p = sub.add_parser("app")
    app_p.add_argument("--ports", required=True)
    app_p.add_argument("--until", type=float, required=True)
    fl = sub.add_parser("flood")
    fl.add_argument("--ports", required=True)
    args = ap.parse_args()
    if args.role == "app":
        return run_app([int(p) for p in args.ports.split(",")], time.monotonic() + args.until)
    if args.role == "flood":
        return asyncio.run(flood([int(p) for p in args.ports.split(",")], args.seconds, args.flood_max, 200))
    if not 1 <= args.seconds <= 120 or not 10 <= args.rate <= 2000 or not 1 <= args.flood_max <= 10**6:
        raise SystemExit("bench-health: --seconds 1-120, --rate 10-2000, --flood-max 1-1000000")

    try:
        os.nice(-10)
        niced, back = "nice -10", "10"
    except PermissionError:
        niced, back = "nice 0 (not root: the checkers compete for the CPU too)", "0"
    work = tempfile.mkdtemp(prefix="bench-health-")
    web1, web2, s1, s1b, s2, ctl = (free_port() for _ in range(6))
    config = os.path.join(work, "healthgate.yml")
    with open(config, "w") as f:
        f.write(f"""control: {{ listen: "127.0.0.1:{ctl}" }}
haproxy: {{ sources: [127.0.0.1] }}
apps:
  - {{ name: web1, port: {web1}, status-port: {s1}, backup-status-port: {s1b}, gate: port,
      status-listen: 127.0.0.1, ready: {{ http: /health }}, restart: {{ exec: ["true"] }} }}
  - {{ name: web2, port: {web2}, status-port: {s2}, gate: agent,
      status-listen: 127.0.0.1, ready: {{ tcp: true }}, restart: {{ exec: ["true"] }} }}
""")
    phases = ["idle", "cpu", "flood", "both"]
    total = args.seconds * len(phases) + 120
    procs = []
    burn_file = os.path.join(work, "burn")
    with open(burn_file, "w") as f:
        f.write(str(args.seconds + 1))
    env = dict(os.environ, HB_BURN_FILE=burn_file)
    # The app, the daemon and the flood at the default priority (the app's busy loops saturate the CPUs).
    app = subprocess.Popen(["nice", "-n", back, sys.executable, __file__, "--repo", args.repo, "app",
                            "--ports", f"{web1},{web2}", "--until", str(total)], env=env)
    procs.append(app)
    log_path = os.path.join(work, "healthgate.log")
    # Vert.x warns of any event-loop task longer than 200 ms (default 2 s): a blocking call would show.
    daemon_env = dict(os.environ, HEALTHGATE_JAVA_OPTS=(os.environ.get("HEALTHGATE_JAVA_OPTS", "")
                                                        + " -Dhealthgate.blocked-warn-ms=200").strip())
    with open(log_path, "w") as log:
        daemon = subprocess.Popen(["nice", "-n", back, os.path.join(args.repo, "scripts", "healthgate"), "run",
                                   "--config", config], stdout=log, stderr=subprocess.STDOUT, env=daemon_env)
    procs.append(daemon)
    rows = []
    try:
        wait_until("the control API", lambda: urllib.request.urlopen(
            f"http://127.0.0.1:{ctl}/v1/apps", timeout=2).status == 200, 60)
        wait_until("web1's status port answering 200 (restored)", lambda: answers_200(s1), 60)
        targets = [("status", s1, http_request("UP; name=app/web1; node=lb1; scur=0/0; qcur=0")),
                   ("status", s1b, http_request("UP; name=app/web1-bkp; node=lb1; scur=0/0; qcur=0")),
                   ("agent", s2, b""),
                   # the app's own health page, checked directly: what healthgate's answer is compared to
                   ("app", web1, http_request("UP; name=app/web1; node=lb1; scur=0/0; qcur=0"))]
        run_checkers(targets, args.rate, 2)  # warm-up, not counted
        flood_made = {}
        for phase in phases:
            flooder = None
            if phase in ("cpu", "both"):
                app.send_signal(signal.SIGUSR1)
                time.sleep(0.5)  # let the busy loops start
            if phase in ("flood", "both"):
                flooder = subprocess.Popen(["nice", "-n", back, sys.executable, __file__, "--repo", args.repo, "--seconds",
                                            str(args.seconds + 1), "--flood-max", str(args.flood_max), "flood",
                                            "--ports", f"{s1},{s1b},{s2}"], stdout=subprocess.PIPE, text=True)
                procs.append(flooder)
                time.sleep(0.5)
            results = run_checkers(targets, args.rate, args.seconds)
            if flooder:
                out, _ = flooder.communicate(timeout=30)
                flood_made[phase] = json.loads(out.strip().splitlines()[-1])["connections"]
            if phase in ("cpu", "both"):
                time.sleep(1.0)  # the busy loops end on their own (bounded); let them
            for kind in ("status", "agent", "app"):
                ms = [r[1] for r in results if r[0] == kind]
                why = collections.Counter(r[2] for r in results if r[0] == kind and r[2] != "ok")
                failed = ", ".join(f"{n} {w}" for w, n in sorted(why.items())) or "0"
                rows.append((phase, kind, len(ms), failed, pct(ms, 50), pct(ms, 99), max(ms) if ms else float("nan")))
    finally:
        for p in reversed(procs):
            if p.poll() is None:
                p.terminate()
        for p in procs:
            try:
                p.wait(timeout=15)
            except subprocess.TimeoutExpired:
                p.kill()
    with open(log_path) as f:
        log = f.read()
    blocked = log.count("has been blocked for")
    refused = log.count("not in haproxy.sources")
    base = {kind: (p50, p99) for phase, kind, _, _, p50, p99, _ in rows if phase == "idle"}
    lines = [f"healthgate answer latency ({os.cpu_count()} CPUs, {args.rate} checks/s for {args.seconds} s "
             f"per phase, checkers at {niced}; flood connections: "
             + ", ".join(f"{k} {v}" for k, v in flood_made.items()) + ")", "",
             "| phase | port | checks | failed (late connect / late answer) | p50 ms | p99 ms | max ms | p50 / idle | p99 / idle |",
             "|---|---|---|---|---|---|---|---|---|"]
    for phase, kind, n, failed, p50, p99, mx in rows:
        b50, b99 = base[kind]
        lines.append(f"| {phase} | {kind} | {n} | {failed} | {p50:.2f} | {p99:.2f} | {mx:.2f} | "
                     f"{p50 / b50:.1f}x | {p99 / b99:.1f}x |")
    lines += ["", f"daemon log: {blocked} blocked-thread warnings, {refused} foreign-source warnings "
              f"(rate-limited), {log_path}"]
    text = "\n".join(lines)
    print(text)
    if args.out:
        with open(args.out, "w") as f:
            f.write(text + "\n")


if __name__ == "__main__":
    main()
