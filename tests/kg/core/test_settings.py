"""Settings: one table of every LEGPAIN_* variable, generated from the code and kept in the README."""

from __future__ import annotations

import re
from dataclasses import fields
from pathlib import Path

import pytest

from kg.core.settings import PROJECT_ROOT, Settings, settings_table


def test_the_readme_lists_every_setting_as_the_code_defines_it() -> None:
    readme = (PROJECT_ROOT / "README.md").read_text(encoding="utf-8")
    block = re.search(r"<!-- settings:start[^>]*-->\n(.*?)<!-- settings:end -->", readme, re.DOTALL)
    assert block is not None, "the README has no generated settings table"
    assert block.group(1) == settings_table(), (
        "regenerate it: python -c 'from kg.core.settings import settings_table; ...'"
    )


def test_every_setting_is_documented_and_read_from_its_variable() -> None:
    rows = Settings.variables()
    assert [name for name, _, _ in rows] == [f"LEGPAIN_{f.name.upper()}" for f in fields(Settings)]
    assert all(doc for _, _, doc in rows)
    assert Settings.from_env({"LEGPAIN_MAX_FIELDS": "7", "LEGPAIN_SPARQL_LONG_QUERY_S": "0.25"}).max_fields == 7
    with pytest.raises(ValueError, match="LEGPAIN_MAX_COST"):
        Settings.from_env({"LEGPAIN_MAX_COST": "lots"})


def test_a_string_override_reads_as_its_environment_variable_would() -> None:
    """`Settings.from_env(dataset="dump.nq.gz")` from a script is a path, as LEGPAIN_DATASET would be."""
    settings = Settings.from_env({}, dataset="dump.nq.gz", max_fields="7")
    assert settings.dataset == Path("dump.nq.gz")
    assert settings.max_fields == 7
    with pytest.raises(ValueError, match="LEGPAIN_MAX_COST"):
        Settings.from_env({}, max_cost="lots")
