"""How one sheet is to be printed: paper, large print, the patient's details, the date.

Its own module, apart from the renderer, so that the commands that only plan or check (a
no-change build, `check`) can name print options without loading WeasyPrint.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from factsheets.content.clinic import Paper
from factsheets.render.personal import Personal


@dataclass(frozen=True)
class RenderOptions:
    paper: Paper | None = None  # None: the clinic's default
    large_print: bool = False
    personal: Personal = field(default_factory=Personal)
    print_date: dt.date = field(default_factory=dt.date.today)

    @property
    def max_pages(self) -> int:
        return 2 if self.large_print else 1  # large print may use the back of the page
