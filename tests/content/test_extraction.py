"""A page's main content as the project's Markdown: the publisher's text kept, the rest dropped."""

from __future__ import annotations

from factsheets.content.extraction import page_markdown

GLOSSARY = "https://www.cancer.gov/Common/PopUps/popDefinition.aspx?id=CDR0000046710&version=Patient&language=English"


def test_glossary_and_other_links_become_their_words() -> None:
    html = (
        f'<h1>Page</h1><p>Cancer that spreads is called <a class="definition" href="{GLOSSARY}">metastasis</a>. '
        'See <a href="/types/unknown-primary">Carcinoma of Unknown Primary</a> for more.</p>'
    )
    assert page_markdown(html, "Page") == (
        "# Page\n\nCancer that spreads is called metastasis. See Carcinoma of Unknown Primary for more.\n"
    )


def test_images_figures_credits_and_videos_are_left_out() -> None:
    html = """<h1>Page</h1>
    <figure><img src="a.jpg" alt="A drawing"><figcaption><p>The caption.</p>
      <div class="image-photo-credit">Credit: © Terese Winslow</div></figcaption>
      <a href="a-big.jpg">Enlarge Image</a></figure>
    <p><img src="inline.jpg" alt="x">Text kept.</p>
    <p>Credit: iStock</p>
    <div class="video"><iframe src="https://www.youtube-nocookie.com/embed/x"></iframe><video src="v.mp4"></video></div>
    <p>More text.</p>"""
    assert page_markdown(html, "Page") == "# Page\n\nText kept.\n\nMore text.\n"


def test_a_paragraph_that_is_only_a_link_is_navigation_but_a_list_item_is_a_word() -> None:
    """'Go to Health Professional Version' is a way elsewhere; '- constipation' (a link to that page) is text."""
    html = """<h1>Page</h1><p><a href="/hp">Go to Health Professional Version</a></p>
    <p>Side effects that cause problems with eating include:</p>
    <ul><li><a href="/constipation">constipation</a></li><li>feeling full quickly</li></ul>"""
    assert page_markdown(html, "Page") == (
        "# Page\n\nSide effects that cause problems with eating include:\n\n- constipation\n- feeling full quickly\n"
    )


def test_a_promotional_card_is_left_out() -> None:
    html = """<h1>Page</h1><div><a href="/blog/post"><div><span>Another page</span><p>Its blurb.</p></div></a></div>
    <p>The page's own text.</p>"""
    assert page_markdown(html, "Page") == "# Page\n\nThe page's own text.\n"


def test_a_tables_caption_becomes_a_heading_under_its_section() -> None:
    html = """<h1>Page</h1><h2>Where Cancer Spreads</h2><p>The following list shows the sites:</p>
    <table><caption>Common Sites Where Cancer Spreads</caption>
    <thead><tr><th>Cancer Type</th><th>Main Sites of Metastasis</th></tr></thead>
    <tbody><tr><td>Bladder</td><td>Bone, liver, lung</td></tr></tbody></table>"""
    assert page_markdown(html, "Page") == (
        "# Page\n\n## Where Cancer Spreads\n\nThe following list shows the sites:\n\n"
        "### Common Sites Where Cancer Spreads\n\n"
        "| Cancer Type | Main Sites of Metastasis |\n| --- | --- |\n| Bladder | Bone, liver, lung |\n"
    )


def test_a_numbering_caption_names_nothing_and_is_left_out() -> None:
    html = "<h1>Page</h1><table><caption>Table 1</caption><tr><th>A</th><th>B</th></tr><tr><td>a</td><td>b</td></tr></table>"
    assert "Table 1" not in page_markdown(html, "Page")


def test_a_cell_spanning_rows_gives_one_row_holding_the_cells_under_it() -> None:
    html = """<h1>Page</h1><table><thead><tr><th>Cause</th><th>Treatment</th></tr></thead><tbody>
    <tr><td rowspan="3">Tumor blocking the airways</td><td>• Radiation therapy.</td></tr>
    <tr><td>• Hormone therapy.</td></tr><tr><td>• Chemotherapy.</td></tr>
    <tr><td>Pleural effusion</td><td>• Removal of the fluid.</td></tr></tbody></table>"""
    assert page_markdown(html, "Page").splitlines()[-2:] == [
        "| Tumor blocking the airways | • Radiation therapy. • Hormone therapy. • Chemotherapy. |",
        "| Pleural effusion | • Removal of the fluid. |",
    ]


def test_headings_are_plain_words_and_empty_ones_are_left_out() -> None:
    html = """<h1>Page</h1><h2><span class="x"><strong>What Is It?</strong></span></h2><p>Text.</p>
    <h2>Related</h2><p><a href="/elsewhere">Another page</a></p><h2>Last</h2><p>End.</p>"""
    assert page_markdown(html, "Page") == "# Page\n\n## What Is It?\n\nText.\n\n## Last\n\nEnd.\n"


def test_the_title_is_the_one_top_heading() -> None:
    assert page_markdown("<p>Breadcrumb</p><h1>Own title</h1><p>Text.</p>", "Stated").startswith("# Own title\n")
    assert page_markdown("<h2>Part</h2><p>Text.</p>", "Stated title") == "# Stated title\n\n## Part\n\nText.\n"
