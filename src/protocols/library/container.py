"""The :class:`Library`: the validated content, indexed by id within each kind.

It sits below the loader and the checks so that both can use it (the loader builds one, the
checks read one) without either importing the other.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from protocols.engine.answers import DEFAULT_CASE_NUMBER_FORMAT, CaseNumberFormat
from protocols.library.agency import AgencyProfile
from protocols.models import (
    CONTENT_KINDS,
    ConfidentialityGuide,
    FollowUpTemplate,
    NeedsCatalogue,
    Protocol,
    ResourceDirectory,
    RightsNotice,
    Scenario,
    ScreeningInstrument,
    Source,
    lookup,
)

DEFAULT_CONTENT = Path(__file__).parents[1] / "content"
"""The content shipped with the package."""


@dataclass(frozen=True)
class Library:
    """The validated content, indexed by id within each kind."""

    content_dir: Path
    sources: dict[str, Source] = field(default_factory=dict)
    protocols: dict[str, Protocol] = field(default_factory=dict)
    instruments: dict[str, ScreeningInstrument] = field(default_factory=dict)
    rights: dict[str, RightsNotice] = field(default_factory=dict)
    confidentiality: dict[str, ConfidentialityGuide] = field(default_factory=dict)
    resources: dict[str, ResourceDirectory] = field(default_factory=dict)
    needs: dict[str, NeedsCatalogue] = field(default_factory=dict)
    followup: dict[str, FollowUpTemplate] = field(default_factory=dict)
    scenarios: dict[str, Scenario] = field(default_factory=dict)
    files: dict[tuple[str, str], Path] = field(default_factory=dict)
    """(kind, id) → the YAML file it came from."""
    digest: str = ""
    """A short hash of every content file: changes whenever any content changes."""
    agency: AgencyProfile | None = None
    """The agency profile applied, if any."""

    def protocol(self, protocol_id: str) -> Protocol:
        return lookup(self.protocols, protocol_id, "protocol")

    def instrument(self, instrument_id: str) -> ScreeningInstrument:
        return lookup(self.instruments, instrument_id, "screening instrument")

    def notice(self, notice_id: str) -> RightsNotice:
        return lookup(self.rights, notice_id, "rights notice")

    def guide(self, guide_id: str) -> ConfidentialityGuide:
        return lookup(self.confidentiality, guide_id, "confidentiality guide")

    def directory(self, directory_id: str) -> ResourceDirectory:
        return lookup(self.resources, directory_id, "resource directory")

    def catalogue(self, catalogue_id: str) -> NeedsCatalogue:
        return lookup(self.needs, catalogue_id, "needs assessment")

    def template(self, template_id: str) -> FollowUpTemplate:
        return lookup(self.followup, template_id, "follow-up template")

    def scenario(self, scenario_id: str) -> Scenario:
        return lookup(self.scenarios, scenario_id, "scenario")

    def source(self, source_id: str) -> Source:
        return lookup(self.sources, source_id, "source")

    def notices_in_family(self, family: str) -> list[RightsNotice]:
        """Every language version of one rights notice, English first."""
        found = [n for n in self.rights.values() if n.family == family]
        return sorted(found, key=lambda n: (n.language != "en", n.language))

    @property
    def case_number_format(self) -> CaseNumberFormat:
        """How case numbers are written: the agency's format, else at least one digit."""
        return self.agency.case_number if self.agency is not None else DEFAULT_CASE_NUMBER_FORMAT

    def counts(self) -> dict[str, int]:
        """How many objects of each kind the library holds."""
        return {kind: len(getattr(self, kind)) for kind in ("sources", *CONTENT_KINDS)}
