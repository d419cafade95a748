"""Runs schemathesis against a freshly started app and reports its verdict.

Starts `edge-host up` in dev mode on a free port with a throw-away state dir
and secrets, creates the credentials schemathesis needs through the API as a
person would (admin token → unit, official, issuer key; citizens and the
official log in with a one-time code read back from the dev outbox), then runs
schemathesis on the served /api/v1/openapi.json with the configuration in
tests/schemathesis/schemathesis.toml. The exit status is schemathesis' own, so
any failure fails the caller. docs/api.md explains the choices.

Only the standard library is used here; schemathesis runs as a subprocess.
"""

from __future__ import annotations

import argparse
import json
import os
import secrets
import signal
import subprocess
import sys
import tempfile
import threading
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent.parent

# Phones of the actors the run logs in as (Vietnamese mobiles, SPEC §4). They
# differ from the document's example phone (0905123456), which schemathesis
# sends at will, so its rate limits never lock these accounts out.
OFFICIAL_PHONE = "+84905000901"
CITIZEN_PHONE = "+84905000902"
LOGOUT_PHONE = "+84905000903"
REVOKE_PHONE = "+84905000904"
UNIT = "st-unit"


def parse_args() -> argparse.Namespace:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--edge-host", default=str(ROOT / "target/host/edge-host"))
    p.add_argument("--manifest", default=str(ROOT / "spin.toml"))
    p.add_argument("--cache-dir", default=os.environ.get("EDGE_HOST_CACHE_DIR", str(ROOT / "target/edge-cache")))
    p.add_argument("--schemathesis", default=str(ROOT / "target/schemathesis-venv/bin/schemathesis"))
    p.add_argument("--report-dir", default=str(ROOT / "target/schemathesis-report"))
    p.add_argument("--host-log", default=None, help="where edge-host's output goes (default: in the report dir)")
    p.add_argument(
        "--schema",
        default=os.environ.get("SCHEMATHESIS_SCHEMA_DIR") or None,
        help="check the document assembled from this docs/openapi directory instead of the served one "
        "(to try edits to the document without rebuilding the platform component)",
    )
    p.add_argument("extra", nargs=argparse.REMAINDER, help="arguments after -- go to `schemathesis run`")
    args = p.parse_args()
    if args.extra and args.extra[0] == "--":
        args.extra = args.extra[1:]
    return args


class Api:
    """A tiny JSON client for setting up credentials."""

    def __init__(self, base: str) -> None:
        self.base = base

    def call(self, method: str, path: str, body: object | None = None, token: str | None = None) -> tuple[int, dict]:
        data = None if body is None else json.dumps(body).encode()
        req = urllib.request.Request(self.base + path, data=data, method=method)
        if data is not None:
            req.add_header("content-type", "application/json")
        if token is not None:
            req.add_header("authorization", f"Bearer {token}")
        try:
            with urllib.request.urlopen(req, timeout=60) as resp:
                status, raw = resp.status, resp.read()
        except urllib.error.HTTPError as err:
            status, raw = err.code, err.read()
        try:
            parsed = json.loads(raw) if raw else {}
        except ValueError:
            parsed = {"raw": raw.decode(errors="replace")}
        return status, parsed

    def expect(self, want: set[int], method: str, path: str, body: object | None = None, token: str | None = None) -> dict:
        status, parsed = self.call(method, path, body, token)
        if status not in want:
            raise SystemExit(f"setup: {method} {path} answered {status}, wanted {sorted(want)}: {parsed}")
        return parsed

    def outbox_code(self, phone: str) -> str:
        items = self.expect({200}, "GET", "/api/v1/dev/outbox?phone=" + urllib.parse.quote(phone))["items"]
        if not items:
            raise SystemExit(f"setup: no one-time code in the dev outbox for {phone}")
        return items[0]["code"]

    def signup(self, phone: str, name: str) -> tuple[str, str]:
        """Signs a new citizen up; (citizen id, session token)."""
        started = self.expect({202}, "POST", "/api/v1/signup", {"phone": phone, "channel": "sms", "full_name": name})
        done = self.expect(
            {200, 201},
            "POST",
            "/api/v1/signup/verify",
            {"challenge_id": started["challenge_id"], "code": self.outbox_code(phone)},
        )
        return done["citizen"]["id"], done["session"]["token"]

    def login(self, phone: str) -> str:
        """Logs an existing phone in; the session token."""
        started = self.expect({202}, "POST", "/api/v1/auth/otp", {"phone": phone, "channel": "sms"})
        done = self.expect(
            {200},
            "POST",
            "/api/v1/auth/verify",
            {"challenge_id": started["challenge_id"], "code": self.outbox_code(phone)},
        )
        return done["token"]


def create_credentials(api: Api, admin_token: str) -> dict[str, str]:
    """Every credential the configuration refers to, as ST_* variables."""
    api.expect({201, 409}, "POST", "/api/v1/admin/units", {"code": UNIT, "name": "Đơn vị kiểm thử"}, admin_token)
    api.expect(
        {200, 201},
        "POST",
        "/api/v1/admin/officials",
        {"phone": OFFICIAL_PHONE, "full_name": "Cán bộ Kiểm thử", "unit": UNIT},
        admin_token,
    )
    issuer = api.expect(
        {201}, "POST", "/api/v1/admin/issuers", {"code": "st-issuer", "name": "Cơ quan kiểm thử"}, admin_token
    )
    _, citizen = api.signup(CITIZEN_PHONE, "Công dân Kiểm thử")
    # Logout and session revocation each get a session of another citizen
    # (see schemathesis.toml): one phone per session, as a second code for
    # the same phone would have to wait out the resend interval.
    _, logout = api.signup(LOGOUT_PHONE, "Công dân Đăng xuất")
    _, revoke = api.signup(REVOKE_PHONE, "Công dân Thu hồi")
    official = api.login(OFFICIAL_PHONE)
    return {
        "ST_ADMIN_TOKEN": admin_token,
        "ST_ISSUER_KEY": issuer["api_key"],
        "ST_CITIZEN_TOKEN": citizen,
        "ST_OFFICIAL_TOKEN": official,
        "ST_LOGOUT_TOKEN": logout,
        "ST_REVOKE_TOKEN": revoke,
    }


def assemble_document(docs: Path, out: Path) -> None:
    """base.json plus every paths/*.json, as functions/platform/build.rs does."""
    doc = json.loads((docs / "base.json").read_text())
    doc.setdefault("paths", {})
    for file in sorted((docs / "paths").glob("*.json")):
        for path, item in json.loads(file.read_text()).items():
            if path in doc["paths"]:
                raise SystemExit(f"{file} defines {path} again")
            doc["paths"][path] = item
    out.write_text(json.dumps(doc))


def sessions_survived(api: Api, creds: dict[str, str]) -> bool:
    """Whether the citizen's and the official's sessions still work."""
    ok = True
    for name in ("ST_CITIZEN_TOKEN", "ST_OFFICIAL_TOKEN"):
        status, body = api.call("GET", "/api/v1/me", token=creds[name])
        if status != 200:
            print(f"run.py: the {name} session did not survive the run ({status} {body})", file=sys.stderr)
            ok = False
    return ok


def start_host(args: argparse.Namespace, state_dir: str, log_path: Path) -> tuple[subprocess.Popen, str, dict]:
    """Starts edge-host; (process, base URL, the variables it runs with)."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("SPIN_VARIABLE_")}
    variables = {
        "token_secret": secrets.token_urlsafe(32),
        "otp_pepper": secrets.token_urlsafe(32),
        "qr_secret": secrets.token_urlsafe(32),
        "admin_token": secrets.token_urlsafe(32),
        "dev_mode": "true",
        # With the Zalo OA configured, the webhook checks signatures (401 for
        # schemathesis' made-up ones) instead of refusing every event as
        # unconfigured (503). Replies, which need a valid signature first,
        # would go to a closed local port, never to Zalo.
        "zalo_app_id": "st-app",
        "zalo_oa_secret": secrets.token_urlsafe(32),
        "zalo_api_base": "http://127.0.0.1:9",
    }
    for name, value in variables.items():
        env[f"SPIN_VARIABLE_{name.upper()}"] = value
    cmd = [
        args.edge_host,
        "up",
        "--from",
        args.manifest,
        "--listen",
        "127.0.0.1:0",
        "--state-dir",
        state_dir,
        "--cache-dir",
        args.cache_dir,
    ]
    proc = subprocess.Popen(cmd, env=env, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    log = log_path.open("w")
    assert proc.stdout is not None
    url = None
    for line in proc.stdout:
        log.write(line)
        log.flush()
        if line.startswith("Serving "):
            url = line.split(" ", 1)[1].strip()
            break
    if url is None:
        proc.wait()
        log.close()
        raise SystemExit(f"edge-host exited before serving (status {proc.returncode}); see {log_path}")

    def pump() -> None:
        for rest in proc.stdout:  # type: ignore[union-attr]
            log.write(rest)
            log.flush()
        log.close()

    threading.Thread(target=pump, daemon=True).start()
    return proc, url, variables


def main() -> int:
    args = parse_args()
    report_dir = Path(args.report_dir)
    report_dir.mkdir(parents=True, exist_ok=True)
    log_path = Path(args.host_log) if args.host_log else report_dir / "edge-host.log"
    with tempfile.TemporaryDirectory(prefix="schemathesis-state-") as state_dir:
        proc, url, variables = start_host(args, state_dir, log_path)

        def stop(*_: object) -> None:
            if proc.poll() is None:
                proc.terminate()
                try:
                    proc.wait(timeout=30)
                except subprocess.TimeoutExpired:
                    proc.kill()
                    proc.wait()

        signal.signal(signal.SIGTERM, lambda *_: (stop(), sys.exit(143)))
        try:
            api = Api(url)
            creds = create_credentials(api, variables["admin_token"])
            env = dict(os.environ, **creds)
            location = f"{url}/api/v1/openapi.json"
            if args.schema:
                location = str(report_dir / "openapi.json")
                assemble_document(Path(args.schema), Path(location))
            cmd = [
                args.schemathesis,
                "--config-file",
                str(HERE / "schemathesis.toml"),
                "run",
                location,
                "--url",
                url,
                "--checks",
                "all",
                "--report",
                "junit",
                "--report-dir",
                str(report_dir),
                *args.extra,
            ]
            print("schemathesis:", " ".join(cmd), flush=True)
            print(f"edge-host log: {log_path}", flush=True)
            # Schemathesis keeps a cache (failures to replay first) in its
            # working directory: the report dir, not the checkout.
            status = subprocess.call(cmd, env=env, cwd=report_dir)
            if not sessions_survived(api, creds) and status == 0:
                status = 1
            return status
        finally:
            stop()


if __name__ == "__main__":
    sys.exit(main())
