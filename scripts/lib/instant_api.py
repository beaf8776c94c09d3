#!/usr/bin/env python3
"""A stand-in for healthgate's control API that answers at once, for scripts/bench-fleet.

It measures what Ansible itself costs per host (roll.yml's tasks), so the roll's own wait must be
zero: POST /v1/roll answers immediately with one app back IN_ROTATION. Listens on 127.0.0.1 only, on
a free port it prints as its first line.
"""
import json
import sys
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

ROLLED = {"ok": True, "results": [{"app": "web1", "state": "IN_ROTATION", "action": "restart", "ok": True,
                                   "totalMs": 0, "phases": [{"name": "drain"}, {"name": "restore"}]}]}


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def do_POST(self):
        self.rfile.read(int(self.headers.get("Content-Length") or 0))
        if self.path != "/v1/roll":
            self.answer(404, {"error": "no such path: " + self.path})
            return
        self.answer(200, ROLLED)

    def answer(self, status, body):
        data = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, *args):
        pass


class Server(ThreadingHTTPServer):
    # roll-batch.yml's action connects to every host of a batch at once, and here every host is this one
    request_queue_size = 1024


if __name__ == "__main__":
    server = Server(("127.0.0.1", 0), Handler)
    print(server.server_address[1], flush=True)
    server.serve_forever()
