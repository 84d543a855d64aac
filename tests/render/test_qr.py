"""QR codes: modules of print size whatever the URL, and codes that zbar reads from a photocopy, and from a
copy of that copy."""

from __future__ import annotations

import re

import pytest
from helpers.pdfs import qr_codes, zbar_after_copies, zbar_codes
from helpers.project import variant, variant_keys

from factsheets.project import Content
from factsheets.render.options import RenderOptions
from factsheets.render.qr import MODULE_MM, QUIET_ZONE, qr_svg
from factsheets.render.renderer import Renderer

LONG_URL = "https://blogs.cancer.org/expertvoices/2015/08/18/when-cancer-spreads-understanding-metastasis/"


@pytest.mark.parametrize("url", ["https://www.cancer.gov/types/metastatic-cancer", LONG_URL])
def test_every_module_is_at_least_three_quarters_of_a_millimetre(url: str) -> None:
    svg = qr_svg(url, 'QR code for <NCI> & "friends"')
    side = int(re.search(r'viewBox="0 0 (\d+) \1"', svg).group(1))
    width_cm = float(re.search(r'width="([\d.]+)cm"', svg).group(1))
    assert width_cm * 10 / side >= 0.75  # a long URL makes a bigger code, not smaller modules
    assert MODULE_MM >= 0.75  # what zbar reads off a copy of a copy: test_every_code_scans_from_a_photocopy
    assert QUIET_ZONE == 2  # drawn; the page keeps more white around it (sheet.css)
    assert side - 2 * QUIET_ZONE >= (37 if url == LONG_URL else 25)
    assert "<title>QR code for &lt;NCI&gt; &amp; &quot;friends&quot;</title>" in svg
    assert 'fill="#fff"' in svg
    assert ' id="' not in svg


@pytest.mark.parametrize("key", variant_keys())
def test_every_code_scans_from_a_photocopy(renderer: Renderer, content: Content, key: str) -> None:
    filled = content.fill(variant(key))
    pdf = renderer.render(filled, RenderOptions()).pdf
    assert sorted(zbar_codes(pdf)) == sorted(s.url for s in filled.sources)  # 150 dpi, grey, skewed, blurred
    assert sorted(zbar_after_copies(pdf)) == sorted(s.url for s in filled.sources)  # and thresholded, twice
    assert all(code.width_cm >= 1.9 for code in qr_codes(pdf))  # the code itself, without its quiet zone
