"""A source's licence as the page states it: public domain, a Creative Commons licence, or copyrighted.

The licence decides two things a content lead should not have to: the credit printed on the
sheet, and whether the clinic's quote limit applies. Creative Commons licences are written as
their SPDX ids (`CC-BY-4.0`, `CC-BY-NC-SA-3.0-US`, `CC0-1.0`), the names licence scanners and
package registries use, so a page's licence is copied, never paraphrased ("CC BY" alone does
not say which version's terms apply).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal

PUBLIC_DOMAIN = "public-domain"
COPYRIGHTED = "copyrighted"
Kind = Literal["public-domain", "creative-commons", "copyrighted"]

# SPDX's Creative Commons ids: CC-BY, then -NC, then -ND or -SA, a version, and for a ported
# licence its jurisdiction (CC-BY-3.0-US, CC-BY-3.0-IGO); CC0-1.0 gives a work to the public domain.
_CC = re.compile(
    r"^CC-BY(?P<nc>-NC)?(?P<variant>-ND|-SA)?-(?P<version>1\.0|2\.0|2\.5|3\.0|4\.0)(?:-(?P<port>[A-Z]{2,3}))?$"
)
_CC0 = "CC0-1.0"
EXAMPLES = "public-domain, copyrighted, or a Creative Commons licence by its SPDX id (CC-BY-4.0, CC-BY-SA-4.0, CC0-1.0)"


@dataclass(frozen=True)
class Licence:
    """One licence, by the text a source's `license:` holds (already checked with `licence_problem`)."""

    id: str

    @property
    def kind(self) -> Kind:
        if self.id in (PUBLIC_DOMAIN, _CC0):
            return "public-domain"
        return "creative-commons" if _CC.match(self.id) else "copyrighted"

    @property
    def label(self) -> str:
        """As a credit line writes it: 'CC BY-NC-SA 4.0', 'CC BY 3.0 US', 'CC0 1.0', 'public domain'."""
        match = _CC.match(self.id)
        if match:
            port = f" {match['port']}" if match["port"] else ""
            return f"CC BY{match['nc'] or ''}{match['variant'] or ''} {match['version']}{port}"
        return {_CC0: "CC0 1.0", PUBLIC_DOMAIN: "public domain"}.get(self.id, self.id)

    @property
    def deed(self) -> str | None:
        """The licence's page at Creative Commons, which CC BY asks a credit to link to (None if not CC)."""
        if self.id == _CC0:
            return "https://creativecommons.org/publicdomain/zero/1.0/"
        match = _CC.match(self.id)
        if not match:
            return None
        terms = "by" + (match["nc"] or "").lower() + (match["variant"] or "").lower()
        port = f"{match['port'].lower()}/" if match["port"] else ""
        return f"https://creativecommons.org/licenses/{terms}/{match['version']}/{port}"

    @property
    def deed_text(self) -> str | None:
        """The licence's page as printed: 'creativecommons.org/licenses/by/4.0'."""
        return self.deed.removeprefix("https://").rstrip("/") if self.deed else None

    @property
    def limits_quotes(self) -> bool:
        """Whether the clinic's `quote_word_limit` applies: to copyrighted pages, quoted under fair use,
        and to no-derivatives (ND) licences, which allow sharing the text unchanged but not adapting it."""
        match = _CC.match(self.id)
        return self.kind == "copyrighted" or bool(match and match["variant"] == "-ND")


def licence_problem(text: str) -> str | None:
    """Why `text` is not a licence a source may state, or None when it is one."""
    if text in (PUBLIC_DOMAIN, COPYRIGHTED, _CC0):
        return None
    if _CC.match(text):
        return None
    if _CC.match(text.upper()) or text.upper() == _CC0:
        return f"'{text}' is written in the wrong case: SPDX writes it '{text.upper()}'"
    if text.replace("_", "-").replace(" ", "-").lower() == PUBLIC_DOMAIN:
        return f"'{text}' is written 'public-domain' here"
    return f"'{text}' is not a licence factsheets knows"


def spdx_from_url(url: str) -> str | None:
    """The licence a Creative Commons link names (a page's `<link rel="license">`), or None.

    'https://creativecommons.org/licenses/by-sa/4.0/deed.en' -> 'CC-BY-SA-4.0'; the public
    domain mark -> 'public-domain'.
    """
    match = re.search(
        r"creativecommons\.org/(?:licenses/(?P<terms>by(?:-nc)?(?:-nd|-sa)?)/(?P<version>[1-4]\.[05])"
        r"(?:/(?P<port>[a-z]{2,3})(?=/|$))?|publicdomain/(?P<pd>zero|mark)/1\.0)",
        url.lower(),
    )
    if not match:
        return None
    if match["pd"]:
        return _CC0 if match["pd"] == "zero" else PUBLIC_DOMAIN
    port = f"-{match['port'].upper()}" if match["port"] else ""
    return f"CC-{match['terms'].upper()}-{match['version']}{port}"
