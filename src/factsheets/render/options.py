"""How one sheet is to be printed: paper, large print, the patient's details, the date.

Its own module, apart from the renderer, so that the commands that only plan or check (a
no-change build, `check`) can name print options without loading WeasyPrint.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from factsheets.content.clinic import Paper
from factsheets.render.personal import Personal

# Blank laid-out documents kept per renderer. One costs ~2.6 MB (measured over 24 shipped letter
# variants: 2.4 MB of Python objects by tracemalloc, 2.6 MB of the process's resident memory with
# Pango's), so 32 is ~85 MB beside the ~180 MB a worker holds anyway: the sheets a clinic prints
# in a day in its paper (the overview sheets, questions, the sites of spread of its common types;
# the shipped set is 36 variants). A process that prints each sheet once (the batch build, a
# command) keeps none: `Renderer`'s default; the web server's workers keep these.
EDITIONS_KEPT = 32  # (here, not in stamping: the web server imports it without WeasyPrint)


@dataclass(frozen=True)
class RenderOptions:
    paper: Paper | None = None  # None: the clinic's default
    large_print: bool = False
    personal: Personal = field(default_factory=Personal)
    print_date: dt.date = field(default_factory=dt.date.today)

    @property
    def max_pages(self) -> int:
        return 2 if self.large_print else 1  # large print may use the back of the page
