"""The only door WeasyPrint has to the outside: project files under allowed folders, and data: URLs.

WeasyPrint's default fetcher reads any file: or http: URL it meets, and merely logs a warning
when one fails. Sheets carry clinic input (logos, names), so a refused or missing resource must
stop the render with a clear error instead: `ResourceRefused` is fatal to WeasyPrint.

Two things are refused for what they hold, not where they are. A style sheet whose @imports lead
back to itself: WeasyPrint follows @imports by recursion without asking where it has been, so a
sheet importing itself ran 25 s into a traceback. And an SVG that refers to anything outside itself:
WeasyPrint fetches that while drawing and, refused, drops the whole image without a word.
"""

from __future__ import annotations

import mimetypes
import xml.etree.ElementTree as ET
from pathlib import Path
from urllib.parse import unquote, urljoin, urlparse

import tinycss2  # type: ignore[import-untyped]  # WeasyPrint's CSS parser: @imports read as WeasyPrint reads them
from weasyprint.urls import FatalURLFetchingError, URLFetcher, URLFetcherResponse

from factsheets.content.clinic import svg_reference

MAX_IMPORTS = 50  # style sheets one @import tree may load, counting each time one is imported


class ResourceRefused(FatalURLFetchingError):
    """A render tried to read something outside the allowed folders, or something missing."""

    def __init__(self, url: str, reason: str, fix: str | None = None) -> None:
        super().__init__(f"{reason}: {url}")
        self.url = url
        self.reason = reason
        self.fix = fix  # what to do, when it is not "keep the file under an allowed folder"


class ProjectFetcher(URLFetcher):
    """Serves `file:` URLs under `allowed` folders and `data:` URLs; refuses everything else."""

    def __init__(self, allowed: list[Path], layers: list[Path] | None = None) -> None:
        super().__init__(allowed_protocols={"file", "data"}, allow_redirects=False, fail_on_errors=True)
        self.allowed = [p.resolve() for p in allowed]
        self.layers = [p.resolve() for p in layers or []]  # clinic, project, shipped: see _found

    def _found(self, path: Path) -> Path:
        """`path`, or the same file in a lower layer when it is missing from its own.

        A clinic's styles/sheet.css names the fonts as ../assets/fonts/..., which exist only in the
        shipped assets: so a file missing under one layer is looked for at the same place under the next.
        """
        for at, layer in enumerate(self.layers):
            if path.is_relative_to(layer):
                below = (lower / path.relative_to(layer) for lower in self.layers[at + 1 :])
                return next((p.resolve() for p in below if p.is_file()), path)
        return path

    def fetch(self, url: str, headers: dict[str, str] | None = None) -> URLFetcherResponse:
        response = self._served(url, headers)
        data = response.read()
        if response.content_type == "text/css":
            self._check_imports(response.url, data)
        elif data.lstrip(b"\xef\xbb\xbf \t\r\n")[:1] == b"<":  # SVG, whatever its name says: WeasyPrint tries it
            _check_svg(response.url, data)
        return URLFetcherResponse(response.url, data, response.headers, response.status or 200)

    def _served(self, url: str, headers: dict[str, str] | None = None) -> URLFetcherResponse:
        scheme = urlparse(url).scheme.lower()
        if scheme == "data":
            return super().fetch(url, headers)
        if scheme != "file":
            raise ResourceRefused(url, "network access is not allowed while rendering")
        path = Path(unquote(urlparse(url).path)).resolve()
        if not path.is_file():
            path = self._found(path)
        if not any(path.is_relative_to(folder) for folder in self.allowed):
            raise ResourceRefused(url, "file is outside the project's templates, styles, assets and clinic folder")
        if not path.is_file():
            raise ResourceRefused(url, "file not found")
        mime = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
        return URLFetcherResponse(path.as_uri(), path.read_bytes(), {"Content-Type": mime})

    def _check_imports(self, url: str, css: bytes) -> None:
        """Refuse a style sheet whose @imports lead back to one on the way, or load more than MAX_IMPORTS."""
        loaded = 0

        def follow(at: str, text: bytes, trail: list[str]) -> None:
            nonlocal loaded
            for target in _imports(text, at):
                response = self._served(target)  # the same refusals as WeasyPrint's own fetch would meet
                if response.url in trail:
                    circle = [*trail[trail.index(response.url) :], response.url]
                    raise ResourceRefused(response.url, _circle(circle), "remove the @import that closes the circle.")
                loaded += 1
                if loaded > MAX_IMPORTS:
                    raise ResourceRefused(
                        url,
                        f"style sheet {_name(url)} @imports more than {MAX_IMPORTS} sheets",
                        "import each style sheet once, from one place.",
                    )
                follow(response.url, response.read(), [*trail, response.url])

        follow(url, css, [url])


def _imports(css: bytes, base: str) -> list[str]:
    """The absolute URLs a style sheet @imports (relative ones against `base`), in order."""
    rules, _encoding = tinycss2.parse_stylesheet_bytes(css, skip_comments=True, skip_whitespace=True)
    found = []
    for rule in rules:
        if rule.type != "at-rule" or rule.lower_at_keyword != "import":
            continue
        tokens = [t for t in rule.prelude if t.type not in ("whitespace", "comment")]
        first = tokens[0] if tokens else None
        if first is not None and first.type in ("string", "url"):
            found.append(urljoin(base, first.value))
        elif first is not None and first.type == "function" and first.lower_name == "url":
            found += [urljoin(base, t.value) for t in first.arguments if t.type == "string"][:1]
    return [target for target in found if urlparse(target).scheme]


def _circle(trail: list[str]) -> str:
    if len(trail) == 2:
        return f"style sheet {_name(trail[0])} @imports itself"
    return f"style sheets @import one another in a circle: {' → '.join(map(_name, trail))}"


def _name(url: str) -> str:
    return Path(unquote(urlparse(url).path)).name if url.startswith("file:") else "a data: URL"


def _check_svg(url: str, data: bytes) -> None:
    try:
        root = ET.fromstring(data)
    except ET.ParseError:
        return  # not XML: WeasyPrint cannot draw it as SVG either
    outside = svg_reference(root)
    if outside is not None:
        raise ResourceRefused(
            url,
            f"SVG image {_name(url)} refers to something outside itself ({outside}); an SVG may refer only "
            "to its own parts (#id) and data: URLs",
            "embed the picture in the SVG (as a data: URL), or use a PNG.",
        )
