#!/usr/bin/env python3
"""plain_app.py: a plain HTTP app for healthgate's `supervise` strategy (healthgate starts it itself).

It boots (--boot-delay), binds its port, serves, and on SIGTERM or SIGINT stops accepting, finishes
the requests in flight (bounded by --drain-timeout) and exits 0. It never hands its port over: a
restart closes it, so healthgate closes both gates first.

Endpoints and faults: see appkit.py (GET /, /health, /slow?ms=N; --fault-file crash-on-boot | never-ready).

example: plain_app.py --name web1 --port 8001 --boot-delay 1
"""

import argparse
import os
import signal
import sys

import appkit


def main(argv):
    p = argparse.ArgumentParser(prog="plain_app.py", description=__doc__.split("\n\n")[0],
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    appkit.common_args(p)
    p.add_argument("--pidfile", metavar="PATH", help="write the pid here once serving; removed at exit")
    args = p.parse_args(argv)
    name = args.name
    signals = appkit.Signals(signal.SIGTERM, signal.SIGINT)
    fault = appkit.read_fault(args.fault_file)

    appkit.log(name, "booting for %.2f s%s" % (args.boot_delay, " (fault: %s)" % fault if fault else ""))
    got = appkit.sleep_interruptibly(signals, args.boot_delay, (signal.SIGTERM, signal.SIGINT))
    if got is not None:
        appkit.log(name, "got %s while booting; exiting" % signal.Signals(got).name)
        return 0
    if fault == "crash-on-boot":
        appkit.log(name, "fault crash-on-boot: exiting with code 1 before serving")
        return 1
    try:
        sock = appkit.listen(args.host, args.port)
    except OSError as e:
        appkit.log(name, "cannot listen on %s:%d: %s" % (args.host, args.port, e))
        return 1
    server = appkit.Server(name, sock, ready=fault != "never-ready", access_log=args.access_log)
    server.start()
    if args.pidfile:
        appkit.write_pidfile(args.pidfile)
    appkit.log(name, "listening on %s:%d%s" % (args.host, args.port,
                                                "" if server.ready else " (fault never-ready: /health answers 503)"))

    while True:
        got = signals.take(1.0)
        if got in (signal.SIGTERM, signal.SIGINT):
            break
    appkit.log(name, "got %s: stopping" % signal.Signals(got).name)
    taken = server.stop_accepting(shared=False)
    with server.cond:
        inflight = server.inflight
    left = server.wait_drained(args.drain_timeout)
    appkit.remove_pidfile_if_mine(args.pidfile)
    if left:
        appkit.log(name, "drain timeout: %d of %d request(s) cut" % (left, inflight))
        sys.stdout.flush()
        os._exit(0)
    appkit.log(name, "drained %d request(s) (%d taken from the accept queue); exiting" % (inflight, taken))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
