"""Signed exports for the case file: one run, or every run of a case, as JSON and a printable page.

An export's payload (schema :data:`EXPORT_SCHEMA`) lists its runs, each with who recorded it
(the audit log), its content and version, and its sections of rows (see ``run_views``). The
document adds a SHA-256 digest of the canonical payload and an Ed25519 signature over it made
with the agency's key (``signing``), with the key id and public key. The HTML page embeds the
whole document, so the page itself can be verified (``verify``).

Free text typed by a user is redacted unless the export asks for notes.

Each run carries its scene log (format 3): the timeline of pause points, critical items, a
screen-in and the notices given, worked out from the run (``scene_timeline``), so the digest and
signature cover it. A format 2 document has no scene logs and draws exactly as it always did.
The first format (one checklist run, digest only) lives on in ``export_v1``, so that files made
in it still verify; nothing makes new ones.
"""

from __future__ import annotations

import datetime as dt
import html
import json
from importlib import resources
from typing import Any

from protocols.library.loader import Library
from protocols.records.actor import recorded_by
from protocols.records.export_format import ExportError, canonical, digest_of, embedded_json
from protocols.records.run_views import aware, run_view
from protocols.records.scene_timeline import timeline_rows
from protocols.records.signing import KeyFolder
from protocols.records.store import RunRecord

__all__ = ["EARLIER_SCHEMAS", "EXPORT_SCHEMA", "ExportError", "case_payload", "page_styles", "render_html",
           "render_json", "run_entry", "run_payload", "sign"]

EXPORT_SCHEMA = "crisis-handbook/export/3"
"""The format new exports are made in: version 2 plus each run's scene log (``scene_log``)."""
EARLIER_SCHEMAS = ("crisis-handbook/export/2",)
"""Signed formats no longer made that still verify: version 2 is version 3 without scene logs."""
STYLE_FILE = "export.css"


def run_entry(record: RunRecord, library: Library, actors: list[str], include_notes: bool) -> dict[str, Any]:
    """One run as an export lists it: the record's facts, who recorded it, and its sections."""
    view, state = run_view(record, library, include_notes)
    started = (state.started_at if state is not None else aware(record.created_at)).isoformat()
    return {
        "run_id": record.id,
        "aid": record.aid,
        "case_number": record.case_number,
        "title": view.title,
        "content": view.content,
        "status": record.status,
        "summary": view.summary,
        "started_at": started,
        "completed_at": view.completed_at.isoformat() if view.completed_at else None,
        "last_saved_at": aware(record.updated_at).isoformat(),
        "recorded_by": recorded_by(actors),
        "note": view.note,
        "sections": view.sections,
        "scene_log": timeline_rows(record, state, library),
    }


def _payload(scope: str, title: str, case_number: str, runs: list[dict[str, Any]], exported_by: str,
             exported_at: dt.datetime, include_notes: bool) -> dict[str, Any]:
    return {"schema": EXPORT_SCHEMA, "scope": scope, "title": title, "case_number": case_number,
            "exported_at": exported_at.isoformat(), "exported_by": exported_by,
            "notes_included": include_notes, "runs": runs}


def run_payload(entry: dict[str, Any], exported_by: str, exported_at: dt.datetime,
                include_notes: bool) -> dict[str, Any]:
    """The payload of a one-run export."""
    return _payload("run", entry["title"], entry["case_number"], [entry], exported_by, exported_at, include_notes)


def case_payload(case_number: str, entries: list[dict[str, Any]], exported_by: str, exported_at: dt.datetime,
                 include_notes: bool) -> dict[str, Any]:
    """The payload of a case file: every run of one case, oldest first."""
    ordered = sorted(entries, key=lambda e: (e["started_at"], e["run_id"]))
    return _payload("case", f"Case file for case {case_number}", case_number, ordered, exported_by,
                    exported_at, include_notes)


def sign(payload: dict[str, Any], keys: KeyFolder) -> dict[str, Any]:
    """The export document: the payload, its digest, and the agency key's signature over it."""
    if payload.get("schema") != EXPORT_SCHEMA:
        raise ExportError(f"Only {EXPORT_SCHEMA} payloads are signed.")
    return {"payload": payload, "integrity": {"algorithm": "sha256", "digest": digest_of(payload)},
            "signature": keys.sign(canonical(payload))}


def render_json(document: dict[str, Any]) -> str:
    return json.dumps(document, indent=2, ensure_ascii=False) + "\n"


def page_styles() -> list[str]:
    """The page styles a signed page may carry: the current one first, then earlier copies."""
    folder = resources.files("protocols.ui") / "static"
    current = (folder / STYLE_FILE).read_text(encoding="utf-8")
    earlier = sorted(f.name for f in folder.iterdir() if f.name.startswith("export-") and f.name.endswith(".css"))
    return [current, *((folder / name).read_text(encoding="utf-8") for name in earlier)]


def _when(value: object) -> str:
    """An ISO time as the page shows it: to the second, with its offset from UTC."""
    if not isinstance(value, str) or not value:
        return ""
    try:
        when = dt.datetime.fromisoformat(value)
    except ValueError:
        return value
    return when.strftime("%Y-%m-%d %H:%M:%S %z") if when.tzinfo else when.strftime("%Y-%m-%d %H:%M:%S")


def _run_html(run: dict[str, Any]) -> str:
    e = html.escape
    content = run["content"]
    parts = [f"<section><h2>{e(run['title'])}</h2>",
             f"<p class='meta'>Case {e(run['case_number'])} · {e(run['aid'])} · {e(content.get('kind', ''))} "
             f"{e(content.get('id', ''))} version {e(content.get('version', ''))} · status {e(run['status'])} · "
             f"{e(run['summary'])}</p>",
             f"<p class='meta'>Started {e(_when(run['started_at']))} · completed "
             f"{e(_when(run['completed_at']) or 'not completed')} · last saved {e(_when(run['last_saved_at']))} · "
             f"recorded by {e(run['recorded_by'])} · run "
             f"<code>{e(run['run_id'])}</code></p>"]
    if run.get("note"):
        parts.append(f"<p class='meta'><strong>Note:</strong> {e(run['note'])}</p>")
    for sec in run["sections"]:
        parts.append(f"<h3>{e(sec['title'])}</h3><table><thead><tr><th scope='col'>Item</th>"
                     "<th scope='col'>Answer</th><th scope='col'>Time</th></tr></thead><tbody>")
        for r in sec["rows"]:
            crit = " <strong>(critical)</strong>" if r.get("critical") else ""
            skipped = " class='skipped'" if r.get("skipped") else ""
            parts.append(f"<tr{skipped}><td>{e(r['label'])}{crit}</td><td>{e(str(r['value']))}</td>"
                         f"<td>{e(_when(r.get('at')))}</td></tr>")
        if not sec["rows"]:
            parts.append("<tr><td colspan='3'>Nothing recorded.</td></tr>")
        parts.append("</tbody></table>")
    if "scene_log" in run:  # format 3; a format 2 page has none and must draw as it was signed
        parts.append(_scene_log_html(run["scene_log"]))
    parts.append("</section>")
    return "".join(parts)


def _scene_log_html(lines: list[dict[str, Any]]) -> str:
    """A run's scene log as a table: each step with its time, oldest first."""
    e = html.escape
    rows = "".join(f"<tr><td>{e(str(line.get('label', '')))}</td><td>{e(_when(line.get('at')))}</td></tr>"
                   for line in lines) or "<tr><td colspan='2'>Nothing recorded.</td></tr>"
    return ("<h3>Scene log</h3><table class='scene-log'><thead><tr><th scope='col'>Step</th>"
            f"<th scope='col'>Time</th></tr></thead><tbody>{rows}</tbody></table>")


def render_html(document: dict[str, Any], style: str | None = None) -> str:
    """A printable page of a signed export; the whole document is embedded so the page can be verified."""
    e = html.escape
    payload = document["payload"]
    signature = document["signature"]
    style = page_styles()[0] if style is None else style
    count = len(payload["runs"])
    notes = "shown" if payload["notes_included"] else "redacted"
    return (
        "<!doctype html><html lang='en'><head><meta charset='utf-8'>"
        f"<title>{e(payload['title'])} · case {e(payload['case_number'])}</title>"
        f"<meta name='viewport' content='width=device-width, initial-scale=1'><style>{style}</style>"
        "</head><body><main>"
        f"<h1>{e(payload['title'])}</h1>"
        f"<p class='meta'>Case {e(payload['case_number'])} · {count} record{'s' if count != 1 else ''} · "
        f"exported {e(_when(payload['exported_at']))} by {e(payload['exported_by'])} · typed notes {notes}</p>"
        + "".join(_run_html(run) for run in payload["runs"])
        + f"<p class='meta'>Signed with the agency's key <code>{e(signature['key_id'])}</code> (Ed25519). "
        f"SHA-256 of the record: <code>{e(document['integrity']['digest'])}</code>. Check it with "
        "<code>handbook verify-export FILE</code>; on a computer without the agency's keys, add "
        "<code>--public-key</code> with the public key the agency gave you.</p>"
        f'<script type="application/json" id="handbook-export">{embedded_json(document)}</script>'
        "</main></body></html>\n"
    )
