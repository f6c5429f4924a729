"""Several `handbook serve` replicas behind Debian's nginx on one PostgreSQL, all on loopback.

The nginx configuration is the shipped one (``deploy/nginx/handbook.conf``) with its three
marked blocks replaced: the replicas' loopback ports, a loopback listen address, and a
stand-in for the agency's sign-on (the test names the officer in a request header). nginx
runs as this user from a temporary folder (``-p``), in the foreground, with its own logs.
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import shutil
import signal
import subprocess
import time
import urllib.error
import urllib.request
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text

from served import HANDBOOK, ROOT, abandon, free_port, kill_group, stop_cleanly, wait_for_port

DEPLOY_CONF = ROOT / "deploy" / "nginx" / "handbook.conf"
OFFICER_HEADER = "X-Test-Officer"
"""The test's stand-in for the sign-on: nginx passes this header's value as the signed-in user."""
FIX_NGINX = "install Debian's nginx: apt-get install -y --no-install-recommends nginx (bash scripts/dev.sh setup)"


def nginx_binary() -> str | None:
    found = shutil.which("nginx")
    if found:
        return found
    return "/usr/sbin/nginx" if Path("/usr/sbin/nginx").exists() else None


def _replace_block(config: str, name: str, body: str) -> str:
    """Replace the lines between ``# --- NAME...`` and ``# --- end of NAME ---`` with ``body``."""
    pattern = re.compile(rf"(\n[ \t]*# --- {name}\b[^\n]*\n).*?(\n[ \t]*# --- end of {name} ---)", re.S)
    replaced, count = pattern.subn(lambda m: m.group(1) + body + m.group(2), config)
    assert count == 1, f"the marked block '{name}' is missing from {DEPLOY_CONF}"
    return replaced


def _replace_servers(config: str, ports: list[int]) -> str:
    """The shipped upstream block with its ``server`` lines (and only those) pointed at ``ports``."""
    block = re.search(r"upstream handbook_replicas \{.*?\n\}", config, re.S)
    assert block, f"no upstream handbook_replicas block in {DEPLOY_CONF}"
    shipped = re.findall(r"\n([ \t]*)server \S+( [^;\n]*)?;", block.group(0))
    assert shipped, "the upstream block lists no server"
    indent, options = shipped[0]
    kept = re.sub(r"\n[ \t]*server \S+[^;\n]*;", "", block.group(0))
    lines = "".join(f"\n{indent}server 127.0.0.1:{port}{options};" for port in ports)
    upstream = kept.replace("{", "{" + lines, 1)
    return config.replace(block.group(0), upstream)


def loopback_config(folder: Path, listen_port: int, replica_ports: list[int], officer: str | None = None) -> Path:
    """The shipped configuration, pointed at loopback replicas, wrapped in a whole nginx.conf.

    The sign-on stand-in takes the officer from the test's request header, or is ``officer``
    for every request (a benchmark's clients send no header).
    """
    shipped = DEPLOY_CONF.read_text(encoding="utf-8")
    site = _replace_servers(shipped, replica_ports)
    site = _replace_block(site, "listen", f"    listen 127.0.0.1:{listen_port};\n    server_name 127.0.0.1;")
    user = f'"{officer}"' if officer else f"$http_{OFFICER_HEADER.lower().replace('-', '_')}"
    site = _replace_block(site, "sign-on", f"    set $handbook_user {user};")
    (folder / "handbook.conf").write_text(site, encoding="utf-8")
    run_as = "user root;\n" if os.geteuid() == 0 else ""
    temp = "\n".join(f"    {kind}_temp_path {folder}/{kind}-temp;" for kind in
                     ("client_body", "proxy", "fastcgi", "uwsgi", "scgi"))
    whole = (f"{run_as}worker_processes 1;\ndaemon off;\npid {folder}/nginx.pid;\n"
             f"error_log {folder}/nginx-error.log notice;\n"
             "events { worker_connections 4096; }\n"
             f"http {{\n    access_log {folder}/nginx-access.log;\n{temp}\n"
             f"    include {folder}/handbook.conf;\n}}\n")
    path = folder / "nginx.conf"
    path.write_text(whole, encoding="utf-8")
    return path


@dataclass
class Replica:
    name: str
    port: int
    log: Path
    process: subprocess.Popen[bytes] | None = None

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def health(self) -> tuple[int, dict[str, object]]:
        try:
            with urllib.request.urlopen(f"{self.base}/healthz", timeout=10) as response:
                return response.status, json.loads(response.read())
        except urllib.error.HTTPError as refused:
            return refused.code, json.loads(refused.read() or b"{}")

    def kill(self) -> None:
        """kill -9 the replica and everything it started (fork server, kernels)."""
        assert self.process is not None
        kill_group(self.process)
        self.process = None


@dataclass
class Cluster:
    base: str
    database_url: str
    replicas: list[Replica]
    folder: Path
    nginx: subprocess.Popen[bytes] | None = None
    env: dict[str, str] = field(default_factory=dict)

    def living(self) -> list[Replica]:
        return [r for r in self.replicas if r.process is not None]


def committed_content(folder: Path) -> Path:
    """The content as last committed, in ``folder``: an edit under way in the working tree can
    neither break the replicas' start nor pause their job aids (``content_watch``)."""
    archive = subprocess.run(["git", "archive", "HEAD", "src/protocols/content"], cwd=ROOT, check=True,
                             capture_output=True).stdout
    subprocess.run(["tar", "-x", "-C", str(folder)], input=archive, check=True)
    return folder / "src" / "protocols" / "content"


def fresh_database(server_url: str) -> str:
    """A new, empty database on the test PostgreSQL server."""
    name = f"scale_{uuid.uuid4().hex[:12]}"
    admin = create_engine(server_url)
    with admin.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        conn.execute(text(f"CREATE DATABASE {name}"))
    admin.dispose()
    return server_url.rsplit("/", 1)[0] + f"/{name}"


def image_command() -> list[str]:
    """The command line the container image runs (the ``CMD`` of the ``Containerfile``)."""
    text_ = (ROOT / "Containerfile").read_text(encoding="utf-8").replace("\\\n", " ")
    found = re.search(r"^CMD (\[.*\])\s*$", text_, re.M)
    assert found, "the Containerfile has no CMD in JSON form"
    command: list[str] = json.loads(found.group(1))
    return command


def replica_command(port: int, book: Path) -> list[str]:
    """The image's command line, on loopback: its address, port and book folder changed, nothing else."""
    command = image_command()
    assert command[:2] == ["handbook", "serve"], command
    changed = {"--ip": "127.0.0.1", "--port": str(port), "--book": str(book)}
    out = [str(HANDBOOK), "serve"]
    rest = iter(command[2:])
    for word in rest:
        out.append(word)
        if word in changed:
            next(rest)
            out.append(changed[word])
    return out


def _start_replica(cluster: Cluster, replica: Replica) -> None:
    with replica.log.open("ab") as out:
        replica.process = subprocess.Popen(
            replica_command(replica.port, cluster.folder / "no-book"),
            cwd=ROOT, env=cluster.env, stdout=out, stderr=subprocess.STDOUT, start_new_session=True)


def _wait_ready(replica: Replica, seconds: float = 120) -> None:
    assert replica.process is not None
    try:
        wait_for_port(replica.port, replica.process, replica.log, seconds)
        deadline = time.monotonic() + 30
        while (status := replica.health())[0] != 200:
            if time.monotonic() > deadline:
                pytest.fail(f"{replica.name} never became ready: {status}\n{replica.log.read_text()[-2000:]}")
            time.sleep(0.2)
    except BaseException:
        abandon(replica.process)
        replica.process = None
        raise


@contextlib.contextmanager
def running_cluster(folder: Path, postgres_server_url: str, replicas: int,
                    database_url: str | None = None, officer: str | None = None) -> Iterator[Cluster]:
    """``replicas`` servers on one new database (or ``database_url``), nginx in front; all
    stopped at the end. ``officer``: every request is signed in as this user (see
    :func:`loopback_config`)."""
    from required import unavailable

    nginx = nginx_binary()
    if nginx is None:
        unavailable("nginx is not installed", FIX_NGINX)
    content = committed_content(folder)
    database_url = database_url or fresh_database(postgres_server_url)
    env = {**os.environ, "HANDBOOK_DATABASE_URL": database_url, "HANDBOOK_CONTENT": str(content),
           "PYTHONUNBUFFERED": "1"}
    for name in ("HANDBOOK_DEBUG", "HANDBOOK_TOKEN", "HANDBOOK_AGENCY", "HANDBOOK_USER",
                 "HANDBOOK_IDLE_LOCK_MINUTES", "HANDBOOK_TEST_ONLY_IDLE_LOCK_SECONDS"):
        env.pop(name, None)
    started = [Replica(f"replica-{n + 1}", free_port(), folder / f"replica-{n + 1}.log") for n in range(replicas)]
    listen = free_port()
    cluster = Cluster(f"http://127.0.0.1:{listen}", database_url, started, folder, env=env)
    try:
        for replica in started:  # all at once: they race for the empty database's schema
            _start_replica(cluster, replica)
        for replica in started:
            _wait_ready(replica)
        config = loopback_config(folder, listen, [r.port for r in started], officer)
        nginx_log = folder / "nginx.out"
        with nginx_log.open("wb") as out:
            cluster.nginx = subprocess.Popen([nginx, "-p", str(folder), "-c", str(config), "-e",
                                              str(folder / "nginx-error.log")],
                                             stdout=out, stderr=subprocess.STDOUT, start_new_session=True)
        try:
            wait_for_port(listen, cluster.nginx, nginx_log, 30)
        except BaseException:
            abandon(cluster.nginx)
            cluster.nginx = None
            raise
        yield cluster
    finally:
        if cluster.nginx is not None:
            cluster.nginx.send_signal(signal.SIGTERM)  # fast stop: open websockets are closed
            try:
                cluster.nginx.wait(timeout=15)
            except subprocess.TimeoutExpired:
                abandon(cluster.nginx)
        for replica in started:
            if replica.process is not None:
                process, replica.process = replica.process, None
                stop_cleanly(process, replica.log)
