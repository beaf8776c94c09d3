"""wsgi_app.py: the example app for a real Gunicorn, as the *_like.py apps answer.

  GET /        200 "<name>"     GET /health  200 "ok"     anything else 404
Every answer carries X-Served-By: <name> (HAProxy's sticky-cookie checks and the ITs read it) and
X-Pid: <the worker's pid>. The name comes from the environment, HG_APP_NAME (default "app"):

  gunicorn --chdir scripts/examples --bind 127.0.0.1:8001 --workers 2 \\
      --pid /tmp/healthgate-examples/web1.pid --env HG_APP_NAME=web1 wsgi_app:app

HG_BOOT_DELAY (seconds, default 0) makes each worker take that long to load the app, as a big app's
boot does: the gap in which a restarted server on a kept socket answers nobody.
"""

import os
import time

NAME = os.environ.get("HG_APP_NAME", "app")
time.sleep(float(os.environ.get("HG_BOOT_DELAY", "0")))


def app(environ, start_response):
    path = environ.get("PATH_INFO", "/")
    if path == "/":
        status, body = "200 OK", NAME + "\n"
    elif path == "/health":
        status, body = "200 OK", "ok\n"
    else:
        status, body = "404 Not Found", "not found\n"
    data = body.encode("utf-8")
    start_response(status, [("Content-Type", "text/plain; charset=utf-8"), ("Content-Length", str(len(data))),
                            ("X-Served-By", NAME), ("X-Pid", str(os.getpid()))])
    return [data]
