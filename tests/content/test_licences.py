"""Licences as pages state them: public domain, Creative Commons by SPDX id, or copyrighted."""

from __future__ import annotations

from pathlib import Path

import pytest

from factsheets.content.licences import Licence, licence_problem, spdx_from_url
from factsheets.content.sources import load_document
from factsheets.errors import FactsheetsError


@pytest.mark.parametrize(
    ("written", "kind", "label", "deed", "limits_quotes"),
    [
        ("public-domain", "public-domain", "public domain", None, False),
        ("copyrighted", "copyrighted", "copyrighted", None, True),
        ("CC-BY-4.0", "creative-commons", "CC BY 4.0", "https://creativecommons.org/licenses/by/4.0/", False),
        ("CC-BY-SA-4.0", "creative-commons", "CC BY-SA 4.0", "https://creativecommons.org/licenses/by-sa/4.0/", False),
        ("CC-BY-NC-4.0", "creative-commons", "CC BY-NC 4.0", "https://creativecommons.org/licenses/by-nc/4.0/", False),
        ("CC-BY-ND-4.0", "creative-commons", "CC BY-ND 4.0", "https://creativecommons.org/licenses/by-nd/4.0/", True),
        ("CC-BY-3.0-US", "creative-commons", "CC BY 3.0 US", "https://creativecommons.org/licenses/by/3.0/us/", False),
        ("CC0-1.0", "public-domain", "CC0 1.0", "https://creativecommons.org/publicdomain/zero/1.0/", False),
    ],
)
def test_a_licence_decides_its_label_link_and_quote_limit(
    written: str, kind: str, label: str, deed: str | None, limits_quotes: bool
) -> None:
    """No-derivatives licences allow the text shared unchanged, not adapted: quoted within the limit, as copyright."""
    licence = Licence(written)
    assert licence_problem(written) is None
    assert (licence.kind, licence.label, licence.deed, licence.limits_quotes) == (kind, label, deed, limits_quotes)


@pytest.mark.parametrize(
    ("written", "problem"),
    [
        ("free", "'free' is not a licence factsheets knows"),
        ("cc-by-4.0", "'cc-by-4.0' is written in the wrong case: SPDX writes it 'CC-BY-4.0'"),
        ("public_domain", "'public_domain' is written 'public-domain' here"),
        ("CC-BY-5.0", "'CC-BY-5.0' is not a licence factsheets knows"),
        ("CC BY 4.0", "'CC BY 4.0' is not a licence factsheets knows"),
    ],
)
def test_an_unknown_licence_is_refused_saying_why(written: str, problem: str) -> None:
    assert licence_problem(written) == problem


@pytest.mark.parametrize(
    ("url", "spdx"),
    [
        ("https://creativecommons.org/licenses/by/4.0/", "CC-BY-4.0"),
        ("https://creativecommons.org/licenses/by-nc-sa/4.0/deed.en", "CC-BY-NC-SA-4.0"),
        ("http://creativecommons.org/licenses/by/3.0/us/", "CC-BY-3.0-US"),
        ("https://creativecommons.org/publicdomain/zero/1.0/", "CC0-1.0"),
        ("https://creativecommons.org/publicdomain/mark/1.0/", "public-domain"),
        ("https://www.example.org/terms", None),
    ],
)
def test_a_pages_licence_link_names_its_licence(url: str, spdx: str | None) -> None:
    assert spdx_from_url(url) == spdx


def _source(tmp_path: Path, licence: str) -> Path:
    path = tmp_path / "x.md"
    path.write_text(
        f"---\nid: x\ntitle: X\npublisher: P\nurl: https://x.org\nlicense: {licence}\nreviewed: null\n---\n# X\n\nText.\n",
        encoding="utf-8",
    )
    return path


def test_a_source_may_state_a_creative_commons_licence(tmp_path: Path) -> None:
    meta = load_document(_source(tmp_path, "CC-BY-4.0")).meta
    assert meta.license == "CC-BY-4.0"
    assert meta.licence.label == "CC BY 4.0"


def test_a_misspelt_licence_is_refused_at_its_line(tmp_path: Path) -> None:
    with pytest.raises(FactsheetsError) as err:
        load_document(_source(tmp_path, "cc-by-4.0"))
    (problem,) = err.value.problems
    assert problem.line == 6
    assert problem.message == "license: 'cc-by-4.0' is written in the wrong case: SPDX writes it 'CC-BY-4.0'"
    assert "CC-BY-4.0" in problem.fix
