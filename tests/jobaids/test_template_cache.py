"""Voila's page templates are compiled once per server, and an edited template is compiled afresh."""

from __future__ import annotations

from pathlib import Path

import pytest
from jinja2 import Environment, FileSystemLoader

from protocols.serve.template_cache import PAGE_TEMPLATES, MemoryBytecodeCache, share_compiled_templates


def counted(environment: Environment) -> list[str]:
    """Record each template ``environment`` compiles from source."""
    compiled: list[str] = []
    compile_source = environment.compile

    def compile_and_count(source, name=None, filename=None, raw=False, defer_init=False):  # type: ignore[no-untyped-def]
        compiled.append(str(name))
        return compile_source(source, name, filename, raw, defer_init)

    environment.compile = compile_and_count  # type: ignore[method-assign]
    return compiled


def test_a_second_environment_reuses_the_compiled_template(tmp_path: Path) -> None:
    (tmp_path / "page.html.j2").write_text("<p>{{ who }} at the scene</p>")
    cache = MemoryBytecodeCache()
    first = Environment(loader=FileSystemLoader(str(tmp_path)), bytecode_cache=cache, autoescape=True)
    assert first.get_template("page.html.j2").render(who="Officer") == "<p>Officer at the scene</p>"
    assert len(cache) == 1
    second = Environment(loader=FileSystemLoader(str(tmp_path)), bytecode_cache=cache, autoescape=True)
    compiled = counted(second)
    assert second.get_template("page.html.j2").render(who="Supervisor") == "<p>Supervisor at the scene</p>"
    assert compiled == [], "the second page compiled the template again"


def test_a_cached_template_is_not_unmarshalled_again(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import jinja2.bccache

    (tmp_path / "page.html.j2").write_text("<p>{{ who }}</p>")
    cache = MemoryBytecodeCache()
    Environment(loader=FileSystemLoader(str(tmp_path)), bytecode_cache=cache).get_template("page.html.j2")

    def refuse(*_: object) -> None:
        raise AssertionError("the compiled template was unmarshalled")

    monkeypatch.setattr(jinja2.bccache.marshal, "loads", refuse)
    monkeypatch.setattr(jinja2.bccache.marshal, "load", refuse)
    again = Environment(loader=FileSystemLoader(str(tmp_path)), bytecode_cache=cache)
    assert again.get_template("page.html.j2").render(who="Advocate") == "<p>Advocate</p>"


def test_an_edited_template_is_compiled_afresh(tmp_path: Path) -> None:
    template = tmp_path / "page.html.j2"
    template.write_text("<p>old</p>")
    cache = MemoryBytecodeCache()
    Environment(loader=FileSystemLoader(str(tmp_path)), bytecode_cache=cache).get_template("page.html.j2")
    template.write_text("<p>new wording</p>")
    fresh = Environment(loader=FileSystemLoader(str(tmp_path)), bytecode_cache=cache)
    compiled = counted(fresh)
    assert fresh.get_template("page.html.j2").render() == "<p>new wording</p>"
    assert compiled == ["page.html.j2"]


def test_every_voila_page_exporter_shares_the_cache() -> None:
    pytest.importorskip("voila")
    from voila.exporter import VoilaExporter

    share_compiled_templates()
    share_compiled_templates()  # twice is harmless
    one, two = VoilaExporter(template_name="lab"), VoilaExporter(template_name="lab")
    assert one.environment is not two.environment
    assert one.environment.bytecode_cache is PAGE_TEMPLATES
    assert two.environment.bytecode_cache is PAGE_TEMPLATES
