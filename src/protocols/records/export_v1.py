"""The first export format (``crisis-handbook/run-export/1``): one checklist run, unsigned.

Kept as it was released, so ``handbook verify-export`` can still read files made in it: it
checks their SHA-256 digest (which shows an accidental change, not a forgery) and reports them
as unsigned. New exports are made by :mod:`protocols.records.export` and are signed.
"""

from __future__ import annotations

import html
import json
import re
from pathlib import Path
from typing import Any

from protocols.engine import ChecklistRun
from protocols.models import Protocol, ValueType
from protocols.records.actor import recorded_by
from protocols.records.export_format import EMBED, ExportError, digest_of, read_export_text
from protocols.records.store import RunRecord

EXPORT_SCHEMA = "crisis-handbook/run-export/1"
REDACTED = "[redacted: free text; export with --include-notes to show]"


def checklist_payload(record: RunRecord, protocol: Protocol, include_notes: bool = False,
                      actors: list[str] | None = None, exported_by: str | None = None) -> dict[str, Any]:
    """The export payload of a checklist run: values, times, versions, skipped items with reasons.

    ``actors`` are who created and changed the run (``Store.actors``); ``exported_by`` who exports it.
    """
    run = ChecklistRun.restore(protocol, record.state) if record.content_version == protocol.version \
        else ChecklistRun.upgrade(protocol, record.state, record.updated_at)
    summary = run.summary()
    text_items = {item.id for item in protocol.items() if item.value.type is ValueType.TEXT}
    pause_points = []
    for pp in summary.pause_points:
        done = []
        for item in pp.done:
            shown = item.display
            if item.item_id in text_items and not include_notes:
                shown = REDACTED
            done.append({"item": item.item_id, "prompt": item.prompt, "critical": item.critical,
                         "value": shown, "answered_at": item.answered_at.isoformat(),
                         "content_version": item.content_version, "earlier_values": item.changes})
        skipped = [{"item": s.item_id, "prompt": s.prompt, "critical": s.critical, "why": s.why,
                    "reason": s.reason, "at": s.at.isoformat() if s.at else None} for s in pp.skipped]
        pause_points.append({"id": pp.id, "title": pp.title, "done": done, "skipped": skipped})
    return {
        "schema": EXPORT_SCHEMA,
        "run_id": record.id,
        "aid": record.aid,
        "case_number": record.case_number,
        "protocol": {"id": protocol.id, "title": protocol.title, "version": record.content_version,
                     "current_version": protocol.version, "revised": protocol.revised.isoformat()},
        "status": summary.status,
        "started_at": summary.started_at.isoformat(),
        "completed_at": summary.completed_at.isoformat() if summary.completed_at else None,
        "progress": summary.progress_text,
        "recorded_by": recorded_by(actors or []),
        **({"exported_by": exported_by} if exported_by is not None else {}),
        "notes_included": include_notes,
        "pause_points": pause_points,
    }


def to_json(payload: dict[str, Any]) -> str:
    document = {"payload": payload, "integrity": {"algorithm": "sha256", "digest": digest_of(payload)}}
    return json.dumps(document, indent=2, ensure_ascii=False) + "\n"


STYLE_V1 = (
    "body{font-family:system-ui,'DejaVu Sans',Arial,sans-serif;font-size:12pt;color:#111;"
    "background:#fff;max-width:50rem;margin:1rem auto;padding:0 1rem}"
    "table{border-collapse:collapse;width:100%;margin-bottom:1rem}"
    "th,td{border:1px solid #555;padding:0.3rem;text-align:left;vertical-align:top}"
    ".skipped td{background:#f3f3f3}.meta{font-size:11pt}h1{font-size:18pt}h2{font-size:14pt}"
    "@media print{body{margin:0}}"
)
STYLE = (
    "body{font-family:system-ui,'DejaVu Sans',Arial,sans-serif;font-size:12pt;line-height:1.35;color:#111;"
    "background:#fff;max-width:50rem;margin:1rem auto;padding:0 1rem}"
    "table{border-collapse:collapse;width:100%;margin-bottom:1rem}"
    "th,td{border:1px solid #555;padding:0.3rem;text-align:left;vertical-align:top}"
    ".skipped td{background:#f3f3f3}.meta{font-size:12pt}h1{font-size:18pt}h2{font-size:14pt}"
    "code{font-family:'DejaVu Sans Mono',monospace;font-size:1em;overflow-wrap:anywhere}"
    "tr{break-inside:avoid}h2{break-after:avoid}"
    "@media print{body{margin:0}td:nth-child(3){white-space:nowrap}}"
)
"""The page's styles: every text at 12 pt or more (print legibility), dark on light."""
EARLIER_STYLES = (STYLE_V1,)
"""Styles of earlier releases, so their exports still verify (the page is compared in full)."""


def to_html(payload: dict[str, Any], style: str = STYLE) -> str:
    """A printable page; the JSON payload is embedded so the page itself can be verified."""
    e = html.escape
    digest = digest_of(payload)
    rows = []
    for pp in payload["pause_points"]:
        rows.append(f"<h2>{e(pp['title'])}</h2><table><thead><tr><th scope='col'>Item</th>"
                    "<th scope='col'>Value</th><th scope='col'>Time</th></tr></thead><tbody>")
        for item in pp["done"]:
            crit = " <strong>(critical)</strong>" if item["critical"] else ""
            rows.append(f"<tr><td>{e(item['prompt'])}{crit}</td><td>{e(str(item['value']))}</td>"
                        f"<td>{e(item['answered_at'])}</td></tr>")
        for item in pp["skipped"]:
            crit = " <strong>(critical)</strong>" if item["critical"] else ""
            rows.append(f"<tr class='skipped'><td>{e(item['prompt'])}{crit}</td>"
                        f"<td>Skipped ({e(item['why'])}): {e(item['reason'])}</td>"
                        f"<td>{e(item['at'] or '')}</td></tr>")
        rows.append("</tbody></table>")
    embedded = (json.dumps(payload, ensure_ascii=False)
                .replace("&", "\\u0026").replace("<", "\\u003c").replace(">", "\\u003e"))
    p = payload["protocol"]
    return (
        "<!doctype html><html lang='en'><head><meta charset='utf-8'>"
        f"<title>{e(p['title'])} · case {e(payload['case_number'])}</title>"
        f"<meta name='viewport' content='width=device-width, initial-scale=1'><style>{style}</style>"
        "</head><body><main>"
        f"<h1>{e(p['title'])}</h1>"
        f"<p class='meta'>Case {e(payload['case_number'])} · protocol version {e(p['version'])} "
        f"(revised {e(p['revised'])}) · status {e(payload['status'])} · {e(payload['progress'])}</p>"
        f"<p class='meta'>Started {e(payload['started_at'])} · completed "
        f"{e(payload['completed_at'] or 'not completed')} · recorded by {e(payload['recorded_by'])}"
        + (f" · exported by {e(payload['exported_by'])}" if "exported_by" in payload else "") + "</p>"
        + "".join(rows)
        + f"<p class='meta'>Integrity (SHA-256 of the record): <code>{digest}</code>. "
        "Check it with <code>handbook verify-export FILE</code>.</p>"
        f'<script type="application/json" id="handbook-export">{embedded}</script>'
        f'<meta name="handbook-digest" content="{digest}">'
        "</main></body></html>\n"
    )


def page_matches(text: str, payload: dict[str, Any]) -> bool:
    """True if the page ``text`` is what this format renders from ``payload`` (in any of its styles)."""
    page = html.unescape(text)
    return any(html.unescape(to_html(payload, style)) == page for style in (STYLE, *EARLIER_STYLES))


def verify_export(path: Path) -> str:
    """Return the digest if a first-format export is intact; raise ``ExportError`` saying what is wrong."""
    text = read_export_text(path)
    if path.suffix.lower() in (".html", ".htm"):
        match = EMBED.search(text)
        stated = re.search(r'<meta name="handbook-digest" content="([0-9a-f]{64})">', text)
        if not match or not stated:
            raise ExportError(f"{path} is not a handbook HTML export (no embedded record)")
        try:
            payload = json.loads(match.group(1))
        except json.JSONDecodeError:
            raise ExportError(f"{path}: the embedded record is damaged") from None
        expected = stated.group(1)
        if not page_matches(text, payload):
            raise ExportError(f"{path} was changed after export: the page no longer matches its record")
    else:
        try:
            document = json.loads(text)
            payload = document["payload"]
            expected = document["integrity"]["digest"]
        except (json.JSONDecodeError, KeyError, TypeError):
            raise ExportError(f"{path} is not a handbook JSON export") from None
    if not isinstance(payload, dict) or payload.get("schema") != EXPORT_SCHEMA:
        raise ExportError(f"{path}: unknown export schema; expected {EXPORT_SCHEMA}")
    actual = digest_of(payload)
    if actual != expected:
        raise ExportError(f"{path} was changed after export: its digest does not match its content")
    return actual
