"""A captured page's main content (HTML) as the project's Markdown: the publisher's words, and nothing else.

Kept: headings, paragraphs, lists, tables (a table's caption becomes a heading over it, so a
sheet can select the table by name), bold and italic. Dropped: images, figures, video blocks,
credits for images, review-date lines and licence notices (the front matter holds both),
promotional cards, and navigation (a paragraph that is nothing but a link). Every other link
becomes its words: a glossary pop-up's word is part of the sentence, and a printed page cannot
follow a link anyway. markdownify writes the Markdown.
"""

from __future__ import annotations

import re

from bs4 import BeautifulSoup, Tag

_MEDIA = "img, picture, figure, video, audio, iframe, object, embed, svg, canvas, script, style, noscript, form, button"
_HEADING = re.compile(r"^h[1-6]$")
# NCI's glossary pop-ups and dictionary entries: a word of the sentence and its definition, never navigation.
GLOSSARY_LINK = re.compile(r"popDefinition\.aspx|/dictionaries/cancer-terms/def/", re.IGNORECASE)


def page_markdown(content: str, title: str) -> str:
    """The project's Markdown body for a page's main content: '# title', then the page's own sections."""
    soup = BeautifulSoup(content, "lxml")
    root = soup.body or soup
    for tag in root.select(_MEDIA):
        tag.decompose()
    _drop_credits(root)
    _drop_licence_notice(root)
    _drop_cards(root)
    _drop_navigation(root)
    for link in root.find_all("a"):
        link.unwrap()
    _rows_without_spans(root)
    _captions_to_headings(soup, root)
    _plain_headings(root)
    _drop_empty(root)
    _drop_empty_headings(root)
    _title_first(soup, root, title)
    return _markdown(root)


def _drop_credits(root: Tag) -> None:
    """'Credit: © Terese Winslow' credits an image, and 'Reviewed: December 30, 2025' dates the page (its
    front matter keeps the date): neither is the publisher's text for a patient."""
    for tag in root.find_all(["p", "div", "span", "li"]):
        if tag.parent is not None and _CREDIT_OR_DATE.match(tag.get_text(" ", strip=True)):
            tag.decompose()


_CREDIT_OR_DATE = re.compile(
    r"^((Image )?Credit:|(Reviewed|Updated|Last reviewed|Published):?\s+[A-Z][a-z]+\.? \d{1,2}, \d{4}$)"
)


def _drop_licence_notice(root: Tag) -> None:
    """The sentence linking to the page's licence (`rel="license"`): the source's front matter states it."""
    for link in root.select("a[rel~=license]"):
        block = link.find_parent(["p", "li"])
        (block or link).decompose()


def _drop_cards(root: Tag) -> None:
    """A link around paragraphs or a title is a card promoting another page: its words are that page's."""
    for link in root.find_all("a"):
        if link.parent is not None and link.find(["p", "div", "h1", "h2", "h3", "h4", "h5", "h6", "ul", "ol"]):
            link.decompose()


def _drop_navigation(root: Tag) -> None:
    """A paragraph that is only a link ('Go to Health Professional Version', 'Enlarge Image') is a way
    elsewhere, not text. A list item that is only a link stays: it is often a word of the text
    ('- nausea and vomiting' linking to that page), and a list of related pages is the page's own."""
    for paragraph in root.find_all("p"):
        links = paragraph.find_all("a")
        if len(links) != 1 or _is_glossary(links[0]):
            continue
        if paragraph.get_text(" ", strip=True) == links[0].get_text(" ", strip=True):
            paragraph.decompose()


def _is_glossary(link: Tag) -> bool:
    return bool(GLOSSARY_LINK.search(str(link.get("href", ""))))


def _rows_without_spans(root: Tag) -> None:
    """A cell spanning rows (a cause and its several treatments) leaves the rows under it short a cell,
    which Markdown cannot show: those rows' cells are joined to the spanning row's, one row per cause."""
    for cell in root.find_all(["td", "th"], rowspan=True):
        span = int(str(cell.get("rowspan", "1"))) if str(cell.get("rowspan", "1")).isdigit() else 1
        del cell["rowspan"]
        row = cell.find_parent("tr")
        if row is None or span < 2:
            continue
        cells = row.find_all(["td", "th"])
        for below in row.find_next_siblings("tr", limit=span - 1):
            extra = below.find_all(["td", "th"])
            for k, moved in enumerate(extra[-len(cells) :]):
                target = cells[len(cells) - len(extra) + k]
                target.append(" ")
                target.extend(list(moved.children))
            below.decompose()


def _captions_to_headings(soup: BeautifulSoup, root: Tag) -> None:
    """A table's caption as a heading one level under the section holding the table; 'Table 1' alone
    names nothing and is left out."""
    for caption in root.find_all("caption"):
        table = caption.find_parent("table")
        text = caption.get_text(" ", strip=True)
        if table is not None and text and not re.fullmatch(r"Table \d+\.?", text):
            above = table.find_previous(_HEADING)
            heading = soup.new_tag(f"h{min(int(above.name[1]) + 1, 6) if above is not None else 2}")
            heading.extend(list(caption.children))
            table.insert_before(heading)
        caption.decompose()


def _plain_headings(root: Tag) -> None:
    """A heading as plain words, without marks or the blocks some pages put inside one, so a sheet names
    it as it reads."""
    for heading in root.find_all(_HEADING):
        text = " ".join(heading.get_text().split())
        heading.clear()
        heading.string = text


def _drop_empty(root: Tag) -> None:
    """Paragraphs, items and marks that held only what was dropped."""
    for tag in root.find_all(["p", "li", "strong", "b", "em", "i", "span", "div"]):
        if tag.parent is not None and not tag.get_text(strip=True) and tag.find(["table", "br"]) is None:
            tag.decompose()
    for listing in root.find_all(["ul", "ol"]):
        if listing.parent is not None and not listing.get_text(strip=True):
            listing.decompose()


def _drop_empty_headings(root: Tag) -> None:
    """A heading with nothing under it before the next heading of its level or higher (its links were
    navigation, its figure an image) would be a section a sheet could select and find empty."""
    headings = root.find_all(_HEADING)
    for heading in reversed(headings):
        if heading.parent is None:
            continue
        level, empty = int(heading.name[1]), True
        for tag in heading.find_all_next():
            if isinstance(tag, Tag) and _HEADING.match(tag.name or ""):
                empty = empty and int(tag.name[1]) <= level
                break
            if tag.name in ("p", "li", "tr") and tag.get_text(strip=True):
                empty = False
                break
        if empty:
            heading.decompose()


def _title_first(soup: BeautifulSoup, root: Tag, title: str) -> None:
    """The page's title as its one top heading, first: the page's own h1 if it has one (text above it
    would be outside every section), else the title it states."""
    first = root.find(_HEADING)
    if isinstance(first, Tag) and first.name == "h1":
        root.insert(0, first.extract())
        return
    heading = soup.new_tag("h1")
    heading.string = title
    root.insert(0, heading)


def _markdown(root: Tag) -> str:
    from markdownify import MarkdownConverter

    text = MarkdownConverter(heading_style="ATX", bullets="-", strong_em_symbol="*", newline_style="spaces")
    markdown = text.convert_soup(root)
    lines = [line.rstrip() for line in markdown.splitlines()]
    return re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip() + "\n"
