#!/usr/bin/env python3
"""Fuzzes the API against its own OpenAPI document with schemathesis, as each of the four roles.

Starts `dabba serve --demo` on a fresh SQLite file and a free port, signs in as the demo
customer, restaurant owner, rider and admin, and runs every operation with every check, the
stateful phase (which follows the document's links) included. Logout runs last, with a token of
its own, so that it does not end the others' sessions. Exits non-zero on any failure.

    python3 .ci/fuzz.py                       # the bounded run CI does
    python3 .ci/fuzz.py --examples 200 --stateful-seconds 600   # a long campaign

Afterwards it prints how many cases ran and how many requests reached the order, payment and
delivery operations with a success (read from the server's access log).
"""

import argparse
import json
import os
import re
import subprocess
import sys
import tempfile

from server import BINARY, call, login, start, stop  # noqa: E402 (beside this file)

SCHEMATHESIS = "schemathesis==4.32.5"
ROLES = [("customer", "+919420000000"), ("restaurant", "+918420000000"), ("rider", "+917420000000"),
         ("admin", "+916420000000")]
HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)


def ensure_schemathesis():
    try:
        subprocess.run(["schemathesis", "--version"], check=True, capture_output=True)
    except (OSError, subprocess.CalledProcessError):
        subprocess.run([sys.executable, "-m", "pip", "install", "-q", SCHEMATHESIS], check=True)


def run(base, token, name, args, workdir, extra):
    report = os.path.join(workdir, f"{name}.json")
    cmd = ["schemathesis", "--config-file", os.path.join(HERE, "schemathesis.toml"), "run", base + "/api/openapi.json", "--checks", "all",
           "-H", f"Authorization: Bearer {token}", "--no-color", "--seed", str(args.seed),
           "-n", str(args.examples), "--max-time", str(args.stateful_seconds + args.examples * 30),
           "--report", "json", "--report-json-path", report, *extra]
    env = dict(os.environ, SCHEMATHESIS_HOOKS="fuzz_hooks", PYTHONPATH=HERE)
    # In the work folder, so that its cache stays out of the repository.
    out = subprocess.run(cmd, env=env, capture_output=True, text=True, cwd=workdir)
    text = out.stdout + out.stderr
    with open(os.path.join(workdir, f"{name}.txt"), "w") as f:
        f.write(text)
    cases = 0
    m = re.search(r"(\d+) generated", text)
    if m:
        cases = int(m.group(1))
    print(f"  {name:<12} {cases:>7} cases  exit {out.returncode}")
    if out.returncode != 0:
        print(text[-6000:])
    return out.returncode == 0, cases


REACHED = {
    "order": re.compile(r"path=/api/v1/(orders|restaurants/[^/ ]+/orders|admin/orders|cart)"),
    "payment": re.compile(r"path=/api/v1/(payments|wallet|admin/payments|admin/refunds)"),
    "delivery": re.compile(r"path=/api/v1/(delivery|tracking|admin/riders)"),
}


def reached(workdir):
    counts = {k: 0 for k in REACHED}
    with open(os.path.join(workdir, "server.log")) as f:
        for line in f:
            if " status=2" not in line:
                continue
            for k, rx in REACHED.items():
                if rx.search(line):
                    counts[k] += 1
    return counts


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--binary", default=BINARY)
    p.add_argument("--examples", type=int, default=15, help="cases per operation and phase")
    p.add_argument("--stateful-seconds", type=int, default=60)
    p.add_argument("--seed", type=int, default=20261204)
    p.add_argument("--parallel", type=int, default=2, help="roles fuzzed at once")
    p.add_argument("--roles", default="customer,restaurant,rider,admin,logout", help="which roles to fuzz")
    args = p.parse_args()
    ensure_schemathesis()
    workdir = tempfile.mkdtemp(prefix="dabba-fuzz-")
    server, base = start(workdir, args.binary)
    ok, total = True, 0
    try:
        print(f"fuzzing {base} (log and reports in {workdir})")
        # The roles run side by side (the fuzzer is the busy part, the server idles).
        from concurrent.futures import ThreadPoolExecutor
        # Every token is taken first: the fuzzing of the login operation soon meets its rate limit.
        tokens = {role: login(base, phone) for role, phone in ROLES}
        logout_token = login(base, ROLES[0][1])
        with ThreadPoolExecutor(max_workers=args.parallel) as pool:
            runs = [pool.submit(run, base, tokens[role], role, args, workdir,
                                ["--exclude-path", "/api/v1/auth/logout"]) for role, _ in ROLES
                    if role in args.roles.split(",")]
            for r in runs:
                good, cases = r.result()
                ok, total = ok and good, total + cases
        # One operation alone has no links to follow: no stateful phase.
        if "logout" in args.roles.split(","):
            good, cases = run(base, logout_token, "logout", args, workdir,
                              ["--include-path", "/api/v1/auth/logout", "--phases", "examples,coverage,fuzzing"])
            ok, total = ok and good, total + cases
    finally:
        stop(server)
    counts = reached(workdir)
    print(f"{total} cases in all; successful requests reaching orders {counts['order']}, "
          f"payments {counts['payment']}, delivery {counts['delivery']}")
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
