"""A sheet variant: one sheet as printed for one cancer type, or for none (the general sheet).

The build, the checks, the lock file, the packets and the report all name variants; this is
the one place that spells their key ("bone/breast"), their file in out/ ("breast/bone.pdf")
and their printed label, so those can never disagree.
"""

from __future__ import annotations

from dataclasses import dataclass

from factsheets.content.cancer_types import CANCER_TYPES, CancerType

GENERAL = "general"  # the variant without a cancer type: its key part and its folder in out/


@dataclass(frozen=True)
class Variant:
    sheet_id: str
    cancer_type: CancerType | None = None

    @classmethod
    def of(cls, sheet_id: str, type_key: str | None) -> Variant:
        """From a type's key (as a sheet lists it); None is the general sheet."""
        return cls(sheet_id, CANCER_TYPES[type_key] if type_key else None)

    @property
    def type_key(self) -> str:
        """'breast', or 'general': how manifests, lock files and folders in out/ name the type."""
        return self.cancer_type.key if self.cancer_type else GENERAL

    @property
    def key(self) -> str:
        """'bone/breast': the variant in the lock file, the checks, the report and the build's progress."""
        return f"{self.sheet_id}/{self.type_key}"

    @property
    def path(self) -> str:
        """'breast/bone.pdf': where its PDF goes, relative to out/."""
        return f"{self.type_key}/{self.sheet_id}.pdf"

    @property
    def label(self) -> str:
        """For people: 'breast cancer', or 'general' for the sheet without a type."""
        return self.cancer_type.name if self.cancer_type else GENERAL

    def __str__(self) -> str:
        """The type's key, as `{{ filled.variant }}` printed in templates before variants had a type."""
        return self.type_key
