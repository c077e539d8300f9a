"""Starts `dabba serve --demo` on a fresh SQLite file and a free port, for the fuzzing and the
browser tests, and calls its API."""

import json
import os
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
BINARY = os.path.join(ROOT, "target", "debug", "dabba")
DEMO_PASSWORD = "dabba-demo"
DEMO = {"customer": "+919420000000", "restaurant": "+918420000000", "rider": "+917420000000", "admin": "+916420000000"}


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class ApiError(Exception):
    def __init__(self, status, body):
        super().__init__(f"{status}: {body}")
        self.status, self.body = status, body


def call(base, method, path, body=None, token=None, headers=None):
    """Calls the API; returns the decoded body, raises ApiError on a 4xx/5xx."""
    req = urllib.request.Request(base + path, method=method,
                                 data=None if body is None else json.dumps(body).encode())
    req.add_header("content-type", "application/json")
    if token:
        req.add_header("authorization", "Bearer " + token)
    for k, v in (headers or {}).items():
        req.add_header(k, v)
    try:
        with urllib.request.urlopen(req, timeout=15) as r:
            return json.loads(r.read() or b"null")
    except urllib.error.HTTPError as e:
        raise ApiError(e.code, json.loads(e.read() or b"null")) from None


def login(base, phone, password=DEMO_PASSWORD):
    return call(base, "POST", "/api/v1/auth/login", {"phone": phone, "password": password})["token"]


def start(workdir, binary=BINARY, extra_env=None):
    """The server and its base URL, once the demo city is seeded and its users can log in."""
    port = free_port()
    log = open(os.path.join(workdir, "server.log"), "w")
    server = subprocess.Popen(
        [binary, "--database-url", f"sqlite://{workdir}/dabba.db", "--listen", f"127.0.0.1:{port}",
         "--sqlite-durable", "false", "serve", "--demo"],
        cwd=workdir, stdout=log, stderr=subprocess.STDOUT, env=dict(os.environ, **(extra_env or {})))
    base = f"http://127.0.0.1:{port}"
    for _ in range(600):
        try:
            call(base, "GET", "/readyz")
            login(base, DEMO["customer"])
            return server, base
        except Exception:
            if server.poll() is not None:
                sys.exit(f"the server stopped: see {workdir}/server.log")
            time.sleep(0.2)
    server.kill()
    sys.exit("the server did not come up")


def stop(server):
    server.terminate()
    try:
        server.wait(timeout=30)
    except subprocess.TimeoutExpired:
        server.kill()
