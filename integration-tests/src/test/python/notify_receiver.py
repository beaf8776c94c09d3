"""notify_receiver.py: systemd's side of sd_notify, for SdNotifyIT.

Binds a unix datagram socket (a path, or @name for an abstract one) and prints each datagram it receives
on one line. On READY=1 it checks at once, before printing, that the daemon serves: GET URL (with the
header in --header-file, if any) and a TCP connect to each --tcp HOST:PORT. Exits after STOPPING=1 or
after --max-seconds.

usage: notify_receiver.py --socket PATH|@NAME --url URL [--tcp HOST:PORT]... [--max-seconds N]
"""

import argparse
import socket
import sys
import time
import urllib.request


def serves(url, tcp):
    try:
        with urllib.request.urlopen(url, timeout=2) as r:
            api = str(r.status)
    except Exception as e:  # the answer is the finding: print it
        api = "error:" + type(e).__name__
    ports = []
    for hp in tcp:
        host, port = hp.rsplit(":", 1)
        try:
            socket.create_connection((host, int(port)), timeout=2).close()
            ports.append(hp + "=open")
        except OSError as e:
            ports.append(hp + "=" + type(e).__name__)
    return "api=%s %s" % (api, " ".join(ports))


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--socket", required=True)
    p.add_argument("--url", required=True)
    p.add_argument("--tcp", action="append", default=[])
    p.add_argument("--max-seconds", type=float, default=120)
    a = p.parse_args()
    s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
    s.bind("\0" + a.socket[1:] if a.socket.startswith("@") else a.socket)
    print("bound " + a.socket, flush=True)
    deadline = time.monotonic() + a.max_seconds
    while time.monotonic() < deadline:
        s.settimeout(max(0.1, deadline - time.monotonic()))
        try:
            msg = s.recv(4096).decode("utf-8", "replace")
        except socket.timeout:
            break
        fields = msg.split("\n")
        check = serves(a.url, a.tcp) if "READY=1" in fields else ""
        print("got %s | %s" % (" ".join(fields), check), flush=True)
        if "STOPPING=1" in fields:
            return 0
    print("no STOPPING=1 within %s s" % a.max_seconds, flush=True)
    return 1


if __name__ == "__main__":
    sys.exit(main())
