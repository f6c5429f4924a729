"""``handbook new``: start a protocol, scenario or directory from a commented template.

The templates (``protocols/templates/*.yaml``) are valid content as written, so a new
file passes ``handbook validate`` before the trainer changes a word; the notes in them
explain each field in plain words. :func:`next_steps` is what the command prints after it:
for a checklist, how to check it, where its card shows, the block that puts it in a
chapter and the link that opens it as a job aid.
"""

from __future__ import annotations

import datetime as dt
import re
from importlib import resources
from pathlib import Path

from protocols.library.agency import read_profile
from protocols.library.loader import DEFAULT_CONTENT
from protocols.render.labels import checklist_aid_path
from protocols.serve.options import ServeOptions
from protocols.settings import CONTENT

KINDS: dict[str, str] = {"protocol": "protocols", "scenario": "scenarios", "resource": "resources"}
"""What ``handbook new`` can start → the content folder it goes in."""
SLUG = re.compile(r"^[a-z0-9]+(-[a-z0-9]+)*$")


class AuthoringError(Exception):
    """A request ``handbook new`` cannot carry out; the message says why and what to do."""


def template_text(kind: str, name: str, today: dt.date) -> str:
    """The template for ``kind`` with its id, title and dates filled in."""
    if kind not in KINDS:
        raise AuthoringError(f"there is no template for `{kind}`; use one of: {', '.join(KINDS)}")
    text = resources.files("protocols").joinpath("trainer", "templates", f"{kind}.yaml").read_text(encoding="utf-8")
    title = name.replace("-", " ").capitalize()
    return (text.replace("__ID__", name).replace("__TITLE__", title)
            .replace("__TODAY__", today.isoformat()))


def target_folder(kind: str, content: Path | None = None, agency: Path | None = None) -> Path:
    """Where a new file of this kind goes: the content folder, or the agency's overlay."""
    folder = KINDS[kind]
    if agency is None:
        return (content if content is not None else DEFAULT_CONTENT) / folder
    profile, problems = read_profile(agency) if agency.is_file() else (None, [])
    if profile is None:
        detail = f": {problems[0]}" if problems else ""
        raise AuthoringError(f"cannot read the agency profile {agency}{detail}; run "
                             f"`handbook validate --agency {agency}`")
    if not profile.overlay:
        raise AuthoringError(f"the agency profile {agency} has no overlay folder; add the line "
                             "`overlay: overlay` to it and create that folder next to it")
    return agency.parent / profile.overlay / folder


def write_new(kind: str, name: str, *, content: Path | None = None, agency: Path | None = None,
              today: dt.date | None = None, taken: set[str] | None = None) -> Path:
    """Write the filled-in template; refuse a bad name, a used id or an existing file."""
    if not SLUG.match(name) or not 2 <= len(name) <= 64:
        raise AuthoringError(f"`{name}` is not a usable id: use 2 to 64 lower-case letters and "
                             "digits, with single hyphens between words, e.g. `welfare-check`")
    if taken and name in taken:
        raise AuthoringError(f"the {kind} id `{name}` is already used; pick another name"
                             + (f", or change the shipped one with changes/{name}.yaml in the overlay"
                                if agency is not None and kind == "protocol" else ""))
    folder = target_folder(kind, content, agency)
    target = folder / f"{name}.yaml"
    if target.exists():
        raise AuthoringError(f"{target} already exists; nothing was written. Edit that file, or "
                             "pick another name")
    folder.mkdir(parents=True, exist_ok=True)
    text = template_text(kind, name, today or dt.date.today())
    with target.open("x", encoding="utf-8") as handle:  # "x": never overwrite, even in a race
        handle.write(text)
    return target


def chapter_block(protocol_id: str) -> str:
    """The MyST block that shows a checklist in a chapter page."""
    return f"```{{protocol}} {protocol_id}\n```"


def next_steps(kind: str, name: str, *, content: Path | None = None, agency: Path | None = None) -> list[str]:
    """What to do after ``handbook new``, as lines to print; for a checklist, every step to using it."""
    options = (f" --content {content}" if content else "") + (f" --agency {agency}" if agency else "")
    check = f"handbook validate{options}"
    if kind != "protocol":
        return [f"Next: open it, follow the notes (lines starting with #), then run `{check}`."]
    serve = (f"{CONTENT.name}={content} " if content else "") + "handbook serve" + (
        f" --agency {agency}" if agency else "")
    link = f"http://127.0.0.1:{ServeOptions.port}/" + checklist_aid_path(name)
    block = chapter_block(name).splitlines()
    return [
        "Next steps:",
        "1. Edit it. Open the file and follow the notes (the lines that start with #).",
        f"2. Check it. Run `{check}` and fix each problem it lists.",
        f"3. See its card. Once it is valid, it is on the Pocket cards page. Run `handbook preview{options}`"
        " to look.",
        "4. Put it in a chapter. Paste these two lines into a chapter page (a .md file under book/):",
        "",
        *(f"       {line}" for line in block),
        "",
        "   Then add `chapter: book/FOLDER/PAGE` to the checklist file, naming that page without .md.",
        "   For a new page, also add `- file: book/FOLDER/PAGE` to _toc.yml. The trainers' guide shows",
        "   how, in \"Put a checklist in a chapter\" (book/maintaining/editing.md).",
        f"5. Use it at a scene. Run `{serve}`, then open",
        f"   {link}",
        "   It is also on the list of job aids, under \"More checklists\".",
    ]
