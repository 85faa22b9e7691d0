"""The source records: what `sources` counts for each, and where each source's details come
from (`described_in`, `title_zh`), through the real CLI with the built-in values."""

from __future__ import annotations

from typing import Any

from .conftest import RunCli


def _sources(run: RunCli) -> dict[str, dict[str, Any]]:
    result = run("sources", "--json")
    assert result.exit_code == 0, result.stderr
    return {record["id"]: record for record in result.json()}


# --- counts ---------------------------------------------------------------------------------------


def test_figure_count_counts_only_facts_with_a_figure(run: RunCli) -> None:
    sources = _sources(run)
    for source_id, record in sources.items():
        facts = run("facts", "--source", source_id, "--json").json()
        with_a_value = [
            f for f in facts if f["source"]["id"] == source_id and f["value"] is not None
        ]
        assert record["figure_count"] == len(with_a_value), source_id
    # the Shanghai survey: 8 stated figures and 2 derived from them; its 5 lists and statements
    # cite it but are no figure of it
    shanghai = run("facts", "--source", "shanghai-survey-2024", "--json").json()
    assert len(shanghai) == sources["shanghai-survey-2024"]["fact_count"] == 15
    assert sum(f["value"] is not None for f in shanghai) == 10
    assert sources["shanghai-survey-2024"]["figure_count"] == 10
    # the article is the source of lists and statements only: every figure is a study's
    assert sources["china-minutes-2025"]["figure_count"] == 0
    assert sources["china-minutes-2025"]["quote_count"] == 36


def test_the_stacked_sources_say_how_many_figures(run: RunCli) -> None:
    out = run("sources").stdout
    assert "secondary · 2025-04-01 · cited by 39 facts: 0 for a figure, 36 for a quote" in out
    assert "primary · 2025-03-30 · cited by 11 facts: 7 for a figure, 0 for a quote" in out
    assert "primary · 2025-01-03 · cited by 15 facts: 10 for a figure, 0 for a quote" in out
