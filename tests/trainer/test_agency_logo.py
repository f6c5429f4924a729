"""The agency logo on pocket cards and in the job-aid header: same-site address, alt text."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from protocols.library.agency import AgencyProfile, read_profile
from protocols.library.loader import load_library
from protocols.render import pocket_card_html
from protocols.render.html import agency_logo_html, agency_logo_name

ROOT = Path(__file__).resolve().parents[2]
RIVER = ROOT / "agencies" / "river-city" / "agency.yaml"
SAMPLE = ROOT / "agencies" / "sample-county" / "agency.yaml"


def _profile(file: Path) -> AgencyProfile:
    profile, problems = read_profile(file)
    assert profile is not None, problems
    return profile


def test_river_city_has_a_small_svg_logo_of_its_own_and_the_sample_agency_none() -> None:
    river = _profile(RIVER)
    assert river.logo == "logo.svg" and agency_logo_name(river) == "agency-logo.svg"
    svg = (RIVER.parent / river.logo).read_text(encoding="utf-8")
    assert svg.startswith("<svg") and len(svg) < 2000
    assert "<script" not in svg and "href" not in svg.replace('xmlns="http://www.w3.org/2000/svg"', "")
    assert _profile(SAMPLE).logo is None and agency_logo_name(_profile(SAMPLE)) is None


def test_a_pocket_card_draws_the_logo_only_when_the_site_serves_one() -> None:
    river, sample = _profile(RIVER), _profile(SAMPLE)
    protocol = load_library().protocol("scene-response")
    card = pocket_card_html(protocol, agency=river, logo_url="../_static/agency-logo.svg")
    head = card[card.index('<header class="hc-card-head">'):card.index("</header>")]
    assert '<img class="hc-card-logo" src="../_static/agency-logo.svg" alt="River City Police Department logo"' in head
    assert "<img" not in pocket_card_html(protocol, agency=river)
    assert "<img" not in pocket_card_html(protocol, agency=sample, logo_url="../_static/agency-logo.svg")


def test_the_logo_markup_escapes_the_name_and_the_address() -> None:
    river = _profile(RIVER).model_copy(update={"name": 'A "B" <C>'})
    out = agency_logo_html(river, '/x".svg', "c")
    assert 'alt="A &quot;B&quot; &lt;C&gt; logo"' in out and 'src="/x&quot;.svg"' in out


def _header(profile: Path | None) -> str:
    env = {k: v for k, v in os.environ.items() if not k.startswith("HANDBOOK_")}
    if profile is not None:
        env["HANDBOOK_AGENCY"] = str(profile)
    code = "from protocols.ui.frame import header; print(header('Scene response').value)"
    return subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True,
                          env=env).stdout


def test_the_job_aid_header_shows_the_logo_from_the_servers_own_book() -> None:
    river = _header(RIVER)
    assert ('<img class="hb-aid-logo" src="/_static/agency-logo.svg" alt="River City Police '
            'Department logo"') in river
    assert river.index("hb-aid-logo") < river.index('<h1 class="hb-aid-title">')
    for other in (_header(SAMPLE), _header(None)):
        assert "<img" not in other and "hb-aid-title" in other
