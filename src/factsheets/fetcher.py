"""The only door WeasyPrint has to the outside: project files under allowed folders, and data: URLs.

WeasyPrint's default fetcher reads any file: or http: URL it meets, and merely logs a warning
when one fails. Sheets carry clinic input (logos, names), so a refused or missing resource must
stop the render with a clear error instead: `ResourceRefused` is fatal to WeasyPrint.
"""

from __future__ import annotations

import mimetypes
from pathlib import Path
from urllib.parse import unquote, urlparse

from weasyprint.urls import FatalURLFetchingError, URLFetcher, URLFetcherResponse


class ResourceRefused(FatalURLFetchingError):
    """A render tried to read something outside the allowed folders, or something missing."""

    def __init__(self, url: str, reason: str) -> None:
        super().__init__(f"{reason}: {url}")
        self.url = url
        self.reason = reason


class ProjectFetcher(URLFetcher):
    """Serves `file:` URLs under `allowed` folders and `data:` URLs; refuses everything else."""

    def __init__(self, allowed: list[Path]) -> None:
        super().__init__(allowed_protocols={"file", "data"}, allow_redirects=False, fail_on_errors=True)
        self.allowed = [p.resolve() for p in allowed]

    def fetch(self, url: str, headers: dict[str, str] | None = None) -> URLFetcherResponse:
        scheme = urlparse(url).scheme.lower()
        if scheme == "data":
            return super().fetch(url, headers)
        if scheme != "file":
            raise ResourceRefused(url, "network access is not allowed while rendering")
        path = Path(unquote(urlparse(url).path)).resolve()
        if not any(path.is_relative_to(folder) for folder in self.allowed):
            raise ResourceRefused(url, "file is outside the project's templates, styles, assets and clinic folder")
        if not path.is_file():
            raise ResourceRefused(url, "file not found")
        mime = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
        return URLFetcherResponse(path.as_uri(), path.read_bytes(), {"Content-Type": mime})
