#!/usr/bin/env python3
"""unicorn_like.py: an app restarted like Unicorn, for healthgate's `signal` strategy.

Signals (as Unicorn's master takes them):
  USR2       re-exec: this master renames its pid file to PIDFILE.oldbin and starts a new master (a
             fresh python process running this script) that inherits the listening socket. Both serve
             from the same socket while the new one boots; the port never closes. If the new master
             exits before it serves, the pid file is renamed back, as Unicorn does.
  QUIT       graceful stop: stop accepting (a new master, if any, goes on accepting from the shared
             socket), finish the requests in flight, exit 0. TERM and INT do the same.
  HUP        logged and ignored.

The new master writes its pid file once it accepts connections (Unicorn writes it earlier, before
loading the app; see healthgate's notes on then-old), so a new pid in the file means a new master
that serves. With healthgate:

  restart: { signal: { pidfile: PIDFILE, signal: USR2, new-pid: true, then-old: QUIT }, keeps-port-open: true }

Endpoints and faults: see appkit.py (--fault-file: crash-on-boot, never-ready, ignore-restart).

example: unicorn_like.py --name web1 --port 8001 --pidfile /tmp/web1.pid --boot-delay 1
"""

import argparse
import os
import signal
import subprocess
import sys
import time

import appkit

STOP = (signal.SIGQUIT, signal.SIGTERM, signal.SIGINT)


def parse_args(argv):
    p = argparse.ArgumentParser(prog="unicorn_like.py", description=__doc__.split("\n\n")[0],
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    appkit.common_args(p)
    p.add_argument("--pidfile", required=True, metavar="PATH", help="the master's pid file")
    p.add_argument("--listen-fd", type=int, help=argparse.SUPPRESS)  # set by the old master on USR2
    return p.parse_args(argv)


def child_args(args, fd):
    """The new master's command line: this one, with the inherited socket's descriptor."""
    out = [sys.executable, os.path.abspath(__file__), "--name", args.name, "--port", str(args.port),
           "--host", args.host, "--boot-delay", str(args.boot_delay), "--pidfile", args.pidfile,
           "--drain-timeout", str(args.drain_timeout), "--listen-fd", str(fd)]
    if args.fault_file:
        out += ["--fault-file", args.fault_file]
    if args.access_log:
        out += ["--access-log"]
    return out


def main(argv):
    args = parse_args(argv)
    name = args.name
    signals = appkit.Signals(signal.SIGUSR2, signal.SIGQUIT, signal.SIGTERM, signal.SIGINT, signal.SIGHUP)
    oldbin = args.pidfile + ".oldbin"

    if args.listen_fd is not None:
        sock = appkit.inherit(args.listen_fd)
        appkit.log(name, "new master: inherited the listening socket (fd %d)" % args.listen_fd)
    else:
        try:
            sock = appkit.listen(args.host, args.port)
        except OSError as e:
            appkit.log(name, "cannot listen on %s:%d: %s" % (args.host, args.port, e))
            return 1

    fault = appkit.read_fault(args.fault_file)
    appkit.log(name, "master booting for %.2f s%s" % (args.boot_delay, " (fault: %s)" % fault if fault else ""))
    got = appkit.sleep_interruptibly(signals, args.boot_delay, STOP)
    if got is not None:
        appkit.log(name, "got %s while booting; exiting" % signal.Signals(got).name)
        return 0
    if fault == "crash-on-boot":
        appkit.log(name, "fault crash-on-boot: exiting with code 1 before serving")
        return 1

    server = appkit.Server(name, sock, ready=fault != "never-ready", access_log=args.access_log)
    server.start()
    appkit.write_pidfile(args.pidfile)
    appkit.log(name, "master serving on %s:%d, pid file %s" % (args.host, args.port, args.pidfile))

    successor = None
    while True:
        got = signals.take(0.1)
        if successor is not None and successor.poll() is not None:
            appkit.log(name, "new master (pid %d) exited with code %d before taking over; still serving"
                       % (successor.pid, successor.returncode))
            if appkit.pidfile_holds(oldbin, os.getpid()):
                os.replace(oldbin, args.pidfile)
            successor = None
        if got is None:
            continue
        if got == signal.SIGHUP:
            appkit.log(name, "got HUP: ignored")
        elif got == signal.SIGUSR2:
            if appkit.read_fault(args.fault_file) == "ignore-restart":
                appkit.log(name, "got USR2: ignored (fault ignore-restart)")
            elif successor is not None:
                appkit.log(name, "got USR2: a new master (pid %d) is already booting" % successor.pid)
            else:
                if appkit.pidfile_holds(args.pidfile, os.getpid()):
                    os.replace(args.pidfile, oldbin)
                successor = subprocess.Popen(child_args(args, sock.fileno()), pass_fds=(sock.fileno(),),
                                             stdin=subprocess.DEVNULL)
                appkit.log(name, "got USR2: started new master pid %d; pid file moved to %s"
                           % (successor.pid, oldbin))
        elif got in STOP:
            break

    shared = successor is not None and successor.poll() is None
    appkit.log(name, "got %s: stopping%s" % (signal.Signals(got).name,
                                             " (the new master keeps the socket)" if shared else ""))
    t0 = time.monotonic()
    server.stop_accepting(shared=shared)
    with server.cond:
        inflight = server.inflight
    left = server.wait_drained(args.drain_timeout)
    appkit.remove_pidfile_if_mine(oldbin)
    appkit.remove_pidfile_if_mine(args.pidfile)
    if left:
        appkit.log(name, "drain timeout: %d of %d request(s) cut" % (left, inflight))
        sys.stdout.flush()
        os._exit(0)
    appkit.log(name, "drained %d request(s) in %.2f s; exiting" % (inflight, time.monotonic() - t0))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
