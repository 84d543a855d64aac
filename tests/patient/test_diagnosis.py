"""Diagnosis codes: ICD-10-CM codes as an EHR or a nurse gives them, read into a cancer type and sites of spread.

Every code is checked against the real ICD-10-CM tables (simple-icd-10-cm), never a list typed
here; a code is refused either as no code at all or as a real code with no handouts, and the
message says which.
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
import warnings
from pathlib import Path
from types import ModuleType

import pytest
from helpers.project import ROOT

from factsheets.content.cancer_types import CANCER_TYPES
from factsheets.content.code_map import CodeMap, canonical, load_codes
from factsheets.content.sites import SITES
from factsheets.errors import FactsheetsError
from factsheets.patient.diagnosis import MAX_CODES, Match, resolve, split_codes

SHIPPED = ROOT / "sheets" / "common" / "icd10-cm.yaml"

# A real, billable code of every primary-site family the issue names, and the type it means.
PRIMARY = [
    ("C50.911", "breast"),
    ("C18.9", "colon"),
    ("C19", "rectal"),
    ("C20", "rectal"),
    ("C34.90", "lung"),
    ("C61", "prostate"),
    ("C64.1", "kidney"),
    ("C67.9", "bladder"),
    ("C43.9", "melanoma"),
    ("C56.1", "ovary"),
    ("C25.0", "pancreas"),
    ("C16.9", "stomach"),
    ("C73", "thyroid"),
    ("C54.1", "uterus"),
    ("C55", "uterus"),
]
# Every secondary-site code the issue names, and the site it means.
SECONDARY = [
    ("C79.51", "bone"),
    ("C79.52", "bone"),
    ("C79.31", "brain"),
    ("C79.32", "brain"),
    ("C78.7", "liver"),
    ("C78.00", "lungs"),
    ("C78.01", "lungs"),
    ("C78.02", "lungs"),
    ("C78.6", "peritoneum"),
    ("C79.70", "adrenal"),
    ("C79.71", "adrenal"),
    ("C79.72", "adrenal"),
]
NO_HANDOUTS = ["C71.9", "I10", "Z51.11"]  # real codes: a brain primary, hypertension, a chemotherapy visit


@pytest.fixture(scope="module", autouse=True)
def icd() -> ModuleType:
    """The ICD-10-CM tables, imported here (~2 s) rather than at collection, so other tests do not wait;
    first, for every test, so none sees the package's own deprecation warnings."""
    with warnings.catch_warnings():  # it reads its data with importlib.resources' deprecated read_text
        warnings.simplefilter("ignore", DeprecationWarning)
        import simple_icd_10_cm

    return simple_icd_10_cm


@pytest.fixture(scope="module")
def codes() -> CodeMap:
    return load_codes(ROOT / "sheets")


def refused(codes: list[str], mapping: CodeMap) -> list[str]:
    """The messages `resolve` refuses `codes` with, each checked to be about the codes field."""
    with pytest.raises(FactsheetsError) as err:
        resolve(codes, mapping)
    assert all(p.field == "codes" and p.fix for p in err.value.problems)
    return [p.message for p in err.value.problems]


# --- Codes that resolve ---------------------------------------------------------------------------


@pytest.mark.parametrize(("code", "key"), PRIMARY)
def test_every_primary_site_family_resolves_to_its_cancer_type(
    icd: ModuleType, codes: CodeMap, code: str, key: str
) -> None:
    assert icd.is_leaf(code), "a billable code, as a record holds"
    diagnosis = resolve([code], codes)
    assert diagnosis.cancer_type == CANCER_TYPES[key]
    assert diagnosis.sites == ()
    assert diagnosis.matched == (Match(code, icd.get_description(code), CANCER_TYPES[key].name),)


@pytest.mark.parametrize(("code", "key"), SECONDARY)
def test_every_secondary_site_family_resolves_to_its_site(icd: ModuleType, codes: CodeMap, code: str, key: str) -> None:
    assert icd.is_leaf(code)
    diagnosis = resolve([code], codes)
    assert diagnosis.cancer_type is None
    assert diagnosis.sites == (SITES[key],)
    assert diagnosis.matched[0].meaning == f"spread to {SITES[key].name}"


def test_a_primary_and_its_sites_each_once_in_order(codes: CodeMap) -> None:
    diagnosis = resolve(["C50.911", "C79.51", "C78.7", "C79.52", "C50.912"], codes)
    assert diagnosis.cancer_type == CANCER_TYPES["breast"]
    assert [s.key for s in diagnosis.sites] == ["bone", "liver"]  # C79.52 is the bone again
    assert [m.code for m in diagnosis.matched] == ["C50.911", "C79.51", "C78.7", "C79.52", "C50.912"]
    assert diagnosis.matched[0] == (
        "C50.911",
        "Malignant neoplasm of unspecified site of right female breast",
        "breast cancer",
    )
    assert diagnosis.matched[1].line == "C79.51 (Secondary malignant neoplasm of bone): spread to the bone"
    assert diagnosis.lines()[2] == (
        "C78.7 (Secondary malignant neoplasm of liver and intrahepatic bile duct): spread to the liver"
    )


@pytest.mark.parametrize("typed", ["C50.911", "c50.911", "C50911", "c50911", "  C50.911 ", "\tc50911\n"])
def test_codes_are_read_as_people_and_records_write_them(codes: CodeMap, typed: str) -> None:
    assert canonical(typed) == "C50.911"
    assert resolve([typed], codes).matched[0].code == "C50.911"


def test_the_same_code_twice_is_read_once(codes: CodeMap) -> None:
    assert len(resolve(["C50.911", "c50911", "C50.911 "], codes).matched) == 1


def test_a_category_code_is_a_code_too(codes: CodeMap) -> None:
    assert resolve(["C50"], codes).cancer_type == CANCER_TYPES["breast"]
    assert resolve(["c34.9"], codes).cancer_type == CANCER_TYPES["lung"]


def test_split_codes_takes_commas_semicolons_spaces_and_lines() -> None:
    assert split_codes("C50.911, c7951;C78.7\nC79.31  ") == ["C50.911", "c7951", "C78.7", "C79.31"]
    assert split_codes(" , ") == []


# --- Codes that are refused -----------------------------------------------------------------------


@pytest.mark.parametrize("code", ["C50.999", "Z99.9", "c50999", "C5", "C50.91111", "2", "C00-C96", "breast"])
def test_a_code_that_does_not_exist_is_not_an_icd10cm_code(codes: CodeMap, code: str) -> None:
    assert refused([code], codes) == [f"{code} is not an ICD-10-CM code"]


@pytest.mark.parametrize("code", NO_HANDOUTS)
def test_a_real_code_with_no_handouts_says_so_and_what_it_covers(icd: ModuleType, codes: CodeMap, code: str) -> None:
    assert icd.is_valid_item(code)
    with pytest.raises(FactsheetsError) as err:
        resolve([code], codes)
    (problem,) = err.value.problems
    description = icd.get_description(code)
    assert problem.message == f"{code} ({description}) is an ICD-10-CM code, but factsheets has no handouts for it"
    assert "primary site of bladder, breast" in problem.fix
    assert "spread to the bone, brain, liver" in problem.fix
    assert "sheets/common/icd10-cm.yaml" in problem.fix


def test_the_appendix_is_left_out_of_colon_cancer(codes: CodeMap) -> None:
    assert refused(["C18.1"], codes) == [
        "C18.1 (Malignant neoplasm of appendix) is an ICD-10-CM code, but factsheets has no handouts for it"
    ]


def test_two_cancer_types_are_refused(codes: CodeMap) -> None:
    assert refused(["C50.911", "C79.51", "C18.9"], codes) == [
        "C50.911 (breast cancer) and C18.9 (colon cancer) name two cancer types: make one packet per type"
    ]


def test_every_bad_code_is_reported_at_once(codes: CodeMap) -> None:
    assert refused(["C50.999", "C50.911", "I10", "Z99.9", "C61"], codes) == [
        "C50.999 is not an ICD-10-CM code",
        "I10 (Essential (primary) hypertension) is an ICD-10-CM code, but factsheets has no handouts for it",
        "Z99.9 is not an ICD-10-CM code",
        "C50.911 (breast cancer) and C61 (prostate cancer) name two cancer types: make one packet per type",
    ]


def test_input_is_bounded(codes: CodeMap) -> None:
    assert refused(["C61"] * (MAX_CODES + 1), codes) == [f"{MAX_CODES + 1} codes given; factsheets reads at most 20"]
    (message,) = refused(["C" * 100_000], codes)
    assert message.startswith("'" + "C" * 40 + "…' is too long for an ICD-10-CM code")
    assert len(message) < 120
    assert refused([" "], codes) == ["a blank code"]


def test_a_request_models_code_is_bounded_in_the_same_words() -> None:
    from pydantic import TypeAdapter, ValidationError

    from factsheets.patient.diagnosis import CodeText

    codes = TypeAdapter(list[CodeText])
    assert codes.validate_python([" c50911 ", "Z99.9"]) == [" c50911 ", "Z99.9"]  # existence is resolve's to check
    with pytest.raises(ValidationError) as err:
        codes.validate_python(["C50.911", "x" * 1000])
    (error,) = err.value.errors()
    assert error["loc"] == (1,)
    assert error["msg"] == "'" + "x" * 40 + "…' is too long for an ICD-10-CM code (at most 10 characters)"
    assert error["ctx"]["fix"].startswith("check the code in the patient's record")


def test_no_mapping_file_lists_no_codes(tmp_path: Path) -> None:
    empty = load_codes(tmp_path)
    assert empty == CodeMap(path=tmp_path / "common" / "icd10-cm.yaml")
    with pytest.raises(FactsheetsError) as err:
        resolve(["C50.911"], empty)
    assert "no codes are listed in sheets/common/icd10-cm.yaml" in err.value.problems[0].fix


# --- The shipped mapping file ---------------------------------------------------------------------


def test_the_shipped_mapping_loads_and_every_code_is_real(icd: ModuleType, codes: CodeMap) -> None:
    assert codes.path == ROOT / "sheets" / "common" / "icd10-cm.yaml"
    assert set(codes.cancer_types.values()) == set(CANCER_TYPES.values())  # all 13 types
    for code in [*codes.cancer_types, *codes.sites]:
        assert icd.is_valid_item(code), code
        assert icd.is_category_or_subcategory(code), code
        assert icd.add_dot(code) == code, code  # written as the tables print it
    assert load_codes(SHIPPED) == codes  # the file itself may be given


def test_each_line_of_the_shipped_mapping_is_commented_with_its_icd10cm_description(icd: ModuleType) -> None:
    entry = re.compile(r"  (\S+): +(\S+) *# (.+)")
    lines = [m for m in map(entry.fullmatch, SHIPPED.read_text(encoding="utf-8").splitlines()) if m]
    assert len(lines) >= 13 + 9
    for match in lines:
        assert match[3] == icd.get_description(match[1]), match[0]


def test_a_listed_code_covers_every_code_below_it_in_the_icd10cm_tables(icd: ModuleType, codes: CodeMap) -> None:
    """`CodeMap.meaning` looks codes up by prefix: the tables' own tree must agree."""
    listed = {**codes.cancer_types, **codes.sites}
    for code, meaning in listed.items():
        for below in icd.get_descendants(code):
            assert codes.meaning(below) == meaning, (code, below)
        assert not [a for a in icd.get_ancestors(code) if a != code and a in listed]  # no overlaps


def test_looking_up_codes_by_prefix_matches_the_tables_everywhere(icd: ModuleType) -> None:
    """Every category and subcategory's parent is its own code one character (or an 'X' placeholder) shorter."""
    for code in icd.get_all_codes():
        if icd.is_subcategory(code):
            parent = icd.get_parent(code)
            assert code.replace(".", "").startswith(parent.replace(".", "")), (code, parent)


def test_importing_the_module_does_not_load_the_tables() -> None:
    """The tables take ~2 s to load: commands that read no code must not pay for them."""
    script = "import sys, factsheets.content.code_map, factsheets.patient.diagnosis, factsheets.project; assert 'simple_icd_10_cm' not in sys.modules"
    subprocess.run([sys.executable, "-c", script], check=True)


# --- A broken mapping file ------------------------------------------------------------------------

BROKEN = """\
cancer_types:
  C50: breast
  C50.999: breast
  C61: prostrate
  c73: thyroid
  C50.9: breast
sites:
  C79.51: bones
  C78.7: liver
  Z99.9: lungs
  C61: bone
  C79.52: elbow
"""


def test_a_broken_mapping_is_refused_at_each_line(tmp_path: Path) -> None:
    path = tmp_path / "icd10-cm.yaml"
    path.write_text(BROKEN, encoding="utf-8")
    with pytest.raises(FactsheetsError) as err:
        load_codes(path)
    found = [(p.line, p.message) for p in err.value.problems]
    assert all(p.file == path and p.fix for p in err.value.problems)
    assert found == [
        (3, "C50.999 is not an ICD-10-CM code"),
        (4, "C61: unknown cancer type 'prostrate'"),
        (5, "write c73 as ICD-10-CM prints it: C73"),
        (6, "C50.9 is under C50 (line 2), which already covers it"),
        (10, "Z99.9 is not an ICD-10-CM code"),
        (11, "C61 is listed under both cancer_types and sites (also at line 4)"),
        (12, "C79.52: unknown site of spread 'elbow'"),
    ]
    assert "use one of: bladder, breast" in err.value.problems[1].fix
    assert "use one of: bone, brain" in err.value.problems[-1].fix
    assert str(err.value.problems[0]).startswith(f"{path}:3: C50.999 is not an ICD-10-CM code Fix: ")


def test_the_mapping_file_accepts_a_types_and_a_sites_other_names(tmp_path: Path) -> None:
    path = tmp_path / "icd10-cm.yaml"
    path.write_text("cancer_types:\n  C56: ovarian cancer\nsites:\n  C78.0: lung\n", encoding="utf-8")
    mapping = load_codes(path)
    assert mapping.cancer_types == {"C56": CANCER_TYPES["ovary"]}
    assert mapping.sites == {"C78.0": SITES["lungs"]}


@pytest.mark.parametrize(
    ("text", "line", "message"),
    [
        ("cancer_types:\n  C50: breast\n  C50: lung\n", 3, "key 'C50' appears twice in the same block"),
        ("cancer_types:\n  C50: [breast]\n", 2, "cancer_types.C50: Input should be a valid string"),
        ("cancer_type:\n  C50: breast\n", 1, "unknown key 'cancer_type'"),
        ("cancer_types:\n  C50: general\n", 2, "C50: unknown cancer type 'general'"),
    ],
)
def test_a_mapping_file_of_the_wrong_shape_is_refused_at_its_line(
    tmp_path: Path, text: str, line: int, message: str
) -> None:
    path = tmp_path / "icd10-cm.yaml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(FactsheetsError) as err:
        load_codes(path)
    (problem,) = err.value.problems
    assert (problem.line, problem.message[: len(message)]) == (line, message)


def test_check_codes_stamps_a_passed_map_and_checks_a_changed_one_again(tmp_path: Path) -> None:
    from factsheets.content.code_map import STAMP, check_codes

    sheets, out = tmp_path / "sheets", tmp_path / "out"
    shutil.copytree(ROOT / "sheets" / "common", sheets / "common")
    count = check_codes(sheets, out)
    assert count == len(load_codes(ROOT / "sheets").cancer_types) + len(load_codes(ROOT / "sheets").sites)
    assert json.loads((out / STAMP).read_text(encoding="utf-8"))["codes"] == count
    assert check_codes(sheets, out) == count  # stamped: the tables are not consulted again
    mapping = sheets / "common" / "icd10-cm.yaml"
    mapping.write_text(mapping.read_text(encoding="utf-8") + "  C50.999: breast\n", encoding="utf-8")
    with pytest.raises(FactsheetsError) as caught:
        check_codes(sheets, out)  # the stamp is for the old file: the new one is checked, and refused
    assert "C50.999" in str(caught.value)
    (out / STAMP).write_text("{damaged", encoding="utf-8")
    mapping.write_text((ROOT / "sheets" / "common" / "icd10-cm.yaml").read_text(encoding="utf-8"), encoding="utf-8")
    assert check_codes(sheets, out) == count  # a damaged stamp is a changed one


@pytest.mark.parametrize("damaged", ["[" * 100_000, "{" * 100_000, '{"key": ' * 100_000], ids=["[", "{", '{"key": '])
def test_a_stamp_nested_100000_deep_is_ignored_and_written_again(tmp_path: Path, damaged: str) -> None:
    """Python's JSON reader recurses: this stamp made every `check` end in a RecursionError."""
    from factsheets.content.code_map import STAMP, check_codes

    sheets, out = tmp_path / "sheets", tmp_path / "out"
    shutil.copytree(ROOT / "sheets" / "common", sheets / "common")
    out.mkdir()
    (out / STAMP).write_text(damaged, encoding="utf-8")
    count = check_codes(sheets, out)
    assert count == len(load_codes(ROOT / "sheets").cancer_types) + len(load_codes(ROOT / "sheets").sites)
    assert json.loads((out / STAMP).read_text(encoding="utf-8"))["codes"] == count
