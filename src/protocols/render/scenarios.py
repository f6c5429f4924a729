"""Training as HTML: a scenario's summary card and the lists of job aids."""

from __future__ import annotations

from collections.abc import Iterable

from protocols.library.container import Library
from protocols.models import Scenario
from protocols.render.common import NO_LINKS, Links, date, esc, heading, link_or_text, needs_html, paragraphs
from protocols.render.labels import JobAid


def scenario_html(scenario: Scenario, library: Library, links: Links = NO_LINKS, *,
                  level: int = 3, player: JobAid | None = None) -> str:
    """A training scenario's summary card with a link to the scenario player."""
    sid = scenario.id
    parts = [
        heading(level, esc(scenario.title), f"scenario-{sid}", "hc-title"),
        '<div class="hc-warning" role="note"><p><strong>Content warning:</strong> '
        f"{esc(scenario.content_warning)}</p></div>",
        paragraphs(scenario.summary, "hc-summary"),
        '<dl class="hc-facts">'
        f"<dt>Time</dt><dd>About {scenario.minutes} minutes</dd>"
        f"<dt>Decisions</dt><dd>{len(scenario.nodes)}</dd>"
        f"<dt>Based on</dt><dd>{esc(scenario.based_on)}</dd>"
        f"<dt>Version</dt><dd>{esc(scenario.version)}, revised {date(scenario.revised)}</dd>"
        "</dl>",
        needs_html(scenario.needs),
    ]
    if player is not None:
        href = links.job_aid(player, f"scenario={sid}")
        if href:
            parts.append(f'<p class="hc-actions">{link_or_text(href, "Play this scenario", "hc-action hc-job-aid")}'
                         "</p>")
    parts.append('<details class="hc-debrief"><summary>Debrief points (for the trainer)</summary>'
                 "<ul>" + "".join(f"<li>{esc(p)}</li>" for p in scenario.debrief_points)
                 + "</ul></details>")
    return f'<section class="hc-scenario" id="scenario-{esc(sid)}">{"".join(parts)}</section>'


def job_aid_links_html(aids: Iterable[JobAid], links: Links = NO_LINKS) -> str:
    """A short row of job-aid links (titles only), for a page's first screen."""
    entries = "".join(f"<li>{link_or_text(links.job_aid(aid), esc(aid.title), 'hc-job-aid')}</li>" for aid in aids)
    return f'<ul class="hc-job-aid-links">{entries}</ul>'


def job_aid_list_html(aids: Iterable[JobAid], links: Links = NO_LINKS) -> str:
    """The job-aid index: one line each, linked when the job-aid server is reachable."""
    rows = "".join(
        f'<li class="hc-job-aid-entry" id="job-aid-{esc(aid.name)}"><p>'
        f'<strong>{link_or_text(links.job_aid(aid), esc(aid.title), "hc-job-aid")}</strong> — '
        f'{esc(aid.summary)}</p><p class="hc-job-aid-path"><code>{esc(aid.path)}</code></p></li>'
        for aid in aids)
    return f'<ul class="hc-job-aids">{rows}</ul>'
