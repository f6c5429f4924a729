"""The publishing page's server examples say what the handbook itself does."""

from __future__ import annotations

import re
import shlex
from pathlib import Path

from typer.testing import CliRunner

from protocols.cli.app import app
from protocols.serve.policy import SECURITY_HEADERS, content_security_policy

ROOT = Path(__file__).resolve().parents[2]
PAGE = (ROOT / "book" / "maintaining" / "publishing.md").read_text(encoding="utf-8")


def _blocks(language: str) -> list[str]:
    return re.findall(rf"^```{language}\n(.*?)^```$", PAGE, re.M | re.S)


def _added_headers(config: str) -> dict[str, str]:
    return dict(re.findall(r'^\s*add_header ([A-Za-z-]+) "([^"]*)" always;$', config, re.M))


def test_the_static_example_sends_the_headers_handbook_serve_sends_with_book_pages() -> None:
    static = _blocks("nginx")[0]
    expected = {**SECURITY_HEADERS, "Content-Security-Policy": content_security_policy("book")}
    assert _added_headers(static) == expected
    # add_header in a nested block would drop these: the only location blocks set none.
    assert "root  /srv/handbook/html;" in static and "try_files $uri $uri/ =404;" in static
    assert len(re.findall(r"add_header", static)) == len(expected)
    assert "_build/your-agency/html" in PAGE


def test_the_sign_on_example_overwrites_the_user_header_and_forwards_websockets() -> None:
    sign_on = _blocks("nginx")[1]
    command = next(line for block in _blocks("console") for line in block.splitlines()
                   if "--trusted-header" in line)
    args = shlex.split(command.removeprefix("$ "))
    header = args[args.index("--trusted-header") + 1]
    host = args[args.index("--allowed-host") + 1]
    assert f"proxy_set_header {header} $user;" in sign_on
    assert "auth_request /oauth2/auth;" in sign_on
    assert "proxy_pass http://127.0.0.1:8866;" in sign_on
    assert "proxy_set_header Upgrade $http_upgrade;" in sign_on
    assert "proxy_set_header Connection $connection_upgrade;" in sign_on
    assert f"server_name {host};" in sign_on and "proxy_set_header Host $host;" in sign_on
    # The command is one `handbook serve` accepts (checked up to starting the server).
    assert args[:2] == ["handbook", "serve"]
    done = CliRunner().invoke(app, [*args[1:], "--help"])  # unknown options fail
    assert done.exit_code == 0, done.output
    assert "--trusted-header" in done.output and "--allowed-host" in done.output
