"""The PEMAT-P form: its items as the guide words them, and how a variant's ratings add up to its scores.

How a machine rates each item is in quality.pemat.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from factsheets.errors import counted

Scale = Literal["understandability", "actionability"]
SCALES: tuple[Scale, ...] = ("understandability", "actionability")
Verdict = Literal["agree", "disagree", "n/a", "person"]

ADEQUATE = 70.0  # percent: PEMAT's usual mark of an adequate score


@dataclass(frozen=True)
class Item:
    """A PEMAT-P item: its number and wording in the guide, and a short name for tables."""

    number: int
    text: str
    short: str
    scale: Scale


def _understand(number: int, text: str, short: str) -> Item:
    return Item(number, text, short, "understandability")


def _act(number: int, text: str, short: str) -> Item:
    return Item(number, text, short, "actionability")


# The PEMAT-P items, worded as in the guide's form for printable materials.
ITEMS: dict[int, Item] = {
    item.number: item
    for item in [
        _understand(1, "The material makes its purpose completely evident.", "purpose evident"),
        _understand(
            2,
            "The material does not include information or content that distracts from its purpose.",
            "no distractions",
        ),
        _understand(3, "The material uses common, everyday language.", "everyday language"),
        _understand(
            4,
            "Medical terms are used only to familiarize audience with the terms. When used, medical terms are defined.",
            "medical terms defined",
        ),
        _understand(5, "The material uses the active voice.", "active voice"),
        _understand(6, "Numbers appearing in the material are clear and easy to understand.", "clear numbers"),
        _understand(7, "The material does not expect the user to perform calculations.", "no calculations"),
        _understand(8, "The material breaks or “chunks” information into short sections.", "chunking"),
        _understand(9, "The material’s sections have informative headers.", "informative headers"),
        _understand(10, "The material presents information in a logical sequence.", "logical sequence"),
        _understand(11, "The material provides a summary.", "summary"),
        _understand(
            12,
            "The material uses visual cues (e.g., arrows, boxes, bullets, bold, larger font, highlighting) to draw "
            "attention to key points.",
            "visual cues",
        ),
        _understand(
            15,
            "The material uses visual aids whenever they could make content more easily understood (e.g., "
            "illustration of healthy portion size).",
            "visual aids",
        ),
        _understand(
            16, "The material’s visual aids reinforce rather than distract from the content.", "aids reinforce"
        ),
        _understand(17, "The material’s visual aids have clear titles or captions.", "aid captions"),
        _understand(
            18, "The material uses illustrations and photographs that are clear and uncluttered.", "clear illustrations"
        ),
        _understand(
            19, "The material uses simple tables with short and clear row and column headings.", "simple tables"
        ),
        _act(20, "The material clearly identifies at least one action the user can take.", "an action"),
        _act(21, "The material addresses the user directly when describing actions.", "addresses the user"),
        _act(22, "The material breaks down any action into manageable, explicit steps.", "explicit steps"),
        _act(
            23,
            "The material provides a tangible tool (e.g., menu planners, checklists) whenever it could help the user "
            "take action.",
            "tangible tool",
        ),
        _act(
            24, "The material provides simple instructions or examples of how to perform calculations.", "calculations"
        ),
        _act(
            25,
            "The material explains how to use the charts, graphs, tables, or diagrams to take actions.",
            "tables to act",
        ),
        _act(
            26,
            "The material uses visual aids whenever they could make it easier to act on the instructions.",
            "aids for action",
        ),
    ]
}
BY_MACHINE = (4, 8, 9, 11, 12, 15, 19, 20, 21, 22, 23)
FOR_A_PERSON: tuple[Item, ...] = tuple(item for n, item in ITEMS.items() if n not in BY_MACHINE)


@dataclass(frozen=True)
class Rating:
    """One item as the machine rated it for one variant, with the reason in one line."""

    item: Item
    verdict: Verdict
    reason: str

    @property
    def points(self) -> int | None:
        """1 agree, 0 disagree, None when not counted (N/A, or left to a person)."""
        return {"agree": 1, "disagree": 0}.get(self.verdict)


@dataclass(frozen=True)
class Extra:
    """A check the issue asks for that is not a PEMAT item: reported beside the scores, not in them."""

    name: str
    passed: bool | None  # None: a render (or a person) has to tell
    reason: str

    @property
    def verdict(self) -> str:
        return "needs a render" if self.passed is None else "yes" if self.passed else "no"


@dataclass(frozen=True)
class PematScore:
    """The machine-rated PEMAT-P items of one variant, and the extra checks."""

    ratings: tuple[Rating, ...]
    extras: tuple[Extra, ...] = ()

    def rated(self, scale: Scale) -> list[Rating]:
        """The ratings that count on `scale`: agree or disagree."""
        return [r for r in self.ratings if r.item.scale == scale and r.points is not None]

    def percent(self, scale: Scale) -> float | None:
        """Agrees over the items rated on `scale`, in percent; None when a machine could rate none."""
        rated = self.rated(scale)
        return 100 * sum(r.points or 0 for r in rated) / len(rated) if rated else None

    @property
    def understandability(self) -> float | None:
        return self.percent("understandability")

    @property
    def actionability(self) -> float | None:
        return self.percent("actionability")

    def under(self, scale: Scale) -> bool:
        """Whether the score on `scale` is under `ADEQUATE` (False when a machine could rate no item)."""
        score = self.percent(scale)
        return score is not None and score < ADEQUATE

    def missed(self, scale: Scale) -> list[int]:
        """Numbers of the items disagreed on `scale`."""
        return [r.item.number for r in self.rated(scale) if r.verdict == "disagree"]

    def rating(self, number: int) -> Rating:
        return next(r for r in self.ratings if r.item.number == number)

    def warnings(self) -> list[str]:
        """A sentence for each scale under `ADEQUATE` on the items a machine rated."""
        found = []
        for scale in SCALES:
            score = self.percent(scale)
            if score is not None and self.under(scale):
                n = len(self.rated(scale))
                items = ", ".join(str(i) for i in self.missed(scale))
                found.append(
                    f"PEMAT {scale} {score:.0f}% on the {counted(n, 'item')} a machine can judge "
                    f"(under {ADEQUATE:.0f}%): item{'s' if len(self.missed(scale)) != 1 else ''} {items} not met"
                )
        return found
