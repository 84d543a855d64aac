"""Reading a captured page for `factsheets import`: a crawl's Markdown with front matter, or a saved HTML page.

Both kinds become a `Capture`: the page's main content as HTML, and what the page says about
itself (its address, title, publisher, licence, review date). From there one path makes the
project's Markdown (`content.extraction`), so a page reads the same however it was captured.

- Crawl Markdown is the format of the public cancer.gov crawl our NCI pages come from: front
  matter (`title`, `url`, `source`, `license: public_domain`, `lastReviewed`, `reviewFrequency`,
  ...) over Markdown that markdownify made from the page. markdown-it turns it back into HTML,
  and the crawl's known losses are repaired there: a heading whose text slid into the next
  paragraph (an empty `##`), figures flattened into an image, a caption and a "Credit:" line,
  promotional cards split over paragraphs, table rows a row span had cut short.
- A saved HTML page is read by readability-lxml, which finds the main content as browsers'
  reader views do; navigation, headers and footers are removed before it looks.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Literal
from urllib.parse import urlparse

from bs4 import BeautifulSoup, Comment, Tag
from bs4.dammit import UnicodeDammit
from pydantic import BaseModel, ConfigDict, Field

from factsheets.content.extraction import GLOSSARY_LINK
from factsheets.content.licences import PUBLIC_DOMAIN, licence_problem, spdx_from_url
from factsheets.content.reading import read_text
from factsheets.content.yamlfile import parse_yaml, validate
from factsheets.errors import FactsheetsError, Problem

Format = Literal["crawl-markdown", "saved-html"]
MAX_BYTES = 20_000_000  # a saved page with its images inlined runs to megabytes; the text is what is kept
KEPT_SHARE = 0.6  # of the words in a saved page's main region: readability keeping fewer is worth a look
_FRONT_MATTER = re.compile(r"^---\n(.*?\n)---\n", re.DOTALL)


@dataclass(frozen=True)
class Publisher:
    """A publisher whose pages factsheets knows: its name, the credit NCI asks for, and its pages' terms."""

    name: str
    credit: str
    prefix: str  # of a source id made from a page's address: nci-ascites
    license: str


# NCI: "Text on the NCI website is in the public domain"; its images often are not, and are never kept.
NCI = Publisher("National Cancer Institute", "National Cancer Institute (NCI)", "nci", PUBLIC_DOMAIN)
_BY_HOST = {"cancer.gov": NCI}
_BY_CRAWL_SOURCE = {"NCI": NCI}
# The crawl's reviewFrequency, as a source's review_every.
_PERIODS = {"monthly": "1 month", "quarterly": "3 months", "semiannually": "6 months", "annually": "1 year"}


@dataclass(frozen=True)
class Capture:
    """A captured page: its main content as HTML, and what it says about itself (None: it does not say)."""

    path: Path
    format: Format
    sha256: str  # of the file's bytes, as imported
    content: str
    title: str | None
    url: str | None
    publisher: str | None
    license: str | None
    credit: str | None = None
    id_prefix: str | None = None  # of a source id made from the page's address: 'nci' for nci-ascites
    reviewed: str | None = None
    review_every: str | None = None
    reviewed_as_printed: str | None = None
    captured_on: str | None = None
    notes: tuple[str, ...] = ()  # what the person importing should look at


def read_capture(path: Path) -> Capture:
    """The page in `path`, whichever kind it is; a file that is neither is refused, saying what it looks like."""
    data = _read_bytes(path)
    digest = hashlib.sha256(data).hexdigest()
    head = data[:2000].lstrip(b"\xef\xbb\xbf").lstrip().lower()
    if head.startswith(b"---"):
        return _crawl_markdown(path, digest)
    if head.startswith((b"<!doctype html", b"<html", b"<!--")) or b"<html" in head:
        return _saved_html(path, digest, data)
    raise FactsheetsError(
        Problem(
            "not a captured page factsheets can read: it has neither front matter (a crawl's Markdown) nor HTML",
            "import a crawl page (Markdown starting with a '---' front matter block) or a web page saved from "
            "the browser as HTML; plain text has no headings to make sections from.",
            path,
            1,
        )
    )


def _read_bytes(path: Path) -> bytes:
    if not path.is_file():
        what = "is a folder" if path.is_dir() else "does not exist"
        raise FactsheetsError(Problem(f"{path} {what}", "give the captured page's file (.md or .html)."))
    size = path.stat().st_size
    if size > MAX_BYTES:
        raise FactsheetsError(
            Problem(f"{size:,} bytes is more than a page ({MAX_BYTES:,} at most)", "save the page without media.", path)
        )
    return path.read_bytes()


# --- Crawl Markdown ---------------------------------------------------------------------------------


class CrawlFrontMatter(BaseModel):
    """The crawl's front matter, as far as a source needs it; its other keys (tags, status, ...) are ignored."""

    model_config = ConfigDict(extra="ignore")

    title: str = ""
    url: str = Field(pattern=r"^https?://\S+$")
    source: str | None = None
    license: str | None = None
    lastReviewed: str | dt.date | None = None  # the crawl's own keys
    reviewFrequency: str | None = None


def _crawl_markdown(path: Path, digest: str) -> Capture:
    text = read_text(path, MAX_BYTES)
    match = _FRONT_MATTER.match(text)
    if not match:
        raise FactsheetsError(
            Problem("the front matter has no closing '---' line", "end the front matter block with '---'.", path, 1)
        )
    meta = validate(parse_yaml(path, match.group(1), line_offset=1), CrawlFrontMatter, "front matter")
    publisher = _BY_CRAWL_SOURCE.get(meta.source or "") or _publisher_of(meta.url)
    reviewed = meta.lastReviewed.isoformat() if isinstance(meta.lastReviewed, dt.date) else meta.lastReviewed
    frequency = (meta.reviewFrequency or "").strip().lower()
    printed = [f"lastReviewed {reviewed}" if reviewed else "", f"reviewFrequency {frequency}" if frequency else ""]
    title = re.sub(r"\s+-\s+NCI$", "", meta.title.strip())
    return Capture(
        path,
        "crawl-markdown",
        digest,
        content=_crawl_html(text[match.end() :], title),
        title=title or None,
        url=_https(meta.url),
        publisher=publisher.name if publisher else None,
        license=_crawl_licence(meta.license, publisher),
        credit=publisher.credit if publisher else None,
        id_prefix=publisher.prefix if publisher else None,
        reviewed=reviewed,
        review_every=_PERIODS.get(frequency),
        reviewed_as_printed=", ".join(p for p in printed if p) or None,
    )


def _crawl_licence(written: str | None, publisher: Publisher | None) -> str | None:
    """The crawl writes 'public_domain'; a licence it writes our way (an SPDX id) is kept as written."""
    if written is None:
        return publisher.license if publisher else None
    if written.replace("_", "-").lower() == PUBLIC_DOMAIN:
        return PUBLIC_DOMAIN
    return None if licence_problem(written) else written


def _crawl_html(body: str, title: str) -> str:
    """The crawl's Markdown as HTML, with the crawl's losses repaired."""
    from markdown_it import MarkdownIt

    html = MarkdownIt("commonmark").enable("table").render(_full_rows(body))
    soup = BeautifulSoup(html, "lxml")
    root = soup.body or soup
    _drop_repeated_title(root, title)
    _restore_headings(root)
    _drop_flattened_figures(root)
    _drop_cards(root)
    _captions_into_tables(soup, root)
    return str(root)


def _full_rows(body: str) -> str:
    """Table rows that a row span cut short (`| • Hormone therapy. |` under a two-column header),
    merged into the row they continue: their cells are that row's last ones."""
    kept: list[str] = []
    columns = 0
    for line in body.split("\n"):
        cells = _cells(line)
        previous = _cells(kept[-1]) if kept and not _DELIMITER.fullmatch(kept[-1]) else None
        if cells is None or _DELIMITER.fullmatch(line):
            columns = len(cells) if cells is not None else 0
        elif previous is not None and len(previous) == columns > len(cells):
            for k, cell in enumerate(cells):
                previous[columns - len(cells) + k] += " " + cell
            kept[-1] = "| " + " | ".join(previous) + " |"
            continue
        kept.append(line)
    return "\n".join(kept)


_DELIMITER = re.compile(r"\s*\|?(\s*:?-+:?\s*\|)*\s*:?-+:?\s*\|?\s*")


def _cells(line: str) -> list[str] | None:
    """The cells of a Markdown table row, or None when the line is not one."""
    stripped = line.strip()
    if not stripped.startswith("|"):
        return None
    return [c.strip() for c in re.split(r"(?<!\\)\|", stripped.strip("|"))]


def _drop_repeated_title(root: Tag, title: str) -> None:
    """The crawl writes the page's <title> as a heading over the page's own first heading: one is enough."""
    headings = root.find_all("h1", limit=2)
    if len(headings) == 2 and headings[0].get_text(" ", strip=True).removesuffix(" - NCI").strip() in (title, ""):
        headings[0].decompose()


def _restore_headings(root: Tag) -> None:
    """An empty heading followed by a paragraph is the crawl's way of losing a heading's text: put it back."""
    for heading in root.find_all(re.compile(r"^h[1-6]$")):
        following = heading.find_next_sibling()
        if heading.get_text(strip=True) or following is None or following.name != "p":
            continue
        heading.extend(list(following.children))
        following.decompose()


def _is_image_paragraph(tag: Tag) -> bool:
    """A paragraph holding nothing but an image (perhaps inside a link)."""
    return tag.name == "p" and tag.find("img") is not None and not tag.get_text(strip=True)


def _drop_flattened_figures(root: Tag) -> None:
    """A figure the crawl flattened: its image, its caption up to a "Credit:" line, an "Enlarge" link;
    a video's thumbnail, title, description and audio-described link; a PDQ figure inside a list item
    and the caption paragraph after its list."""
    for paragraph in root.find_all(_is_image_paragraph):
        if paragraph.parent is None:
            continue  # already dropped with the figure before it
        img = paragraph.find("img")
        video = isinstance(img, Tag) and bool(_VIDEO_THUMBNAIL.search(str(img.get("src", ""))))
        for tag in _figure_parts(paragraph, video):
            tag.decompose()
    for link in root.find_all("a", string=re.compile(r"^\s*Enlarge\s*$")):
        image = link.find_next_sibling()
        block = link.find_parent(["ul", "ol", "p", "table"])
        caption = block.find_next_sibling() if block is not None else None
        if image is not None and image.name == "img":
            image.decompose()
            if caption is not None and caption.name == "p":
                caption.decompose()
        link.decompose()


def _figure_parts(paragraph: Tag, video: bool) -> list[Tag]:
    """The image paragraph and the siblings that belong to its figure."""
    parts = [paragraph]
    following = [t for t in paragraph.find_next_siblings(limit=4) if isinstance(t, Tag)]
    if video:
        return parts + _video_parts(following)
    credit = next((k for k, t in enumerate(following[:3]) if t.get_text(strip=True).startswith("Credit:")), None)
    if credit is not None:
        parts += following[: credit + 1]
        after = following[credit + 1] if len(following) > credit + 1 else None
        if after is not None and re.fullmatch(r"Enlarge( Image)?", after.get_text(strip=True)):
            parts.append(after)
    return parts


def _video_parts(following: list[Tag]) -> list[Tag]:
    """A video's title (a short line, not a sentence), its description, and the link to its audio-described version."""
    if len(following) < 2 or following[0].name != "p" or following[1].name != "p":
        return []
    if not _looks_like_caption(following[0].get_text(" ", strip=True)):
        return []
    parts = following[:2]
    if len(following) > 2 and "audio-described" in following[2].get_text():
        parts.append(following[2])
    return parts


def _drop_cards(root: Tag) -> None:
    """A promotional card the crawl wrote as a link around an image, a title and a blurb, which Markdown
    reads as a paragraph starting '[' plus an image, then paragraphs up to one ending '](address)'."""
    for start in root.find_all("p"):
        if start.parent is None or start.find("img") is None or not start.get_text().lstrip().startswith("["):
            continue
        run = [start]
        for tag in start.find_next_siblings(limit=4):
            run.append(tag)
            if re.search(r"\]\([^)\s]*\)\s*$", tag.get_text()):
                for part in run:
                    part.decompose()
                break


def _captions_into_tables(soup: BeautifulSoup, root: Tag) -> None:
    """markdownify writes a table's caption as the paragraph before it: made its caption again."""
    for table in root.find_all("table"):
        before = table.find_previous_sibling()
        if before is not None and before.name == "p" and _looks_like_caption(before.get_text(" ", strip=True)):
            caption = soup.new_tag("caption")
            caption.extend(list(before.children))
            table.insert(0, caption)
            before.decompose()


def _looks_like_caption(text: str) -> bool:
    """A short title, not a sentence: 'Common Sites Where Cancer Spreads', 'Table 1'."""
    return 0 < len(text.split()) <= 12 and not text.endswith((".", ":", "?", "!"))


# --- Saved HTML ----------------------------------------------------------------------------------------

# Never content: what a page wraps around its text (an article's own header keeps its title), and media
# (images are often another's copyright).
_NOT_CONTENT = (
    "script, style, noscript, template, nav, aside, form, button, select, input, textarea, "
    "header:not(main header, article header), footer:not(main footer, article footer), "
    "iframe, object, embed, video, audio, picture, figure, img, svg, canvas, map, "
    "[role=navigation], [role=banner], [role=contentinfo], [role=complementary], [role=search], [aria-hidden=true]"
)


def _saved_html(path: Path, digest: str, data: bytes) -> Capture:
    from readability import Document as Readable  # type: ignore[import-untyped]  # no type information

    html = UnicodeDammit(data, ["utf-8"], is_html=True).unicode_markup
    if html is None:
        raise FactsheetsError(Problem("the page's text encoding cannot be read", "save the page again as UTF-8.", path))
    page = BeautifulSoup(html, "lxml")
    facts = _page_facts(page)
    for tag in page.select(_NOT_CONTENT):
        tag.decompose()
    for link in page.find_all("a", href=_is_glossary_link):
        link.unwrap()  # a definition link is a word of the text, not navigation; readability should see it so
    region = page.select_one("main, [role=main], article") or page.body or page
    words = len(region.get_text(" ", strip=True).split())
    _without_names(page)
    readable = Readable(str(page))
    content = BeautifulSoup(readable.summary(html_partial=True), "lxml")
    kept = len(content.get_text(" ", strip=True).split())
    known = facts.publisher
    return Capture(
        path,
        "saved-html",
        digest,
        content=str(content.body or content),
        title=facts.title or readable.short_title(),
        url=facts.url,
        publisher=known.name if known else facts.site_name,
        license=facts.license,
        credit=known.credit if known else None,
        id_prefix=known.prefix if known else None,
        reviewed=facts.reviewed,
        reviewed_as_printed=facts.reviewed_as_printed,
        captured_on=facts.captured_on,
        notes=_lost(words, kept),
    )


def _without_names(page: BeautifulSoup) -> None:
    """Class names and ids off, before readability scores the page by its text.

    On a health page they are made of the page's words: readability reads 'metastatic-cancer' as
    'meta' and a section on 'media' as page furniture, and drops the section. The furniture such
    names would flag is already gone, found by its element or role (nav, header, footer, aside,
    figure, form, ...).
    """
    for tag in page.find_all(True):
        for name in ("class", "id"):
            tag.attrs.pop(name, None)


def _lost(words: int, kept: int) -> tuple[str, ...]:
    """A note when readability kept much less than the page's main region holds: text may be missing."""
    if words < 200 or kept >= words * KEPT_SHARE:
        return ()
    note = (
        f"the main text kept is {kept:,} words of the {words:,} in the page's main region: compare the "
        "source with the page, and save the page again if a part is missing"
    )
    return (note,)


def _is_glossary_link(href: str | None) -> bool:
    return bool(href and GLOSSARY_LINK.search(href))


@dataclass(frozen=True)
class _Facts:
    """What a saved page says about itself."""

    title: str | None
    url: str | None
    publisher: Publisher | None
    site_name: str | None
    license: str | None
    reviewed: str | None
    reviewed_as_printed: str | None
    captured_on: str | None


def _page_facts(page: BeautifulSoup) -> _Facts:
    url = _https(_meta(page, "link[rel~=canonical]", "href") or _meta(page, "meta[property='og:url']", "content"))
    url = url or _https(_comment(page, r"saved from url=\(\d+\)(\S+)|^\s*url:\s*(\S+)"))
    publisher = _publisher_of(url)
    licence_link = _meta(page, "link[rel~=license], a[rel~=license]", "href")
    licence = spdx_from_url(licence_link) if licence_link else (publisher.license if publisher else None)
    heading = page.select_one("main h1, article h1") or page.find("h1")
    title = heading.get_text(" ", strip=True) if isinstance(heading, Tag) else None
    printed, reviewed = _review_date(page)
    site = _meta(page, "meta[property='og:site_name']", "content")
    return _Facts(title or None, url, publisher, site, licence, reviewed, printed, _saved_date(page))


def _meta(page: BeautifulSoup, selector: str, attribute: str) -> str | None:
    tag = page.select_one(selector)
    value = tag.get(attribute) if tag is not None else None
    return value.strip() if isinstance(value, str) and value.strip() else None


def _comment(page: BeautifulSoup, pattern: str) -> str | None:
    """The first match in the page's comments, where browsers and SingleFile note the address saved from."""
    for comment in page.find_all(string=lambda s: isinstance(s, Comment)):
        match = re.search(pattern, str(comment), re.MULTILINE)
        if match:
            return next(g for g in match.groups() if g)
    return None


_VIDEO_THUMBNAIL = re.compile(r"oembed_thumbnails|video_thumbnail")
_MONTH_DATE = r"([A-Z][a-z]+\.? \d{1,2}, \d{4})"


def _review_date(page: BeautifulSoup) -> tuple[str | None, str | None]:
    """The page's own review line ('Reviewed: May 10, 2025', PDQ's 'Updated: ...'), as printed and as a date."""
    match = re.search(rf"\b(Reviewed|Updated|Last reviewed):?\s*{_MONTH_DATE}", page.get_text(" ", strip=True))
    if not match:
        return None, None
    return f"{match[1]}: {match[2]}", _iso(match[2])


def _saved_date(page: BeautifulSoup) -> str | None:
    """The day SingleFile saved the page ('saved date: Fri Jun 20 2025 ...'), if it says."""
    found = _comment(page, r"saved date:\s*\w{3} (\w{3} \d{1,2} \d{4})")
    return _iso(found, "%b %d %Y") if found else None


def _iso(text: str, form: str = "%B %d, %Y") -> str | None:
    try:
        return dt.datetime.strptime(text.replace(".", ""), form).date().isoformat()
    except ValueError:
        return None


def _https(url: str | None) -> str | None:
    """A page's address as a source links to it: https, without the part after '#'."""
    if not url or not re.match(r"^https?://\S+$", url):
        return None
    return "https://" + url.split("://", 1)[1].split("#", 1)[0]


def _publisher_of(url: str | None) -> Publisher | None:
    host = (urlparse(url).hostname or "") if url else ""
    return next((p for domain, p in _BY_HOST.items() if host == domain or host.endswith("." + domain)), None)
