"""Measured tables in README.md and docs/ are rendered from the benchmarks' JSON
(tools/render_results.py): a table that disagrees with its JSON fails here."""

import importlib.util
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


def _tool():
    spec = importlib.util.spec_from_file_location("render_results", ROOT / "tools" / "render_results.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.mark.quick
def test_every_rendered_block_agrees_with_its_json():
    tool = _tool()
    seen = set()
    for path in tool.files():
        text = path.read_text()
        seen |= {m.group("name") for m in tool.BLOCK.finditer(text)}
        _, changed = tool.render(text)
        assert not changed, f"{path.name}: {changed} disagree with their JSON: run python tools/render_results.py"
    assert set(tool.BLOCKS) <= seen  # every block is used somewhere (and render() refuses unknown ones)


def test_a_benchmark_table_is_copied_from_its_markdown_and_a_missing_one_is_refused(tmp_path):
    tool = _tool()
    md = (ROOT / "benchmarks" / "results" / "completion.md").read_text().splitlines()
    table = [line for line in md if line.startswith("|")]
    assert tool.benchmark_table("table-completion-1") == table and len(table) >= 3
    for bad in ("table-completion-9", "table-nonesuch-1", "nonesuch"):
        with pytest.raises(SystemExit):
            tool.render(f"<!-- rendered: {bad} -->\n<!-- end rendered -->\n")


def test_a_block_that_disagrees_is_found_and_rewritten():
    tool = _tool()
    text = "before\n<!-- rendered: sanafe -->\n| a hand-typed table |\n<!-- end rendered -->\nafter\n"
    new, changed = tool.render(text)
    assert changed == ["sanafe"] and "SANA-FE (uJ)" in new and new.startswith("before\n") and new.endswith("after\n")
    assert tool.render(new)[1] == []  # rendering is idempotent


@pytest.mark.quick
def test_readme_reads_in_five_minutes_and_every_link_resolves():
    import re

    readme = ROOT / "README.md"
    assert len(readme.read_text().splitlines()) <= 250  # the rest lives in docs/, one page per topic
    broken = []
    for page in [readme, *sorted((ROOT / "docs").glob("*.md"))]:
        for target in re.findall(r"\]\(([^)#\s]+)", page.read_text()):
            if not target.startswith("http") and not (page.parent / target).exists():
                broken.append(f"{page.name}: {target}")
    assert broken == []
