"""A corpus of bad inputs: content files, command lines, job-aid values.

Every case must end in a clear message and a non-zero exit (commands) or a refusal
shown in the aid (job aids): never a traceback, never an unexpected exception,
never a half-written file, never a hang. Nothing here starts a server: `serve` is
given a stand-in that fails the test if bad input ever got that far.
"""

from __future__ import annotations

import shutil
import socket
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from hostile import BIG, PROTOCOL, REJECTED
from typer.testing import CliRunner

from protocols.cli.app import app
from protocols.library.loader import default_library
from protocols.records import Store
from protocols.ui.checklist_session import ChecklistSession
from protocols.ui.frame import CaseForm, StatusLine

ROOT = Path(__file__).resolve().parents[2]
MINIMAL = ROOT / "tests" / "content" / "minimal"
runner = CliRunner()


@dataclass(frozen=True)
class Bad:
    area: str
    name: str
    payload: Any
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def id(self) -> str:
        return f"{self.area}: {self.name}"


# --- content files: every file of the minimal content, broken in every generic way -------------

SENTINEL_NAME = "yaml-code-ran"
LAUGHS = "".join(f"{a}: &{a} [{', '.join([f'*{p}'] * 9) if p else ', '.join(['lol'] * 9)}]\n"
                 for p, a in zip(["", *"abcdefgh"], "abcdefghi", strict=True))


def _mutations(sentinel: str) -> dict[str, Callable[[str], str | bytes | None]]:
    return {
        "empty file": lambda t: "",
        "only blank lines": lambda t: "  \n\n",
        "only a comment": lambda t: "# nothing here\n",
        "not UTF-8": lambda t: b"\xff\xfe\x00\x80bad",
        "Latin-1 text": lambda t: (t + "# caf\u00e9\n").encode("latin-1", errors="replace"),
        "a NUL byte": lambda t: t + "note: a\x00b\n",
        "a terminal escape": lambda t: t + "note: \x1b[2J\n",
        "a list, not a mapping": lambda t: "- a\n- b\n",
        "a bare word": lambda t: "just text\n",
        "YAML syntax error": lambda t: "id: [unclosed\n" + t,
        "tab indentation": lambda t: "id: x\n\tkey: y\n",
        "two documents": lambda t: t + "---\nid: again\n",
        "python object tag": lambda t: f"id: !!python/object/apply:os.system ['touch {sentinel}']\n",
        "unknown tag": lambda t: "id: !custom x\n",
        "alias bomb": lambda t: LAUGHS,
        "alias to itself": lambda t: "a: &a [*a]\n",
        "merge key": lambda t: "base: &b {x: 1}\n<<: *b\n" + t,
        "nesting 5000 deep": lambda t: "id: " + "[" * 5000 + "]" * 5000 + "\n",
        "over 2 MB": lambda t: t + "#" * 2_000_001 + "\n",
        "duplicate top-level key": lambda t: "id: a\nid: b\n",
        "a list as a key": lambda t: "? [a, b]\n: c\n",
        "an unknown 300-character key": lambda t: t + "k" * 300 + ": 1\n",
        "a dangling symlink": lambda t: None,
    }


CONTENT_FILES = sorted(str(p.relative_to(MINIMAL)) for p in MINIMAL.rglob("*.yaml"))
CONTENT_CASES = [Bad("content", f"{file} · {what}", (file, what))
                 for file in CONTENT_FILES for what in _mutations("x")]


def _run_content(case: Bad, tmp: Path) -> None:
    file, what = case.payload
    content = tmp / "content"
    shutil.copytree(MINIMAL, content)
    target = content / file
    sentinel = tmp / SENTINEL_NAME
    changed = _mutations(str(sentinel))[what](target.read_text(encoding="utf-8"))
    if what == "a dangling symlink":
        target.unlink()
        target.symlink_to(tmp / "nowhere.yaml")
    elif isinstance(changed, bytes):
        target.write_bytes(changed)
    else:
        assert changed is not None
        target.write_text(changed, encoding="utf-8")
    started = time.monotonic()
    result = runner.invoke(app, ["validate", "--no-reading-level", "--content", str(content)])
    assert time.monotonic() - started < 20, "validation took too long"
    _no_crash(result)
    assert result.exit_code == 1, result.output
    assert file.split("/")[-1].removesuffix(".yaml") in result.output or file in result.output, result.output
    assert "fix:" in result.output or "only .yaml" in result.output, result.output
    assert not sentinel.exists(), "a YAML tag ran code"


# --- the command line ---------------------------------------------------------------------------

def _busy_port() -> Iterator[int]:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        s.listen(1)
        yield s.getsockname()[1]


CLI_CASES = [Bad("cli", name, args, extra) for name, args, extra in [
    # serve: flags
    ("serve --port 0", ["serve", "--port", "0"], {}),
    ("serve --port 70000", ["serve", "--port", "70000"], {}),
    ("serve --port -1", ["serve", "--port", "-1"], {}),
    ("serve --port abc", ["serve", "--port", "abc"], {}),
    ("serve --port 1.5", ["serve", "--port", "1.5"], {}),
    ("serve --port in use", ["serve", "--port", "{busy_port}"], {}),
    ("serve --ip 0.0.0.0 without auth", ["serve", "--ip", "0.0.0.0"],
     {"expect": "without authentication", "code": 2}),
    ("serve --ip :: without auth", ["serve", "--ip", "::"], {"expect": "without authentication", "code": 2}),
    ("serve --ip LAN address without auth", ["serve", "--ip", "192.168.1.20"],
     {"expect": "--trusted-header", "code": 2}),
    ("serve --ip host name without auth", ["serve", "--ip", "handbook.local"], {}),
    ("serve --ip 999.1.1.1", ["serve", "--ip", "999.1.1.1"], {}),
    ("serve --ip not an address, with token", ["serve", "--ip", "no such host!", "--token", "t" * 20], {}),
    ("serve --ip empty", ["serve", "--ip", ""], {}),
    ("serve --token too short", ["serve", "--token", "abc"], {"expect": "too short"}),
    ("serve HANDBOOK_TOKEN too short", ["serve"], {"env": {"HANDBOOK_TOKEN": "short"}}),
    ("serve --trusted-header with a space", ["serve", "--trusted-header", "X User"], {}),
    ("serve --trusted-header with a colon", ["serve", "--trusted-header", "X-User:"], {}),
    ("serve --trusted-header empty", ["serve", "--trusted-header", ""], {}),
    ("serve token and trusted header", ["serve", "--token", "t" * 20, "--trusted-header", "X-User"], {}),
    ("serve --idle-lock-minutes 0", ["serve", "--idle-lock-minutes", "0"], {}),
    ("serve --idle-lock-minutes 0.5", ["serve", "--idle-lock-minutes", "0.5"], {}),
    ("serve --idle-lock-minutes 241", ["serve", "--idle-lock-minutes", "241"], {}),
    ("serve --idle-lock-minutes -3", ["serve", "--idle-lock-minutes", "-3"], {}),
    ("serve --idle-lock-minutes soon", ["serve", "--idle-lock-minutes", "soon"], {}),
    ("serve lock variable not a number", ["serve"], {"env": {"HANDBOOK_IDLE_LOCK_MINUTES": "soon"}}),
    ("serve lock variable zero", ["serve"], {"env": {"HANDBOOK_IDLE_LOCK_MINUTES": "0"}}),
    ("serve lock variable infinite", ["serve"], {"env": {"HANDBOOK_IDLE_LOCK_MINUTES": "inf"}}),
    ("serve --widgets missing", ["serve", "--widgets", "{tmp}/no-such-folder"], {}),
    ("serve --widgets is a file", ["serve", "--widgets", "{file}"], {}),
    ("serve --book is a file", ["serve", "--book", "{file}"], {}),
    ("serve --agency missing", ["serve", "--agency", "{tmp}/no-agency.yaml"], {}),
    ("serve unknown flag", ["serve", "--no-such-flag"], {}),
    # serve: the records database
    ("serve database: unknown scheme", ["serve"], {"env": {"HANDBOOK_DATABASE_URL": "nosuch://x/y"}}),
    ("serve database: not a URL", ["serve"], {"env": {"HANDBOOK_DATABASE_URL": "records.sqlite3"}}),
    ("serve database: missing driver", ["serve"], {"env": {"HANDBOOK_DATABASE_URL": "mysql://u@127.0.0.1/db"}}),
    ("serve database: nobody listening", ["serve"],
     {"env": {"HANDBOOK_DATABASE_URL": "postgresql+psycopg://u@127.0.0.1:1/db?connect_timeout=2"}}),
    ("serve database: folder is a file", ["serve"], {"env": {"HANDBOOK_DATABASE_URL": "sqlite:///{file}/r.sqlite3"}}),
    ("serve database: not a database", ["serve"], {"env": {"HANDBOOK_DATABASE_URL": "sqlite:///{garbage}"}}),
    ("serve database: a folder", ["serve"], {"env": {"HANDBOOK_DATABASE_URL": "sqlite:///{tmp}"}}),
    # content commands
    ("validate --content missing", ["validate", "--content", "{tmp}/nothing"], {}),
    ("validate --content is a file", ["validate", "--content", "{file}"], {}),
    ("validate --agency missing", ["validate", "--agency", "{tmp}/no-agency.yaml"], {}),
    ("validate --agency is garbage", ["validate", "--agency", "{garbage}"], {}),
    ("readability --content missing", ["readability", "--content", "{tmp}/nothing"], {}),
    ("build in a folder that is not the book", ["build", "{tmp}"], {}),
    ("build a file", ["build", "{file}"], {}),
    ("schema --out is a file", ["schema", "--out", "{file}"], {}),
    ("schema --out under a file", ["schema", "--out", "{file}/schemas"], {}),
    ("unknown command", ["no-such-command"], {}),
    ("unknown option", ["validate", "--colour"], {}),
    # records commands
    ("runs: bad database", ["runs", "--database", "nosuch://x"], {}),
    ("runs: database is garbage", ["runs", "--database", "sqlite:///{garbage}"], {}),
    ("export: unknown run", ["export", "no-such-run", "--out", "{tmp}/out.json", "--database", "{db}"],
     {"writes": "{tmp}/out.json"}),
    ("export: --out .exe", ["export", "{run}", "--out", "{tmp}/out.exe", "--database", "{db}"],
     {"writes": "{tmp}/out.exe"}),
    ("export: --out without suffix", ["export", "{run}", "--out", "{tmp}/out", "--database", "{db}"],
     {"writes": "{tmp}/out"}),
    ("export: --out in a missing folder", ["export", "{run}", "--out", "{tmp}/no/such/out.json", "--database", "{db}"],
     {"writes": "{tmp}/no/such/out.json"}),
    ("export: --out is a folder", ["export", "{run}", "--out", "{folder}.json", "--database", "{db}"], {}),
    ("export: --out under a file", ["export", "{run}", "--out", "{file}/out.html", "--database", "{db}"],
     {"writes": "{file}/out.html"}),
    ("export: bad database", ["export", "{run}", "--out", "{tmp}/o.json", "--database", "nosuch://x"],
     {"writes": "{tmp}/o.json"}),
    ("export: missing --out", ["export", "{run}", "--database", "{db}"], {}),
    ("verify-export: missing file", ["verify-export", "{tmp}/missing.json"], {}),
    ("verify-export: a folder", ["verify-export", "{tmp}"], {}),
    ("verify-export: binary file", ["verify-export", "{garbage}"], {}),
    ("verify-export: JSON that is not an export", ["verify-export", "{not_export}"], {}),
    ("verify-export: HTML without a record", ["verify-export", "{plain_html}"], {}),
    ("verify-export: tampered export", ["verify-export", "{tampered}"], {}),
    ("purge --days 0", ["purge", "--days", "0", "--database", "{db}"], {}),
    ("purge --days -1", ["purge", "--days", "-1", "--database", "{db}"], {}),
    ("purge --days soon", ["purge", "--days", "soon", "--database", "{db}"], {}),
    ("purge: bad database", ["purge", "--days", "30", "--database", "nosuch://x"], {}),
    # follow-up tracker
    ("followups: bad database", ["followups", "--database", "nosuch://x"], {}),
    ("followups: database is garbage", ["followups", "--database", "sqlite:///{garbage}"], {}),
    ("followups: database is a folder", ["followups", "--database", "sqlite:///{tmp}"], {}),
    ("followups --within -1", ["followups", "--within", "-1", "--database", "{db}"], {}),
    ("followups --within soon", ["followups", "--within", "soon", "--database", "{db}"], {}),
    ("followups record: unknown plan", ["followups", "record", "no-such-run", "{check_in}", "reached",
                                        "--database", "{db}"], {"expect": "no follow-up plan"}),
    ("followups record: a checklist run, not a plan", ["followups", "record", "{run}", "{check_in}", "reached",
                                                       "--database", "{db}"], {}),
    ("followups record: unknown check-in", ["followups", "record", "{plan}", "no-such-check-in", "reached",
                                            "--database", "{db}"], {}),
    ("followups record: unknown result", ["followups", "record", "{plan}", "{check_in}", "maybe",
                                          "--database", "{db}"], {}),
    ("followups record: note with an escape", ["followups", "record", "{plan}", "{check_in}", "reached",
                                               "--note", "ok\x1b[2J", "--database", "{db}"], {}),
    ("followups record: note with a NUL", ["followups", "record", "{plan}", "{check_in}", "reached",
                                           "--note", "ok\x00", "--database", "{db}"], {}),
    ("followups record: huge note", ["followups", "record", "{plan}", "{check_in}", "reached",
                                     "--note", "x" * 100_000, "--database", "{db}"], {}),
    ("followups record: user with a line break", ["followups", "record", "{plan}", "{check_in}", "reached",
                                                  "--user", "a\nb", "--database", "{db}"], {}),
    ("followups record: missing result", ["followups", "record", "{plan}", "{check_in}", "--database", "{db}"], {}),
    ("followups record: bad database", ["followups", "record", "{plan}", "{check_in}", "reached",
                                        "--database", "nosuch://x"], {}),
    ("followups close: unknown plan", ["followups", "close", "no-such-run", "--criteria", "1",
                                       "--database", "{db}"], {}),
    ("followups close: criteria not numbers", ["followups", "close", "{plan}", "--criteria", "a,b",
                                               "--database", "{db}"], {}),
    ("followups close: criterion out of range", ["followups", "close", "{plan}", "--criteria", "99",
                                                 "--database", "{db}"], {}),
    ("followups close: early without a reason", ["followups", "close", "{plan}", "--criteria", "1",
                                                 "--database", "{db}"], {}),
    ("followups unknown subcommand", ["followups", "delete", "{plan}"], {}),
    # monitoring
    ("monitoring --weeks 0", ["monitoring", "--weeks", "0"], {}),
    ("monitoring --weeks 105", ["monitoring", "--weeks", "105"], {}),
    ("monitoring --weeks soon", ["monitoring", "--weeks", "soon"], {}),
    ("monitoring: bad database", ["monitoring", "--database", "nosuch://x"], {}),
    ("monitoring: database is garbage", ["monitoring", "--database", "sqlite:///{garbage}"], {}),
    ("monitoring: database is a folder", ["monitoring", "--database", "sqlite:///{tmp}"], {}),
    # diff
    ("diff without --agency", ["diff"], {}),
    ("diff --agency missing", ["diff", "--agency", "{tmp}/no-agency.yaml"], {}),
    ("diff --agency is garbage", ["diff", "--agency", "{garbage}"], {}),
    ("diff --agency is a folder", ["diff", "--agency", "{tmp}"], {}),
    ("diff --content missing", ["diff", "--agency", "{agency}", "--content", "{tmp}/nothing"], {}),
    ("diff --content is a file", ["diff", "--agency", "{agency}", "--content", "{file}"], {}),
    # new
    ("new: unknown kind", ["new", "gadget", "fresh-aid", "--content", "{content}"], {}),
    ("new: a name that climbs", ["new", "protocol", "../escape", "--content", "{content}"],
     {"writes": "{tmp}/escape.yaml"}),
    ("new: a name with a space", ["new", "protocol", "Has Space", "--content", "{content}"], {}),
    ("new: a name with a slash", ["new", "scenario", "a/b", "--content", "{content}"], {}),
    ("new: a name already used", ["new", "protocol", "mini", "--content", "{content}"],
     {"unchanged": "{content}/protocols/mini.yaml"}),
    ("new: --content is a file", ["new", "protocol", "fresh-two", "--content", "{file}"], {}),
    ("new: --agency missing", ["new", "protocol", "fresh-three", "--agency", "{tmp}/no-agency.yaml"], {}),
    ("new: missing name", ["new", "protocol"], {}),
    # preview
    ("preview a folder that is not the book", ["preview", "{tmp}"], {}),
    ("preview a file", ["preview", "{file}"], {}),
    ("preview --port -1", ["preview", "--port", "-1"], {}),
    ("preview --port in use", ["preview", "--port", "{busy_port}"], {}),
    ("preview --interval 0.1", ["preview", "--interval", "0.1"], {}),
    ("preview --interval soon", ["preview", "--interval", "soon"], {}),
    ("preview --agency missing", ["preview", "--agency", "{tmp}/no-agency.yaml"], {}),
    ("preview --content missing", ["preview", "--content", "{tmp}/nothing"], {}),
    ("preview --content is a file", ["preview", "--content", "{file}"], {}),
    # review-due
    ("review-due --within -1", ["review-due", "--within", "-1"], {}),
    ("review-due --today month 13", ["review-due", "--today", "2026-13-01"], {}),
    ("review-due --today soon", ["review-due", "--today", "soon"], {}),
    ("review-due --agency missing", ["review-due", "--agency", "{tmp}/no-agency.yaml"], {}),
    ("review-due --agency is a folder", ["review-due", "--agency", "{tmp}"], {}),
    ("review-due --agency is garbage", ["review-due", "--agency", "{garbage}"], {}),
    # training-summary
    ("training-summary: empty label", ["training-summary", ""], {}),
    ("training-summary: label with an escape", ["training-summary", "a\x1bb"], {}),
    ("training-summary: label with markup", ["training-summary", "<script>x</script>"], {}),
    ("training-summary: unknown label", ["training-summary", "no-such-label"], {}),
    ("training-summary: unknown scenario", ["training-summary", "x", "--scenario", "no-such"], {}),
    ("training-summary --agency missing", ["training-summary", "x", "--agency", "{tmp}/no-agency.yaml"], {}),
    # unreadable paths (reading them raises PermissionError) and folders where a file belongs
    ("unreadable: a content file", ["validate", "--no-reading-level", "--content", "{content}"],
     {"unreadable": "{content}/protocols/mini.yaml", "expect": "mini.yaml: cannot read the file (Permission denied)"}),
    ("unreadable: the content folder", ["validate", "--no-reading-level", "--content", "{content}"],
     {"unreadable": "{content}"}),
    ("unreadable: an export to verify", ["verify-export", "{good}"],
     {"unreadable": "{good}", "expect": "Permission denied"}),
    ("unreadable: the agency profile for diff", ["diff", "--agency", "{agency}"], {"unreadable": "{agency}"}),
    ("unreadable: the agency profile for review-due", ["review-due", "--agency", "{agency}"],
     {"unreadable": "{agency}"}),
    ("unreadable: the agency profile for serve", ["serve", "--agency", "{agency}"],
     {"unreadable": "{agency}", "expect": "Permission denied"}),
    ("unreadable: the agency profile for validate", ["validate", "--no-reading-level", "--agency", "{agency}"],
     {"unreadable": "{agency}"}),
    ("unreadable: the agency profile for training-summary", ["training-summary", "x", "--agency", "{agency}"],
     {"unreadable": "{agency}"}),
    ("a folder where the export should be", ["verify-export", "{tmp}"], {}),
    ("a folder where the database should be", ["export", "{run}", "--out", "{tmp}/o.json",
                                               "--database", "sqlite:///{tmp}"], {"writes": "{tmp}/o.json"}),
]]


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    """Files the command-line cases point at: a run to export, garbage, a tampered export."""
    base = tmp_path_factory.mktemp("cli-world")
    db = base / "records.sqlite3"
    store = Store.open(f"sqlite:///{db}")
    protocol = default_library().protocol("scene-response")
    session, _ = ChecklistSession.start_or_resume(protocol, store, "scene-response", "CORPUS-1")
    session.handle({"type": "answer", "item": "victim-immediate-safety", "answer": {"value": "yes"}})
    good = base / "good.json"
    assert runner.invoke(app, ["export", session.run_id, "--out", str(good), "--database",
                               f"sqlite:///{db}"]).exit_code == 0
    tampered = base / "tampered.json"
    tampered.write_text(good.read_text(encoding="utf-8").replace("CORPUS-1", "CORPUS-2"), encoding="utf-8")
    (base / "garbage.bin").write_bytes(bytes(range(256)) * 10)
    (base / "plain.txt").write_text("hello\n", encoding="utf-8")
    (base / "not-export.json").write_text('{"a": 1}\n', encoding="utf-8")
    (base / "plain.html").write_text("<p>hello</p>\n", encoding="utf-8")
    (base / "folder.json").mkdir()
    plan = _follow_up_plan()
    plan_record = store.create("follow-up", plan.state.content_id, plan.state.content_version, "CORPUS-3",
                               "in-progress", plan.state.model_dump_json())
    store.engine.dispose()
    content = base / "content"
    shutil.copytree(MINIMAL, content)
    agency = base / "agency"
    shutil.copytree(ROOT / "agencies" / "river-city", agency)
    return {"db": f"sqlite:///{db}", "run": session.run_id, "garbage": str(base / "garbage.bin"),
            "file": str(base / "plain.txt"), "not_export": str(base / "not-export.json"),
            "plain_html": str(base / "plain.html"), "tampered": str(tampered), "folder": str(base / "folder"),
            "good": str(good), "plan": plan_record.id, "check_in": plan.state.check_ins[0].id,
            "content": str(content), "agency": str(agency / "agency.yaml")}


def _follow_up_plan() -> Any:
    import datetime as dt

    from protocols.engine import FollowUpPlan

    return FollowUpPlan.create(default_library().template("standard-follow-up"), "CORPUS-3",
                               dt.datetime.now(dt.UTC) - dt.timedelta(days=2))


def _deny_reading(monkeypatch: pytest.MonkeyPatch, target: Path) -> None:
    """Reading ``target`` (or anything under it) raises PermissionError, as a mode-000 file
    does for anyone but root (the tests may run as root, who ignores the mode)."""
    import builtins
    import io
    import os

    real_open = builtins.open
    denied = str(target.resolve())

    def guarded_open(file: Any, *args: Any, **kwargs: Any) -> Any:
        if isinstance(file, (str, bytes, os.PathLike)):
            path = os.path.realpath(os.fsdecode(file))
            if path == denied or path.startswith(denied + os.sep):
                raise PermissionError(13, "Permission denied", os.fsdecode(file))
        return real_open(file, *args, **kwargs)

    monkeypatch.setattr(builtins, "open", guarded_open)
    monkeypatch.setattr(io, "open", guarded_open)
    real_scandir = os.scandir

    def guarded_scandir(path: Any = ".") -> Any:
        if os.path.realpath(os.fsdecode(path)) == denied:
            raise PermissionError(13, "Permission denied", os.fsdecode(path))
        return real_scandir(path)

    monkeypatch.setattr(os, "scandir", guarded_scandir)


def _run_cli(case: Bad, tmp: Path, world: dict[str, str], monkeypatch: pytest.MonkeyPatch) -> None:
    import protocols.serve.app as server_module

    def must_not_start(_options: Any) -> Any:
        raise AssertionError("bad input reached the server start")

    monkeypatch.setattr(server_module, "make_app", must_not_start)
    for name in ("HANDBOOK_TOKEN", "HANDBOOK_IDLE_LOCK_MINUTES", "HANDBOOK_AGENCY", "HANDBOOK_DEBUG"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("HANDBOOK_DATABASE_URL", f"sqlite:///{tmp / 'serve.sqlite3'}")
    monkeypatch.chdir(ROOT)
    ports = _busy_port()
    values = {**world, "tmp": str(tmp), "busy_port": str(next(ports))}
    try:
        for name, value in case.extra.get("env", {}).items():
            monkeypatch.setenv(name, value.format(**values))
        args = [a.format(**values) for a in case.payload]
        before = {p for p in tmp.rglob("*")}
        unchanged = Path(case.extra["unchanged"].format(**values)) if "unchanged" in case.extra else None
        kept = unchanged.read_bytes() if unchanged else None
        if "unreadable" in case.extra:
            _deny_reading(monkeypatch, Path(case.extra["unreadable"].format(**values)))
        result = runner.invoke(app, args)
        monkeypatch.undo()  # reading works again for the checks below
    finally:
        ports.close()
    _no_crash(result)
    assert result.exit_code != 0, result.output
    assert "error" in result.output.lower() or "usage" in result.output.lower(), result.output
    if "expect" in case.extra:
        assert case.extra["expect"] in result.output, result.output
    if "code" in case.extra:
        assert result.exit_code == case.extra["code"], result.output
    if "writes" in case.extra:
        target = Path(case.extra["writes"].format(**values))
        assert not target.exists(), f"{target} was written"
        assert not list(target.parent.glob("*.part")) if target.parent.is_dir() else True
    leftovers = [p for p in tmp.rglob("*") if p not in before and p.suffix in (".part", ".tmp")]
    assert not leftovers, leftovers
    if unchanged is not None:
        assert unchanged.read_bytes() == kept, f"{unchanged} was changed"


# --- job-aid values -----------------------------------------------------------------------------

CASE_NUMBERS = ["", " ", "\t", "John Smith", "smith, john", "a" * 41, "<script>alert(1)</script>",
                '<img src=x onerror="alert(1)">', "../../etc/passwd", "1;DROP TABLE runs;--", "2026\x00001",
                "2026\n001", "caf\u00e9-1", "2026 004512", "${jndi:ldap://x}", "{{7*7}}", "%s%s%s", "\u202e123",
                "12\u200b34", BIG]
AID_CASES = ([Bad("aid", f"case number {value[:30]!r}", value) for value in CASE_NUMBERS]
             + [Bad("aid", f"checklist message: {name}", message) for name, message in REJECTED])


@pytest.fixture(scope="module")
def session(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ChecklistSession]:
    store = Store.open(f"sqlite:///{tmp_path_factory.mktemp('aid-corpus') / 'r.sqlite3'}")
    yield ChecklistSession.start_or_resume(default_library().protocol(PROTOCOL), store, PROTOCOL, "CORPUS-2")[0]
    store.engine.dispose()


def _run_aid(case: Bad, session: ChecklistSession) -> None:
    if case.name.startswith("case number"):
        started: list[str] = []
        status = StatusLine()
        form = CaseForm(started.append, status)
        form.text.value = case.payload  # as the browser sets it; the form checks it at once
        form.submit()
        assert started == [], "a bad case number started a run"
        assert "hb-bad" in status.text.value and 'role="alert"' in status.text.value
        assert "<script" not in status.text.value and "<img" not in status.text.value
        assert len(status.text.value) < 600
        return
    before = session.revision
    reply = session.handle(case.payload)
    assert reply["type"] in ("rejected", "refused") and reply.get("message"), reply
    assert session.revision == before


# --- the table ----------------------------------------------------------------------------------

CORPUS = CONTENT_CASES + CLI_CASES + AID_CASES


def _no_crash(result: Any) -> None:
    assert result.exception is None or isinstance(result.exception, SystemExit), repr(result.exception)
    assert "Traceback" not in result.output, result.output


@pytest.mark.parametrize("ip", ["0.0.0.0", "192.168.1.20"])
def test_the_real_command_refuses_to_serve_the_network_without_authentication(ip: str, tmp_path: Path) -> None:
    """The installed `handbook` entry point, as an administrator would run it."""
    import os
    import subprocess
    import sys

    env = {k: v for k, v in os.environ.items() if k not in ("HANDBOOK_TOKEN", "HANDBOOK_DEBUG")}
    env["HANDBOOK_DATABASE_URL"] = f"sqlite:///{tmp_path / 'r.sqlite3'}"
    done = subprocess.run([str(Path(sys.executable).with_name("handbook")), "serve", "--ip", ip], cwd=ROOT,
                          env=env, capture_output=True, text=True, timeout=60, check=False)
    assert done.returncode == 2, done.stdout + done.stderr
    assert "Traceback" not in done.stdout + done.stderr
    for hint in ("without authentication", "--trusted-header X-Forwarded-User", "--token", "SECURITY.md"):
        assert hint in done.stderr, done.stderr
    assert not (tmp_path / "r.sqlite3").exists(), "it got as far as opening the records"


def test_the_corpus_is_large_and_covers_every_area() -> None:
    counts = {area: sum(1 for c in CORPUS if c.area == area) for area in ("content", "cli", "aid")}
    assert sum(counts.values()) >= 200 and min(counts.values()) >= 40, counts


@pytest.mark.parametrize("case", CORPUS, ids=[c.id for c in CORPUS])
def test_bad_input_gets_a_clear_refusal(case: Bad, tmp_path: Path, request: pytest.FixtureRequest,
                                        monkeypatch: pytest.MonkeyPatch) -> None:
    if case.area == "content":
        _run_content(case, tmp_path)
    elif case.area == "cli":
        _run_cli(case, tmp_path, request.getfixturevalue("world"), monkeypatch)
    else:
        _run_aid(case, request.getfixturevalue("session"))
