"""Keeping a patient's details out of every log line, including the ones dependencies write.

WeasyPrint logs page text: a glyph no font can draw is logged at warning level with the
character itself, and its progress logger narrates every render at info level. Wherever
personal details are rendered (the server, its workers, `render --patient`), the renderer's
loggers keep errors only; those name files and URLs (a stylesheet or image that failed to
load), never page text.
"""

from __future__ import annotations

import logging

# Libraries that run inside a render and may log what they are working on.
RENDERER_LOGGERS = ("weasyprint", "weasyprint.progress", "fontTools", "PIL", "pydyf")


def quiet_renderer_logs() -> None:
    """Errors only, from every library that runs inside a render."""
    for name in RENDERER_LOGGERS:
        logging.getLogger(name).setLevel(logging.ERROR)
