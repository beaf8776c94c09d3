#!/usr/bin/env python3
"""puma_like.py: an app restarted like Puma in cluster mode, for healthgate's `signal` strategy.

The master binds the port, writes its pid file and runs --workers worker processes that serve from
the shared listening socket. Signals (as Puma's master takes them):
  USR1       phased restart: for each worker in turn, a new worker boots; once it serves, the old one
             stops accepting, finishes its requests and exits. The master keeps its pid; the port
             never closes and there is always a worker serving.
  USR2       hot restart: the workers finish their requests and exit, then the master re-executes
             itself (same pid) keeping the listening socket; connections wait in the socket's queue
             until the new workers serve.
  TERM, INT, QUIT   graceful stop: the workers finish their requests, the master exits 0.
A worker that dies is replaced. With healthgate (the pid stays, so new-pid: false):

  restart: { signal: { pidfile: PIDFILE, signal: USR1, new-pid: false }, keeps-port-open: true }

Endpoints and faults: see appkit.py (--fault-file: crash-on-boot and never-ready apply to booting
workers, ignore-restart to the master).

example: puma_like.py --name web1 --port 8001 --pidfile /tmp/web1.pid --workers 2 --boot-delay 1
"""

import argparse
import os
import select
import signal
import subprocess
import sys
import time

import appkit

STOP = (signal.SIGTERM, signal.SIGINT, signal.SIGQUIT)
WORKER_BOOT_TIMEOUT = 60.0


def parse_args(argv):
    p = argparse.ArgumentParser(prog="puma_like.py", description=__doc__.split("\n\n")[0],
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    appkit.common_args(p)
    p.add_argument("--pidfile", required=True, metavar="PATH", help="the master's pid file")
    p.add_argument("--workers", type=int, default=2, choices=range(1, 9), metavar="N",
                   help="worker processes (1-8, default 2)")
    p.add_argument("--listen-fd", type=int, help=argparse.SUPPRESS)  # kept across a hot restart
    p.add_argument("--worker", action="store_true", help=argparse.SUPPRESS)
    p.add_argument("--ready-fd", type=int, help=argparse.SUPPRESS)
    return p.parse_args(argv)


def common(args):
    out = ["--name", args.name, "--port", str(args.port), "--host", args.host,
           "--boot-delay", str(args.boot_delay), "--pidfile", args.pidfile,
           "--drain-timeout", str(args.drain_timeout), "--workers", str(args.workers)]
    if args.fault_file:
        out += ["--fault-file", args.fault_file]
    if args.access_log:
        out += ["--access-log"]
    return out


# --- worker ---------------------------------------------------------------------------------

def worker(args):
    name = args.name
    signals = appkit.Signals(*STOP)
    sock = appkit.inherit(args.listen_fd)
    fault = appkit.read_fault(args.fault_file)
    got = appkit.sleep_interruptibly(signals, args.boot_delay, STOP)
    if got is not None:
        return 0
    if fault == "crash-on-boot":
        appkit.log(name, "worker: fault crash-on-boot: exiting with code 1 before serving")
        return 1
    server = appkit.Server(name, sock, ready=fault != "never-ready", access_log=args.access_log)
    server.start()
    appkit.log(name, "worker serving%s" % ("" if server.ready else " (fault never-ready)"))
    if args.ready_fd is not None:
        try:
            os.write(args.ready_fd, b"1")  # the master may not be listening (a replacement worker)
        except OSError:
            pass
        os.close(args.ready_fd)
    while signals.take(1.0) not in STOP:
        pass
    server.stop_accepting(shared=True)  # the master and the other workers keep the socket
    left = server.wait_drained(args.drain_timeout)
    appkit.log(name, "worker stopped%s" % (" (%d request(s) cut)" % left if left else ""))
    sys.stdout.flush()
    os._exit(0)


# --- master ---------------------------------------------------------------------------------

class Master:
    def __init__(self, args, sock):
        self.args = args
        self.name = args.name
        self.sock = sock
        self.workers = []

    def spawn(self):
        """Starts a worker; returns (process, read end of its ready pipe)."""
        r, w = os.pipe()
        fd = self.sock.fileno()
        proc = subprocess.Popen([sys.executable, os.path.abspath(__file__), "--worker", "--listen-fd", str(fd),
                                 "--ready-fd", str(w)] + common(self.args),
                                pass_fds=(fd, w), stdin=subprocess.DEVNULL)
        os.close(w)
        return proc, r

    def await_ready(self, proc, r):
        """True once the worker said it serves; False if it exited or took too long."""
        deadline = time.monotonic() + WORKER_BOOT_TIMEOUT + self.args.boot_delay
        try:
            while time.monotonic() < deadline:
                ready, _, _ = select.select([r], [], [], 0.1)
                if ready:
                    return os.read(r, 1) == b"1"
                if proc.poll() is not None:
                    return False
            return False
        finally:
            os.close(r)

    def start_workers(self):
        for _ in range(self.args.workers):
            proc, r = self.spawn()
            self.workers.append(proc)
            os.close(r)

    def stop(self, procs):
        for p in procs:
            if p.poll() is None:
                p.send_signal(signal.SIGTERM)
        deadline = time.monotonic() + self.args.drain_timeout + 5
        for p in procs:
            try:
                p.wait(max(0.1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                p.kill()
                p.wait()

    def phased_restart(self):
        for i, old in enumerate(list(self.workers)):
            proc, r = self.spawn()
            if not self.await_ready(proc, r):
                code = proc.poll()
                appkit.log(self.name, "phased restart: new worker pid %d did not serve (%s); keeping the old ones"
                           % (proc.pid, "exit code %d" % code if code is not None else "timeout"))
                self.stop([proc])
                return
            self.workers[i] = proc
            self.stop([old])
            appkit.log(self.name, "phased restart: worker %d replaced (pid %d -> %d)" % (i, old.pid, proc.pid))
        appkit.log(self.name, "phased restart done")

    def replace_dead(self):
        for i, p in enumerate(self.workers):
            if p.poll() is not None:
                appkit.log(self.name, "worker pid %d exited with code %d; starting another" % (p.pid, p.returncode))
                proc, r = self.spawn()
                os.close(r)
                self.workers[i] = proc


def master(args):
    name = args.name
    signals = appkit.Signals(signal.SIGUSR1, signal.SIGUSR2, signal.SIGHUP, *STOP)
    if args.listen_fd is not None:
        sock = appkit.inherit(args.listen_fd)
        appkit.log(name, "master re-executed (hot restart), socket kept (fd %d)" % args.listen_fd)
    else:
        try:
            sock = appkit.listen(args.host, args.port)
        except OSError as e:
            appkit.log(name, "cannot listen on %s:%d: %s" % (args.host, args.port, e))
            return 1
    appkit.write_pidfile(args.pidfile)
    m = Master(args, sock)
    m.start_workers()
    appkit.log(name, "master pid %d on %s:%d with %d worker(s)" % (os.getpid(), args.host, args.port, args.workers))
    while True:
        got = signals.take(0.2)
        m.replace_dead()
        if got is None:
            continue
        if got in STOP:
            break
        if got == signal.SIGHUP:
            appkit.log(name, "got HUP: ignored")
            continue
        if appkit.read_fault(args.fault_file) == "ignore-restart":
            appkit.log(name, "got %s: ignored (fault ignore-restart)" % signal.Signals(got).name)
            continue
        if got == signal.SIGUSR1:
            appkit.log(name, "got USR1: phased restart")
            m.phased_restart()
        elif got == signal.SIGUSR2:
            appkit.log(name, "got USR2: hot restart: stopping the workers, then re-executing")
            m.stop(m.workers)
            sys.stdout.flush()
            fd = sock.fileno()
            os.set_inheritable(fd, True)
            argv2 = [sys.executable, os.path.abspath(__file__), "--listen-fd", str(fd)] + common(args)
            os.execv(sys.executable, argv2)
    appkit.log(name, "got %s: stopping the workers" % signal.Signals(got).name)
    m.stop(m.workers)
    sock.close()
    appkit.remove_pidfile_if_mine(args.pidfile)
    appkit.log(name, "stopped")
    return 0


def main(argv):
    args = parse_args(argv)
    if args.worker:
        return worker(args)
    return master(args)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
