"""The shipped deployment files agree with the server and with one another.

No container engine or cluster runs here, so these read the files: the image runs as a
non-root user from the hashed lock and probes ``/healthz``; its command line (which the scale
tests run directly) uses options ``handbook serve`` has; the Kubernetes example probes the
routes the server answers, reads the database address from the Secret the example makes, and
keeps sessions sticky by the same cookie as the nginx example.
"""

from __future__ import annotations

import re
import subprocess
from typing import Any

import pytest
import yaml
from cluster import DEPLOY_CONF, image_command

from protocols.serve.health import LIVE_ROUTE, READY_ROUTE
from served import HANDBOOK, ROOT

CONTAINERFILE = ROOT / "Containerfile"
KUBERNETES = ROOT / "deploy" / "kubernetes"


@pytest.fixture(scope="module")
def serve_help() -> str:
    done = subprocess.run([str(HANDBOOK), "serve", "--help"], cwd=ROOT, capture_output=True, text=True,
                          timeout=60, env={"COLUMNS": "200", "PATH": "/usr/bin:/bin"})
    assert done.returncode == 0, done.stderr
    return done.stdout


def _options(command: list[str]) -> set[str]:
    return {word for word in command if word.startswith("--")}


def _all_documents() -> list[dict[str, Any]]:
    return [document for path in sorted(KUBERNETES.glob("*.yaml"))
            for document in yaml.safe_load_all(path.read_text(encoding="utf-8"))]


def _documents() -> dict[str, dict[str, Any]]:
    """The first document of each kind (the handbook's own; the sign-on's Ingress comes after)."""
    found: dict[str, dict[str, Any]] = {}
    for document in _all_documents():
        found.setdefault(document["kind"], document)
    return found


def test_the_sign_on_pages_are_reachable_without_a_sign_on() -> None:
    """The sign-in page itself must not demand a sign-in (nginx and the Kubernetes example)."""
    config = DEPLOY_CONF.read_text(encoding="utf-8")
    block = config[config.index("location /oauth2/ {"):]
    assert "auth_request off;" in block[:block.index("}")]
    sign_on = [d for d in _all_documents() if d["kind"] == "Ingress"
               and any(p["path"] == "/oauth2" for r in d["spec"]["rules"] for p in r["http"]["paths"])]
    assert sign_on and "nginx.ingress.kubernetes.io/auth-url" not in sign_on[0]["metadata"].get("annotations", {})


def test_the_image_installs_the_lock_and_runs_unprivileged() -> None:
    text = CONTAINERFILE.read_text(encoding="utf-8")
    assert "pip install -q --require-hashes --no-deps -r /tmp/lock.txt" in text
    users = re.findall(r"^USER (\S+)", text, re.M)
    assert users and users[-1] not in ("root", "0"), users
    assert re.search(r"^HEALTHCHECK .*\n?.*127\.0\.0\.1:8866/healthz/live", text, re.M), \
        "the image's own check is liveness: a database outage must not restart every replica"
    assert "npm" not in text and "vendor_assets" not in text, "the book needs no front-end download"
    assert not re.search(r"^ENV .*HANDBOOK_", text, re.M), "settings come from the environment, not the image"
    for ignore in (".containerignore", ".dockerignore"):
        ignored = (ROOT / ignore).read_text(encoding="utf-8").split()
        assert {".git", ".venv", "_build", "**/*.sqlite3"} <= set(ignored), ignore


def test_the_image_command_uses_real_serve_options(serve_help: str) -> None:
    command = image_command()
    assert command[:2] == ["handbook", "serve"]
    for option in _options(command):
        assert option in serve_help, f"`handbook serve` has no {option}"
    assert command[command.index("--ip") + 1] == "0.0.0.0" and "--trusted-header" in command


def test_kubernetes_probes_the_health_routes_and_reads_the_secret(serve_help: str) -> None:
    docs = _documents()
    (container,) = docs["Deployment"]["spec"]["template"]["spec"]["containers"]
    assert container["readinessProbe"]["httpGet"]["path"] == READY_ROUTE
    assert container["livenessProbe"]["httpGet"]["path"] == LIVE_ROUTE
    args = container["args"]
    assert args[:2] == ["handbook", "serve"] and _options(args) <= _options(image_command()) | {"--agency"}
    for option in _options(args):
        assert option in serve_help
    assert {p["containerPort"] for p in container["ports"]} == {int(args[args.index("--port") + 1])}
    (database,) = [e for e in container["env"] if e["name"] == "HANDBOOK_DATABASE_URL"]
    secret = database["valueFrom"]["secretKeyRef"]
    assert secret["name"] == docs["Secret"]["metadata"]["name"] and secret["key"] in docs["Secret"]["stringData"]
    assert docs["Deployment"]["spec"]["template"]["spec"]["securityContext"]["runAsNonRoot"] is True


def test_kubernetes_and_nginx_stick_by_the_same_cookie_and_trust_one_header() -> None:
    docs = _documents()
    notes = docs["Ingress"]["metadata"]["annotations"]
    assert notes["nginx.ingress.kubernetes.io/affinity"] == "cookie"
    cookie = notes["nginx.ingress.kubernetes.io/session-cookie-name"]
    assert f"$cookie_{cookie}" in DEPLOY_CONF.read_text(encoding="utf-8")
    (container,) = docs["Deployment"]["spec"]["template"]["spec"]["containers"]
    header = container["args"][container["args"].index("--trusted-header") + 1]
    assert notes["nginx.ingress.kubernetes.io/auth-response-headers"] == header, \
        "the replicas trust only the header the ingress sets from the sign-on"
    assert "proxy_set_header X-Forwarded-User $handbook_user;" in DEPLOY_CONF.read_text(encoding="utf-8")
    assert "--trusted-header" in image_command() and "X-Forwarded-User" in image_command()


def test_the_nginx_example_never_routes_by_address() -> None:
    config = DEPLOY_CONF.read_text(encoding="utf-8")
    active = "\n".join(line.split("#", 1)[0] for line in config.splitlines())
    assert "ip_hash" not in active and "$remote_addr;" not in re.sub(r"X-Real-IP \$remote_addr;", "", active)
    assert re.search(r"hash \$handbook_route consistent;", active)
    assert "proxy_set_header Upgrade $http_upgrade;" in active
