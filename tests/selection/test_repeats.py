"""No repeats in a packet (issue 24, item 4): a later sheet leaves out what an earlier one prints, or refers back.

The rules on small sheets made here, then every cancer type's packet of the real content, filled
(the PDFs are read in tests/patient and tests/build).
"""

from __future__ import annotations

import datetime as dt

import pytest

from factsheets.content.cancer_types import CANCER_TYPES
from factsheets.content.sheets import Sheet
from factsheets.content.sources import Block, SourceMeta
from factsheets.patient.choice import choose
from factsheets.patient.packet import packet_fills
from factsheets.project import Content
from factsheets.render.edition import content_version
from factsheets.selection.repeats import Repeat, printed_units, repeats, same, see_also, without_repeats
from factsheets.selection.select import Citation, FilledSection, FilledSheet, Group, cited
from factsheets.selection.sentences import sentences


@pytest.fixture(scope="module")
def meta(content: Content) -> SourceMeta:
    return content.corpus["nci-metastatic-cancer"].meta


def _group(meta: SourceMeta, *texts: str, kind: str = "paragraph", line: int = 10) -> Group:
    blocks = tuple(Block(kind, text, line + n, n + 1) for n, text in enumerate(texts))
    return Group(Citation(meta, "Section", line), blocks, left_out=tuple(() for _ in blocks))


def _sheet(
    sheet_id: str, *sections: tuple[str, list[Group]], approved: dt.date | None = None, urgent: tuple[Group, ...] = ()
) -> FilledSheet:
    sheet = Sheet.model_validate(
        {"id": sheet_id, "title": sheet_id.title(), "sections": [{"heading": "x", "passages": [{"clinic_text": "x"}]}]}
    )
    filled = tuple(FilledSection(heading, tuple(groups)) for heading, groups in sections)
    groups = [g for s in filled for g in s.groups] + list(urgent)
    return FilledSheet(sheet, None, filled, cited(groups), approved_on=approved, urgent=urgent)


def _printed(filled: FilledSheet) -> list[list[str]]:
    """Each section's groups as printed: a note as 'NOTE: ...', blocks by their text."""
    return [[f"NOTE: {g.note}" if g.note else " / ".join(g.texts) for g in s.groups] for s in filled.sections]


def test_a_later_sheet_leaves_out_an_item_and_a_closing_sentence_an_earlier_one_prints(meta: SourceMeta) -> None:
    first = _sheet("first", ("Key points", [_group(meta, "Treatment can ease your symptoms. It helps.")]))
    second = _sheet("second", ("Ask", [_group(meta, "What are my treatment options?", kind="item")]))
    later = _sheet(
        "later",
        ("Ask", [_group(meta, "What are my treatment options?", "How often will I see you?", kind="item")]),
        ("Ask more", [_group(meta, "What are my treatment options?", "Who do I call?", kind="item")]),
        ("Key points", [_group(meta, "Cancer can come back. Treatment can ease your symptoms.")]),
    )
    packet = without_repeats([first, second, later])
    assert packet[0] is first  # it repeats nothing: as it prints alone
    assert packet[1] is second
    assert _printed(packet[2]) == [
        ["How often will I see you?"],  # a list item stands alone: left out silently
        ["Who do I call?"],
        ["Cancer can come back."],  # nothing follows in its section: left out silently
    ]
    assert packet[2].repeats_left_out == (
        "What are my treatment options?",
        "What are my treatment options?",
        "Treatment can ease your symptoms.",
    )
    assert _printed(later)[0] == ["What are my treatment options? / How often will I see you?"]  # alone: untouched


def test_a_section_left_with_nothing_keeps_its_heading_and_refers_back(meta: SourceMeta) -> None:
    first = _sheet("what-is-it", ("Key points", [_group(meta, "Most metastatic cancers are manageable.")]))
    later = _sheet(
        "liver",
        ("Signs", [_group(meta, "Liver metastasis can cause pain.")]),
        ("Key points", [_group(meta, "Most metastatic cancers are manageable.")]),
    )
    shown = without_repeats([first, later])[1]
    assert [s.heading for s in shown.sections] == ["Signs", "Key points"]
    assert _printed(shown)[1] == ["NOTE: See also “What-Is-It”, earlier in this packet."]


def test_a_cut_that_would_start_a_passage_mid_thought_refers_back_where_the_sentences_were(meta: SourceMeta) -> None:
    first = _sheet("first", ("A", [_group(meta, "Treatment can ease your symptoms.")]))
    later = _sheet(
        "later",
        (
            "Key points",
            [
                _group(meta, "Cancer can spread. Treatment can ease your symptoms. It can also help you live longer."),
                _group(meta, "Treatment can ease your symptoms."),
                _group(meta, "These are the goals of care."),
            ],
        ),
    )
    shown = without_repeats([first, later])[1]
    note = "NOTE: See also “First”, earlier in this packet."
    assert _printed(shown) == [
        ["Cancer can spread.", note, "It can also help you live longer.", note, "These are the goals of care."]
    ]
    head, rest = shown.sections[0].groups[0], shown.sections[0].groups[2]  # the paragraph, cut where the note is
    assert head.left_out == (("Treatment can ease your symptoms.",),)  # what the packet left out, on the record
    assert rest.citation is not None
    assert rest.citation.line == 10  # cited too, at its own block


def test_what_counts_as_the_same_sentence_is_its_words(meta: SourceMeta) -> None:
    assert same("What are my treatment options?") == same("what are my  treatment options")
    assert same("Don't wait") == same("Don’t wait.")
    assert same("Bone pain") != same("Bone pain is common")
    first = _sheet("first", ("A", [_group(meta, "Don't wait to call.")]))
    later = _sheet("later", ("A", [_group(meta, "Don’t wait to call", "Call us.", kind="item")]))
    assert _printed(without_repeats([first, later])[1]) == [["Call us."]]


def test_table_rows_are_left_out_whole_and_a_sheet_alone_is_never_touched(meta: SourceMeta) -> None:
    row = Block("row", "Breast | Bone, brain", 5, 1, cells=("Breast", "Bone, brain"))
    other = Block("row", "Lung | Brain", 6, 2, cells=("Lung", "Brain"))
    table = Group(Citation(meta, "Table", 5), (row, other), table_header=("Type", "Sites"), left_out=((), ()))
    first = _sheet("first", ("Where", [Group(Citation(meta, "Table", 5), (row,), left_out=((),))]))
    later = _sheet("later", ("Where", [table]))
    shown = without_repeats([first, later])[1]
    assert [b.cells for b in shown.sections[0].groups[0].blocks] == [("Lung", "Brain")]
    assert shown.sections[0].groups[0].table_header == ("Type", "Sites")
    assert without_repeats([later])[0] is later


def test_a_shortened_sheet_keeps_its_approval_and_gets_its_own_content_version(meta: SourceMeta) -> None:
    """The footer's Approved line stays (only whole approved sentences go); the edition names the shorter text."""
    approved = dt.date(2025, 11, 1)
    first = _sheet("first", ("A", [_group(meta, "Treatment can ease your symptoms.")]), approved=approved)
    later = _sheet("later", ("A", [_group(meta, "Bone hurts. Treatment can ease your symptoms.")]), approved=approved)
    shown = without_repeats([first, later])[1]
    assert shown.approved_on == approved
    assert content_version(shown) != content_version(later)
    assert shown.variant == later.variant  # the same sheet variant, printed shorter


def test_urgent_signs_are_never_left_out_and_keep_their_source(content: Content, meta: SourceMeta) -> None:
    """The When to call box, the sheet's own urgent signs in it, is the sheet's on both sides of the comparison."""
    other = content.corpus["clevelandclinic-metastasis"].meta
    sign = Group(Citation(other, "Signs", 3), (Block("item", "A seizure.", 3, 1),), left_out=((),))
    first = _sheet("first", ("A", [_group(meta, "Bone hurts."), _group(other, "A seizure.", kind="item")]))
    later = _sheet("later", ("A", [_group(meta, "Bone hurts."), _group(other, "Call us.")]), urgent=(sign,))
    shown = without_repeats([first, later])[1]
    assert shown.urgent == (sign,)
    assert [s.id for s in shown.sources] == [other.id]  # the left-out paragraph's source goes, the sign's stays
    assert repeats([later, first]) == [Repeat("Bone hurts.", "first", "later")]  # the section's, not the urgent box's


def test_the_note_names_each_earlier_sheet_once() -> None:
    assert see_also(["A", "B", "A"]) == "See also “A” and “B”, earlier in this packet."
    assert see_also(["What is metastatic cancer?"]) == "See also “What is metastatic cancer?”, earlier in this packet."
    assert see_also(["A", "B", "C"]) == "See also “A”, “B” and “C”, earlier in this packet."


# --- The real packets, filled ---------------------------------------------------------------------


@pytest.mark.parametrize("ctype", list(CANCER_TYPES))
def test_every_types_packet_prints_each_sentence_once_and_only_whole_approved_ones(
    content: Content, ctype: str
) -> None:
    """What each sheet prints in the packet is what it prints alone, less whole sentences, in order, plus notes."""
    members = packet_fills(content, choose(content.corpus, content.sheets, CANCER_TYPES[ctype], None).sheet_ids,
                           CANCER_TYPES[ctype])  # fmt: skip
    assert repeats([shown for _, shown in members]) == []
    for alone, shown in members:
        assert shown.approved_on == alone.approved_on
        assert [s.heading for s in shown.sections] == [s.heading for s in alone.sections]  # no section goes
        assert all(s.groups for s in shown.sections)  # none is left empty
        printed, whole = printed_units(shown), printed_units(alone)
        assert _in_order(printed, whole), f"{alone.variant.key}: not the sheet's own sentences in its order"
        assert len(whole) - len(printed) == len(shown.repeats_left_out)
        assert {s.id for s in shown.sources} <= {s.id for s in alone.sources}
        assert {w.term for w in shown.words} <= {w.term for w in alone.words}
        if shown is not alone:
            assert content_version(shown) != content_version(alone)


def test_the_first_sheet_and_a_sheet_alone_print_as_they_do_alone(content: Content) -> None:
    breast = CANCER_TYPES["breast"]
    members = packet_fills(content, choose(content.corpus, content.sheets, breast, None).sheet_ids, breast)
    assert members[0][1] is members[0][0]
    (only,) = packet_fills(content, ["brain"], breast)
    assert only[1] is only[0]


def _in_order(part: list[str], whole: list[str]) -> bool:
    """`part` is `whole` with some left out: every one of `part` is a whole sentence of `whole`, in its order."""
    rest = iter(whole)
    return all(any(sentence == candidate for candidate in rest) for sentence in part)


def test_sentences_split_as_the_sheets_cut_them() -> None:
    """The packet compares the sentences `sentences` cuts (pysbd): 'e.g.' does not end one."""
    assert sentences("Some cancers, e.g. breast cancer, spread. Others do not.") == [
        "Some cancers, e.g. breast cancer, spread.",
        "Others do not.",
    ]
