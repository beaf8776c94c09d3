"""scripts/lib/bench_table.py OUT FALL_X_INTER_MS RATE RETRIES: scripts/bench's tables, in Markdown, from its raw
data under OUT (start-on.txt, start-off.txt; per variant load.json, cycles.txt, haproxy.log, rss.txt, how.txt;
servers.txt and servers-skipped.txt for the real servers)."""
import json, os, re, statistics as st, subprocess, sys
out, fall_inter, rate, retries = sys.argv[1], int(sys.argv[2]), sys.argv[3], sys.argv[4]
# HAProxy's httplog: "... app/web1 0/0/0/1/1 200 123 - - ---- 1/1/0/0/+1 0/0 ..." (retries, + if redispatched)
REQUEST = re.compile(r" \S+/\S+ -?\d+/-?\d+/-?\d+/-?\d+/\+?-?\d+ -?\d+ \S+ \S+ \S+ \S{4} \d+/\d+/\d+/\d+/(\+?)(\d+) ")
def haproxy_counts(log):
    retried = redispatched = 0
    for line in open(log, errors="replace"):
        m = REQUEST.search(line)
        if m:
            retried += int(m.group(2)) > 0
            redispatched += m.group(1) == "+"
    return retried, redispatched
def variant(name):
    """The figures of one variant; cycles.txt: cycle_ms app_ms drain_ms start_epoch_ms end_epoch_ms a restart."""
    d = os.path.join(out, name)
    load = json.load(open(os.path.join(d, "load.json")))
    cycles = [tuple(map(int, l.split())) for l in open(os.path.join(d, "cycles.txt"))]
    retried, redispatched = haproxy_counts(os.path.join(d, "haproxy.log"))
    lat = load["latency_ms"]
    return {
        "row": "| %s | %d | %d (%.0f) | %d | %d / %d | %d of %d | %s / %s / %s |" % (
            name, len(cycles), load["requests"], load["requests"] / load["seconds"], load["failed"], retried, redispatched,
            sum(1 for h in load["sticky_history"] if len({i for i, _ in h}) > 1), load["sticky_clients"],
            lat["p50"], lat["p99"], lat["max"]),
        "cycle": st.mean(c[0] for c in cycles), "app": st.mean(c[1] for c in cycles),
        "drains": [c[2] for c in cycles if c[2] > 0]}
def starts(mode):
    rows = [tuple(map(int, l.split())) for l in open(os.path.join(out, "start-%s.txt" % mode))]
    return st.median(r[0] for r in rows), st.median(r[1] for r in rows) / 1024
cds, base = starts("on"), starts("off")
cpu = next((l.split(":", 1)[1].strip() for l in open("/proc/cpuinfo") if l.startswith("model name")), "?")
java = subprocess.run(["java", "-version"], capture_output=True, text=True).stderr.splitlines()[0]
print("Machine: %d cores, %s; %s; %s" % (os.cpu_count(), cpu, java, subprocess.run(["haproxy", "-v"],
      capture_output=True, text=True).stdout.splitlines()[0].split(" - ")[0]))
print()
print("| sidecar start (median) | start-to-ready | RSS idle |")
print("|---|---|---|")
print("| with AppCDS (scripts/healthgate) | %d ms | %.0f MB |" % cds)
print("| without (baseline) | %d ms | %.0f MB |" % base)
print("| ratio | %.2f | %.2f |" % (cds[0] / base[0], cds[1] / base[1]))
after = ["%s %.0f MB" % (g, int(open(os.path.join(out, "healthgate-" + g, "rss.txt")).read()) / 1024)
         for g in ("nat", "port", "http-404", "agent")]
print("| after its restarts under load (2 apps, with AppCDS) | - | %s |" % ", ".join(after))
print()
print("Load: %s requests/s, 24 clients (half sticky, 3 sending 300 ms requests); HAProxy retries %s with option redispatch." % (rate, retries))
print()
print("| variant | restarts | requests (per s) | failed | retried / redispatched | sticky moved | p50 / p99 / max ms | drain (fall x inter = %d ms) | cycle | app restart | overhead | overhead vs seed-003+backup (vs tight) |" % fall_inter)
print("|---|---|---|---|---|---|---|---|---|---|---|---|")
order = ["naive", "seed-003", "seed-003+backup", "seed-003+backup-tight", "healthgate-nat", "healthgate-port", "healthgate-http-404", "healthgate-agent"]
ref = tight = None
for name in order:
    v = variant(name)
    cycle, app = v["cycle"], v["app"]
    overhead = cycle - app
    if name == "seed-003+backup":
        ref = overhead
    if name == "seed-003+backup-tight":
        tight = overhead
    print("%s %s | %.2f s | %.2f s | %.2f s | %s |" % (
        v["row"], ("%d ms" % st.mean(v["drains"])) if v["drains"] else "-", cycle / 1000, app / 1000, overhead / 1000,
        ("%.2f (tight: %.2f)" % (overhead / ref, overhead / tight)) if ref and tight and name.startswith("healthgate")
        else "-"))

servers = [l.strip() for l in open(os.path.join(out, "servers.txt")) if l.strip()]
skipped = [l.strip() for l in open(os.path.join(out, "servers-skipped.txt")) if l.strip()]
if servers or skipped:
    print()
    print("Real servers: scripts/examples' app, two workers per instance; the same load without the 300 ms requests;"
          " SERVER-naive: the server's own graceful restart, HAProxy's health checks only; SERVER-healthgate: healthgate"
          " wrapping the same server (port gate, the strategy of scripts/examples/SERVER*.healthgate.yml).")
    print()
    print("| variant | restarts | requests (per s) | failed | retried / redispatched | sticky moved | p50 / p99 / max ms | cycle | server restart | restarted by |")
    print("|---|---|---|---|---|---|---|---|---|---|")
    for name in servers:
        v = variant(name)
        print("%s %.2f s | %.2f s | %s |" % (v["row"], v["cycle"] / 1000, v["app"] / 1000,
                                          open(os.path.join(out, name, "how.txt")).read().strip()))
    for line in skipped:
        print()
        print(line)
