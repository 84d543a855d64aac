"""Sheet definitions: the shipped ones are valid, and each bad input gets its exact message."""

from __future__ import annotations

import json
import shutil
from collections.abc import Callable
from pathlib import Path

import pytest
from helpers.cli import cli
from helpers.project import DATA, ROOT

from factsheets.content.cancer_types import CANCER_TYPES
from factsheets.content.reading import MAX_BYTES
from factsheets.content.sheets import Sheet, load_sheets, sheet_schema
from factsheets.content.sites import SITES
from factsheets.errors import FactsheetsError
from factsheets.project import Content
from factsheets.quality import checks, pemat, readability
from factsheets.quality.pemat_form import ADEQUATE
from factsheets.selection.select import URGENT
from factsheets.selection.variant import Variant

BAD = DATA / "bad_sheets"
README = (ROOT / "README.md").read_text(encoding="utf-8")


# The topics patients ask about (issue 24), from NCI's public-domain pages: each sheet, and the
# section where the reader is told what to tell the care team (its signs or its steps). What the
# page says to act on right away is not a section: it is the sheet's urgent signs, in its call box.
TOPIC_SHEETS = {
    "peritoneum": "Tell your doctor or nurse if you notice",
    "pleural-effusion": "Talk to your doctor if you have",
    "pain": "Call your doctor or nurse about new pain",
    "fatigue": "Tell your health care team",
    "nausea-appetite": "Tell your doctor",
    "feelings": "Tell your health care team if you have",
    "caregivers": "Watch for signs of depression",
}
# The topic sheets whose page names something to do right away, and a phrase of it: the 988
# Lifeline. The other pages name none (nausea-appetite's loss of appetite "to report right away" is
# under its "Tell your doctor": beside the 911 line it read as an emergency, issue 24 review).
TOPIC_URGENT = {"feelings": "988 Suicide and Crisis Lifeline"}
SHIPPED_SHEETS = {
    "what-is-metastatic-cancer",
    "how-cancer-spreads",
    "where-it-spreads",
    "bone",
    "brain",
    "liver",
    "lungs",
    "tests-for-metastasis",
    "treatment",
    "questions",
    "living-with",
    *TOPIC_SHEETS,
}


def test_shipped_sheets_cover_the_topics() -> None:
    sheets = load_sheets(ROOT / "sheets")
    assert set(sheets) == SHIPPED_SHEETS  # README lists them: a sheet added or removed is said there too
    assert sheets["where-it-spreads"].cancer_types == "all"
    for sheet_id in SHIPPED_SHEETS:
        assert f"`{sheet_id}`" in README, f"README does not name the shipped sheet {sheet_id}"


def test_every_site_sheet_is_named_by_its_site_key() -> None:
    """A packet for `--sites peritoneum` finds its sheet by the site's key: the sheet's id must be that key."""
    sheets = load_sheets(ROOT / "sheets")
    assert {s.sheet_id for s in SITES.values()} & set(sheets) == {"bone", "brain", "liver", "lungs", "peritoneum"}


@pytest.mark.parametrize("sheet_id", sorted(TOPIC_SHEETS))
def test_topic_sheets_read_at_grade_8_and_pass_pemat_on_their_own_content(content: Content, sheet_id: str) -> None:
    """The meters `check` uses, on the sheet's own sections (the shared boxes graded apart, credited nothing)."""
    filled = content.fill(Variant(sheet_id))
    reading = readability.reading(readability.own_groups(filled))
    assert reading.flesch_kincaid <= filled.sheet.reading_grade_target, reading
    undefined = checks.undefined_terms(filled, content.common.glossary)
    assert undefined == []  # every glossary word it prints is in its "Words to know"
    score = pemat.score(filled, undefined)
    assert (score.understandability or 0) >= ADEQUATE, score.warnings()
    assert (score.actionability or 0) >= ADEQUATE, score.warnings()
    cited = [g.citation for s in filled.sections for g in s.groups]
    assert all(c is not None and c.source.id.startswith("nci-") for c in cited)  # NCI's words, none retyped


@pytest.mark.parametrize(("sheet_id", "heading"), sorted(TOPIC_SHEETS.items()))
def test_topic_sheets_say_when_to_call_in_a_section_of_their_own(content: Content, sheet_id: str, heading: str) -> None:
    """Each sheet's own signs and steps are where the reader acts: a section headed with what to do."""
    filled = content.fill(Variant(sheet_id))
    (section,) = [s for s in filled.sections if s.heading == heading]
    assert pemat.heading_action(heading) is not None
    assert section.groups
    assert all(g.citation is not None for g in section.groups)  # the source's words, cited


@pytest.mark.parametrize("sheet_id", sorted(TOPIC_SHEETS))
def test_topic_sheets_print_what_is_urgent_in_the_call_box_not_in_a_section(content: Content, sheet_id: str) -> None:
    """Urgent signs go where people act, under the call box's "Get help right away" beside its 911 line."""
    filled = content.fill(Variant(sheet_id))
    assert URGENT not in [s.heading for s in filled.sections]  # no section repeats the box's heading
    urgent = " ".join(t for g in filled.urgent for t in g.texts)
    if sheet_id in TOPIC_URGENT:
        assert TOPIC_URGENT[sheet_id] in urgent
        assert all(g.citation is not None and g.citation.source.id.startswith("nci-") for g in filled.urgent)
        printed = [t for s in filled.sections for g in s.groups for t in g.texts]
        assert not [t for t in printed if TOPIC_URGENT[sheet_id] in t]  # in the box only, not again in a section
    else:
        assert urgent == ""


@pytest.mark.parametrize("case", sorted(p.stem for p in BAD.glob("*.yaml")))
def test_bad_sheet_gets_its_message(case: str, tmp_path: Path) -> None:
    """Bad inputs as data: each YAML file next to the exact lines `check` must print."""
    shutil.copytree(ROOT / "sources", tmp_path / "sources")
    (tmp_path / "sheets").mkdir()
    shutil.copy(BAD / f"{case}.yaml", tmp_path / "sheets")
    result = cli("check", cwd=tmp_path)
    assert result.code == 1
    assert "Traceback" not in result.err
    assert (
        result.err.strip().splitlines() == (BAD / f"{case}.expected").read_text(encoding="utf-8").strip().splitlines()
    )


def test_problems_in_several_files_are_reported_together(tmp_path: Path) -> None:
    shutil.copytree(ROOT / "sources", tmp_path / "sources")
    (tmp_path / "sheets").mkdir()
    for case in ("unknown-key", "yaml-syntax"):
        shutil.copy(BAD / f"{case}.yaml", tmp_path / "sheets")
    result = cli("check", cwd=tmp_path)
    assert result.code == 1
    assert [line.split(":")[1].strip() for line in result.err.splitlines()] == [
        "sheets/unknown-key.yaml",
        "sheets/yaml-syntax.yaml",
    ]


def test_schema_matches_the_models_and_is_committed(tmp_path: Path) -> None:
    out = tmp_path / "schema.json"
    result = cli("schema", "-o", str(out))
    assert result.code == 0
    schema = json.loads(out.read_text(encoding="utf-8"))
    assert schema == sheet_schema()
    assert set(schema["properties"]) == set(Sheet.model_fields)
    assert schema["additionalProperties"] is False
    committed = json.loads((ROOT / "sheets" / "sheet.schema.json").read_text(encoding="utf-8"))
    assert committed == schema, "sheets/sheet.schema.json is stale: run 'factsheets schema'"


def _sheets_copy(tmp_path: Path) -> Path:
    shutil.copytree(ROOT / "sheets", tmp_path / "sheets")
    return tmp_path / "sheets"


def test_yml_sheet_is_loaded(tmp_path: Path) -> None:
    sheets_dir = _sheets_copy(tmp_path)
    (sheets_dir / "bone.yaml").rename(sheets_dir / "bone.yml")
    sheets = load_sheets(sheets_dir)
    assert sheets["bone"].path == sheets_dir / "bone.yml"
    assert len(sheets) == len(load_sheets(ROOT / "sheets"))


def test_cancer_types_may_be_spelled_as_people_write_them(tmp_path: Path) -> None:
    sheets_dir = _sheets_copy(tmp_path)
    sheet = sheets_dir / "tests-for-metastasis.yaml"
    text = sheet.read_text(encoding="utf-8")
    assert "cancer_types: [colon, ovary, prostate]" in text
    sheet.write_text(text.replace("[colon, ovary, prostate]", "[Colon, ovarian cancer, PROSTATE]"), encoding="utf-8")
    assert load_sheets(sheets_dir)["tests-for-metastasis"].variant_types == ["colon", "ovary", "prostate"]


def test_same_sheet_as_yaml_and_yml_is_reported(tmp_path: Path) -> None:
    sheets_dir = _sheets_copy(tmp_path)
    shutil.copy(sheets_dir / "bone.yaml", sheets_dir / "bone.yml")
    with pytest.raises(FactsheetsError) as err:
        load_sheets(sheets_dir)
    (problem,) = err.value.problems
    assert (problem.message, problem.file, problem.line) == (
        "sheet id 'bone' is also used by bone.yaml",
        sheets_dir / "bone.yml",
        2,
    )


def test_link_to_a_secret_outside_sheets_is_refused_without_echoing_it(tmp_path: Path) -> None:
    """A link to /etc/shadow used to print every line of it back as "unknown key 'root:...'"."""
    shutil.copytree(ROOT / "sources", tmp_path / "sources")
    sheets_dir = _sheets_copy(tmp_path)
    secret = tmp_path / "private.txt"
    secret.write_text("root:SECRET:19000:0:99999:7:::\nnurse: SECRET\n", encoding="utf-8")
    (sheets_dir / "evil.yaml").symlink_to(secret)
    result = cli("check", cwd=tmp_path)
    assert result.code == 1
    assert result.err.strip() == (
        "error: sheets/evil.yaml is a link to a file outside sheets/; factsheets does not "
        "follow such links Fix: copy the file into sheets/ instead of linking to it."
    )
    assert "SECRET" not in result.err + result.out


def _deep(opening: str) -> Callable[[Path], None]:
    return lambda path: path.write_text("id: deep\nsections: " + opening * 100_000 + "\n", encoding="utf-8")


@pytest.mark.parametrize(
    ("write", "message"),
    [
        (
            lambda p: p.write_bytes(b"id: big\n" + b"#" * MAX_BYTES),
            "file is too big (1,000,008 bytes; the limit is 1,000,000 bytes)",
        ),
        (lambda p: p.write_text("id: u16\n", encoding="utf-16"), "file is not UTF-8 text (it is UTF-16)"),
        (
            lambda p: p.write_bytes(bytes(range(256)) * 64),
            "file is not UTF-8 text (it holds a NUL byte, so it is probably binary)",
        ),
        (_deep("["), "nested more than 20 levels deep"),
        (_deep("{"), "nested more than 20 levels deep"),
    ],
    ids=["huge", "utf16", "binary", "100000-deep", "100000-deep-mapping"],
)
def test_hostile_sheet_gets_one_plain_error(tmp_path: Path, write: Callable[[Path], None], message: str) -> None:
    """Generated rather than committed: these files are big, or bytes no editor shows."""
    shutil.copytree(ROOT / "sources", tmp_path / "sources")
    (tmp_path / "sheets").mkdir()
    write(tmp_path / "sheets" / "hostile.yaml")
    result = cli("check", cwd=tmp_path)
    assert result.code == 1
    (line,) = result.err.strip().splitlines()
    assert line.startswith("error: sheets/hostile.yaml:")
    assert message in line


@pytest.mark.parametrize("opening", ["[", "{"])
@pytest.mark.parametrize(
    ("where", "text", "shown"),
    [
        ("sources/deep.md", "---\nid: deep\ntitle: {}\n---\n# Deep\n", "sources/deep.md:3:"),
        ("clinic/clinic.yaml", "name: {}\n", "clinic/clinic.yaml:1:"),
    ],
    ids=["source-front-matter", "clinic.yaml"],
)
def test_100000_levels_of_nesting_in_a_source_or_clinic_yaml_get_one_plain_error(
    tmp_path: Path, opening: str, where: str, text: str, shown: str
) -> None:
    """They go through the sheets' YAML reader, so the depth is refused before any parser recurses."""
    shutil.copytree(ROOT / "sources", tmp_path / "sources")
    _sheets_copy(tmp_path)
    (tmp_path / where).parent.mkdir(exist_ok=True)
    (tmp_path / where).write_text(text.format(opening * 100_000), encoding="utf-8")
    result = cli("check", cwd=tmp_path)
    assert result.code == 1
    (line,) = result.err.strip().splitlines()
    assert line.startswith(f"error: {shown}")
    assert ": nested more than 20 levels deep Fix: " in line


# NCI's signs by site, as where-it-spreads prints them (list items of "Symptoms of Metastatic Cancer").
SIGN_OF_SITE = {
    "bone": "when cancer has spread to the bone",
    "brain": "when cancer has spread to the brain",
    "lung": "when cancer has spread to the lung",
    "liver": "when cancer has spread to the liver",
}


@pytest.mark.parametrize("ctype", sorted(CANCER_TYPES))
def test_where_it_spreads_names_the_signs_of_the_sites_its_row_names(content: Content, ctype: str) -> None:
    """A type's sheet prints a site's sign only when its table row names that site, and the bone's whenever it does.

    The bone's sign names no type, so `only_types` lists the types whose row has bone: this holds
    the list to NCI's table, so a new capture of the table that moves a type shows here.
    """
    filled = content.fill(Variant.of("where-it-spreads", ctype))
    rows = [" ".join(b.cells) for s in filled.sections for g in s.groups for b in g.blocks if b.kind == "row"]
    (row,) = rows
    sites = set(row.casefold().replace(",", " ").split())
    text = " ".join(t for s in filled.sections for g in s.groups for t in g.texts)
    for site, sign in SIGN_OF_SITE.items():
        if sign in text:
            assert site in sites, (ctype, site, row)
    assert (SIGN_OF_SITE["bone"] in text) == ("bone" in sites), row
