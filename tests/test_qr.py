"""QR codes: printed size with the quiet zone inside the drawing, and an accessible title."""

from __future__ import annotations

import re

from factsheets.qr import QUIET_ZONE, qr_svg


def test_svg_is_sized_for_print_and_titled() -> None:
    svg = qr_svg("https://www.cancer.gov/types/metastatic-cancer", 'QR code for <NCI> & "friends"')
    side = int(re.search(r'viewBox="0 0 (\d+) \1"', svg).group(1))
    width_cm = float(re.search(r'width="([\d.]+)cm"', svg).group(1))
    modules = side - 2 * QUIET_ZONE
    assert width_cm * modules / side >= 2.2 - 0.01  # the code itself, without the quiet zone
    assert "<title>QR code for &lt;NCI&gt; &amp; &quot;friends&quot;</title>" in svg
    assert 'fill="#fff"' in svg and ' id="' not in svg
