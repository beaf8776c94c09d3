# scripts/ansible/action_plugins/healthgate_roll.py: the action behind scripts/ansible/roll-batch.yml.
#
# POST /v1/roll to every host of a batch at once, from the Ansible controller, in one task: one thread
# per host inside the task's worker, no module shipped and no Python started per host. Each call answers
# once that host's apps are back in rotation (or its roll stopped at an app that failed). The task fails,
# naming every host, app and reason, unless every host answered 200, ok, with every app IN_ROTATION.
# It prints one line per host as the host's answer comes in, so a big batch shows its progress.
#
#   - healthgate_roll:
#       hosts:                          # the batch: name, the host's API, its control.token
#         - {name: web-a1, url: "http://10.0.0.5:9901", token: "..."}
#       timeout: 900                    # seconds one host's roll may take (the API answers when done)
#       validate_certs: true            # for an https:// API
#     run_once: true                    # one task for the whole batch (see roll-batch.yml)

import http.client
import json
import ssl
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from urllib.parse import urlsplit

from ansible.errors import AnsibleActionFail
from ansible.module_utils.common.text.converters import to_text
from ansible.plugins.action import ActionBase
from ansible.utils.display import Display

display = Display()

ARGUMENT_SPEC = {
    "hosts": {"type": "list", "elements": "dict", "required": True, "options": {
        "name": {"type": "str", "required": True},
        "url": {"type": "str", "required": True},
        "token": {"type": "str", "default": "", "no_log": True},
    }},
    "timeout": {"type": "int", "default": 900},
    "validate_certs": {"type": "bool", "default": True},
}


def roll_one(host, timeout, tls):
    """POST /v1/roll to one host: (HTTP status or None, its JSON answer or {}, a transport error or None).

    http.client straight to the host (no proxy), with one TLS context for the batch: Ansible's open_url
    builds its handlers and TLS context per call, about 40 ms of CPU each, which a batch of hundreds of
    hosts would pay one after the other.
    """
    url = urlsplit(host["url"])
    headers = {"Content-Type": "application/json"}
    if host["token"]:
        headers["Authorization"] = "Bearer " + host["token"]
    if url.scheme == "https":
        conn = http.client.HTTPSConnection(url.hostname, url.port, timeout=timeout, context=tls)
    else:
        conn = http.client.HTTPConnection(url.hostname, url.port, timeout=timeout)
    try:
        # JSON, never a form or text/plain body: the API refuses those (a browser's cross-site POST)
        conn.request("POST", url.path.rstrip("/") + "/v1/roll", body=b"{}", headers=headers)
        response = conn.getresponse()
        return response.status, answer_json(response.read()), None
    except (OSError, http.client.HTTPException) as e:  # refused, timed out, TLS, cut: the host did not answer
        return None, {}, "%s: %s" % (type(e).__name__, to_text(e))
    finally:
        conn.close()


def tls_context(validate_certs):
    tls = ssl.create_default_context()
    if not validate_certs:
        tls.check_hostname = False
        tls.verify_mode = ssl.CERT_NONE
    return tls


def valid_url(url):
    try:
        parts = urlsplit(url)
        parts.port  # raises ValueError on a port that is not a number 0-65535
    except ValueError:
        return False
    return parts.scheme in ("http", "https") and bool(parts.hostname) and not parts.query and not parts.fragment


def answer_json(body):
    try:
        answer = json.loads(to_text(body))
    except ValueError:
        return {}
    return answer if isinstance(answer, dict) else {}


def app_lines(name, answer):
    """One line per app of a host's answer, as roll.yml shows them."""
    out = []
    for r in answer.get("results") or []:
        phases = ", ".join(p.get("name", "?") for p in r.get("phases") or [])
        out.append("%s %s %s %s %s in %.2f s (%s)" % (name, r.get("app"), r.get("state"), r.get("action"),
                                                      "done" if r.get("ok") else "FAILED",
                                                      (r.get("totalMs") or 0) / 1000.0, phases))
    return out


def problem(host, status, answer, error):
    """Why this host's roll is not a success, in roll.yml's words, or None when it is one."""
    where = "healthgate on %s (%s): " % (host["name"], host["url"])
    if error is not None:
        return where + "no answer: " + error
    if "stoppedAt" in answer:
        app = answer["stoppedAt"]
        return where + "roll stopped at %s: %s (%s stays out of rotation; the apps rolled before it are back in)" % (
            app, answer.get("reason"), app)
    if "error" in answer:
        return where + "HTTP %s: %s" % (status, answer["error"])
    if status != 200 or not answer.get("ok"):
        return where + "HTTP %s without a roll's answer" % status
    out = [r for r in answer.get("results") or [] if r.get("state") != "IN_ROTATION"]
    if out:
        return where + "not in rotation after the roll: " + "; ".join(app_lines(host["name"], {"results": out}))
    return None


class ActionModule(ActionBase):
    TRANSFERS_FILES = False
    _VALID_ARGS = frozenset(ARGUMENT_SPEC)

    def run(self, tmp=None, task_vars=None):
        result = super().run(tmp, task_vars)
        _, args = self.validate_argument_spec(ARGUMENT_SPEC)
        hosts = args["hosts"]
        timeout = args["timeout"]
        if not hosts:
            raise AnsibleActionFail("hosts = []: the batch has no host to roll")
        if not 1 <= timeout <= 86400:
            raise AnsibleActionFail("timeout = %s: expected seconds from 1 to 86400" % timeout)
        for i, host in enumerate(hosts):
            if not valid_url(host["url"]):
                raise AnsibleActionFail("hosts[%d].url = %r (%s): expected http://HOST:PORT or https://HOST:PORT"
                                        % (i, host["url"], host["name"]))
        tls = tls_context(args["validate_certs"]) if any(urlsplit(h["url"]).scheme == "https" for h in hosts) else None

        started = time.monotonic()
        done = [0]
        lock = threading.Lock()

        def call(host):
            status, answer, error = roll_one(host, timeout, tls)
            why = problem(host, status, answer, error)
            with lock:
                done[0] += 1
                display.display("healthgate_roll: %d/%d after %.1f s: %s %s" % (
                    done[0], len(hosts), time.monotonic() - started, host["name"],
                    "back in rotation" if why is None else "FAILED"))
            return status, answer, why

        with ThreadPoolExecutor(max_workers=len(hosts)) as pool:
            answers = list(pool.map(call, hosts))

        lines = []
        failures = []
        for host, (status, answer, why) in zip(hosts, answers):
            lines.extend(app_lines(host["name"], answer))
            if why is not None:
                failures.append(why)
        result["changed"] = any(status == 200 for status, _, _ in answers)
        result["failed_hosts"] = [host["name"] for host, (_, _, why) in zip(hosts, answers) if why is not None]
        result["_ansible_verbose_always"] = True
        if failures:
            result["failed"] = True
            result["msg"] = "\n".join(failures)
            result["lines"] = lines
        else:
            result["msg"] = lines
        return result
