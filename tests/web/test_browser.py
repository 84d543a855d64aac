"""The web pages in real headless Chromium: the nurse's path, keyboard only (pick a type, type a name,
get the PDF), and axe-core's accessibility checks on the form, the form with an error, out/index.html
and out/report.html."""

from __future__ import annotations

import shutil
import signal
import subprocess
import time
from pathlib import Path

import pytest
from helpers.cli import cli
from helpers.pdfs import reader, text_of
from helpers.project import ROOT, scratch_copy
from helpers.server import start_server

CHROMIUM, DRIVER = shutil.which("chromium"), shutil.which("chromedriver")
AXE_JS = ROOT / ".venv" / "axe" / "node_modules" / "axe-core" / "axe.min.js"  # npm's axe-core, by setup.sh --browser
pytestmark = pytest.mark.skipif(
    not (CHROMIUM and DRIVER), reason="Chromium is installed by ./dev test (scripts/setup.sh --browser)"
)
# Every WCAG 2.0/2.1/2.2 A and AA rule, and axe's best practices (one `main` landmark, all content in landmarks, ...).
AXE_OPTIONS = {
    "runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa", "best-practice"]},
    "resultTypes": ["violations"],
}
BUTTON_BLUE, WHITE = (0x1D, 0x3F, 0x6E), (0xFF, 0xFF, 0xFF)


@pytest.fixture
def server(scratch: Path):
    url, process = start_server(scratch, output=subprocess.DEVNULL)
    yield url + "/"
    process.send_signal(signal.SIGINT)
    process.wait(timeout=30)


@pytest.fixture
def browser(tmp_path: Path):
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for flag in (
        "--headless=new",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        f"--user-data-dir={tmp_path / 'profile'}",
        "--window-size=820,1180",
    ):  # tablet-sized
        options.add_argument(flag)
    options.add_experimental_option(
        "prefs",
        {
            "download.default_directory": str(tmp_path / "downloads"),
            "download.prompt_for_download": False,
            "plugins.always_open_pdf_externally": True,
        },
    )
    driver = webdriver.Chrome(service=Service(DRIVER), options=options)
    yield driver, tmp_path / "downloads"
    driver.quit()


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A scratch project with out/index.html and out/report.html, from three sheets to keep it quick."""
    from factsheets.build.run import build
    from factsheets.project import Project

    root = scratch_copy(tmp_path_factory.mktemp("built"))
    keep = {"what-is-metastatic-cancer.yaml", "bone.yaml", "questions.yaml"}
    for sheet in (root / "sheets").glob("*.yaml"):
        if sheet.name not in keep:
            sheet.unlink()
    report = build(Project(root), jobs=1)
    assert report.built
    assert not report.failed, report.failed
    result = cli("report", "--today", "2026-06-01", cwd=root)
    assert result.code == 0, result.err
    return root / "out"


def axe_violations(driver) -> str:
    """Run axe-core on the page open in `driver`: its violations, one readable line per element ('' when none)."""
    if not AXE_JS.exists():
        pytest.fail(f"{AXE_JS} is missing: run scripts/setup.sh --browser (npm's axe-core)")
    driver.set_script_timeout(60)
    driver.execute_script(AXE_JS.read_text(encoding="utf-8"))  # WebDriver scripts are not bound by the page's CSP
    result = driver.execute_async_script(
        "const done = arguments[arguments.length - 1];"
        "axe.run(document, arguments[0]).then((r) => done(r.violations), (e) => done(String(e)));",
        AXE_OPTIONS,
    )
    assert isinstance(result, list), f"axe did not run: {result}"
    return "\n".join(
        f"{v['id']} ({v['impact']}): {v['help']}\n    {n['target']}: {n['failureSummary']}"
        for v in result
        for n in v["nodes"]
    )


def contrast(a: tuple[int, ...], b: tuple[int, ...]) -> float:
    """WCAG 2 contrast ratio of two sRGB colours."""

    def luminance(rgb: tuple[int, ...]) -> float:
        lin = [c / 255 / 12.92 if c / 255 <= 0.04045 else ((c / 255 + 0.055) / 1.055) ** 2.4 for c in rgb]
        return 0.2126 * lin[0] + 0.7152 * lin[1] + 0.0722 * lin[2]

    light, dark = sorted((luminance(a), luminance(b)), reverse=True)
    return (light + 0.05) / (dark + 0.05)


def test_keyboard_only_nurse_gets_a_named_pdf(server: str, browser) -> None:
    from selenium.webdriver.common.action_chains import ActionChains
    from selenium.webdriver.common.by import By
    from selenium.webdriver.common.keys import Keys

    driver, downloads = browser
    driver.get(server)
    keys = ActionChains(driver)
    keys.send_keys(Keys.TAB).perform()  # first stop: the cancer type list
    assert driver.switch_to.active_element.get_attribute("id") == "cancer_type"
    keys.send_keys("Prostate").perform()  # typing selects the option; the change ticks prostate's packet
    ticked = [box.get_attribute("value") for box in driver.find_elements(By.NAME, "sheets") if box.is_selected()]
    assert ticked == [
        "what-is-metastatic-cancer",
        "how-cancer-spreads",
        "where-it-spreads",
        "bone",
        "liver",
        "lungs",
        "questions",
    ]  # listed in reading order, as the packet prints them
    while driver.switch_to.active_element.get_attribute("id") != "patient":
        keys.send_keys(Keys.TAB).perform()
    keys.send_keys("Ann O'Neil & Co").perform()
    while driver.switch_to.active_element.get_attribute("id") != "create":
        keys.send_keys(Keys.TAB).perform()
    keys.send_keys(Keys.ENTER).perform()
    deadline = time.time() + 60
    while time.time() < deadline and not list(downloads.glob("*.pdf")):
        time.sleep(0.2)
    (pdf_path,) = list(downloads.glob("*.pdf"))
    pdf = pdf_path.read_bytes()
    assert len(reader(pdf).pages) == 7
    text = text_of(pdf)
    assert "Ann O'Neil & Co" in text
    assert "For people with prostate cancer" in text


def test_form_passes_axe_and_its_focus_ring_shows(server: str, browser) -> None:
    from selenium.webdriver.common.by import By
    from selenium.webdriver.common.keys import Keys

    driver, _ = browser
    driver.get(server)
    titles = [label.text for label in driver.find_elements(By.CSS_SELECTOR, "input[name=sheets] + label")]
    assert titles[0] == "What is metastatic cancer?", titles
    assert titles[-1].startswith("Questions"), titles
    paper = driver.find_element(By.ID, "paper-group")  # the Letter/A4 radios have a group label
    assert (paper.aria_role, paper.accessible_name) == ("group", "Paper size")
    assert (violations := axe_violations(driver)) == "", violations

    driver.find_element(By.ID, "large_print").send_keys(Keys.TAB)  # keyboard focus: :focus-visible applies
    button = driver.switch_to.active_element
    assert button.get_attribute("id") == "create"
    style = driver.execute_script(
        "const s = getComputedStyle(arguments[0]);return [s.outlineStyle, s.outlineWidth, s.outlineColor];", button
    )
    ring = tuple(int(c) for c in style[2].removeprefix("rgb(").removesuffix(")").split(","))
    assert style[0] == "solid", style
    assert float(style[1].removesuffix("px")) >= 2, style
    # WCAG 1.4.11 non-text contrast: the ring against the page and against the button it surrounds
    assert contrast(ring, WHITE) >= 3, (style, contrast(ring, WHITE))
    assert contrast(ring, BUTTON_BLUE) >= 3, (style, contrast(ring, BUTTON_BLUE))


def test_error_is_shown_on_the_page_in_plain_words(server: str, browser) -> None:
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support import expected_conditions
    from selenium.webdriver.support.ui import WebDriverWait

    driver, _ = browser
    driver.get(server)
    for box in driver.find_elements(By.NAME, "sheets"):
        if box.is_selected():
            box.click()
    driver.find_element(By.ID, "create").click()
    # the click returns before the POST's answer has loaded: wait for the page that carries the error
    alert = WebDriverWait(driver, 30).until(expected_conditions.presence_of_element_located((By.ID, "error")))
    assert alert.text == "Please tick at least one sheet to print."
    assert alert.get_attribute("role") == "alert"
    # tied to its field: the boxes are invalid, their group is described by the error, focus is on the first box
    boxes = driver.find_elements(By.NAME, "sheets")
    assert {box.get_attribute("aria-invalid") for box in boxes} == {"true"}
    group = driver.find_element(By.ID, "sheets-group")
    assert "error" in group.get_attribute("aria-describedby").split()
    WebDriverWait(driver, 5).until(lambda d: d.switch_to.active_element == boxes[0])
    assert (violations := axe_violations(driver)) == "", violations


def test_a_wrong_text_field_is_marked_and_focused(server: str, browser) -> None:
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support import expected_conditions
    from selenium.webdriver.support.ui import WebDriverWait

    driver, _ = browser
    driver.get(server)
    driver.find_element(By.ID, "patient").send_keys("Ann \u202eLee")  # a direction control cannot print
    driver.find_element(By.ID, "create").click()
    alert = WebDriverWait(driver, 30).until(expected_conditions.presence_of_element_located((By.ID, "error")))
    assert "direction control" in alert.text
    field = driver.find_element(By.ID, "patient")
    assert field.get_attribute("aria-invalid") == "true"
    assert "error" in field.get_attribute("aria-describedby").split()
    WebDriverWait(driver, 5).until(lambda d: d.switch_to.active_element == field)
    assert not driver.find_elements(By.CSS_SELECTOR, "[aria-invalid]:not(#patient)")


@pytest.mark.parametrize("page", ["index.html", "report.html"])
def test_built_pages_pass_axe(built: Path, browser, page: str) -> None:
    driver, _ = browser
    driver.get((built / page).as_uri())
    assert (violations := axe_violations(driver)) == "", violations


def _ticked(driver) -> list[str]:
    from selenium.webdriver.common.by import By

    return [box.get_attribute("value") for box in driver.find_elements(By.NAME, "sheets") if box.is_selected()]


def _tab_to(driver, element_id: str, limit: int = 60) -> None:
    """Tab forward until `element_id` has focus, as a keyboard user would."""
    from selenium.webdriver.common.action_chains import ActionChains
    from selenium.webdriver.common.keys import Keys

    for _ in range(limit):
        if driver.switch_to.active_element.get_attribute("id") == element_id:
            return
        ActionChains(driver).send_keys(Keys.TAB).perform()
    pytest.fail(f"{element_id} cannot be reached with Tab")


def _downloaded_pdf(downloads: Path) -> bytes:
    deadline = time.time() + 60
    while time.time() < deadline and not list(downloads.glob("*.pdf")):
        time.sleep(0.2)
    (pdf_path,) = list(downloads.glob("*.pdf"))
    return pdf_path.read_bytes()


def test_keyboard_only_sites_tick_their_sheets_and_a_site_without_one_is_announced(server: str, browser) -> None:
    from selenium.webdriver.common.action_chains import ActionChains
    from selenium.webdriver.common.by import By
    from selenium.webdriver.common.keys import Keys

    driver, downloads = browser
    driver.get(server)
    keys = ActionChains(driver)
    _tab_to(driver, "cancer_type")
    keys.send_keys("Ovarian").perform()
    assert _ticked(driver)[3:] == ["liver", "lungs", "questions"]  # ovarian cancer's common sites
    status = driver.find_element(By.ID, "choice-status")
    assert status.text == "Common sites for ovarian cancer: liver, lungs, peritoneum. No sheet yet for: the peritoneum."
    assert status.get_attribute("role") == "status"
    _tab_to(driver, "site-peritoneum")
    keys.send_keys(Keys.SPACE).perform()  # known: only the peritoneum
    assert _ticked(driver) == ["what-is-metastatic-cancer", "how-cancer-spreads", "where-it-spreads", "questions"]
    assert status.text == "No sheet yet for: the peritoneum."
    _tab_to(driver, "site-liver")
    keys.send_keys(Keys.SPACE).perform()
    assert _ticked(driver)[3:] == ["liver", "questions"]
    assert (violations := axe_violations(driver)) == "", violations
    _tab_to(driver, "create")
    keys.send_keys(Keys.ENTER).perform()
    pdf = _downloaded_pdf(downloads)
    assert len(reader(pdf).pages) == 5
    assert "For people with ovarian cancer" in text_of(pdf)


def test_keyboard_only_codes_set_the_type_sites_and_ticks(server: str, browser) -> None:
    from selenium.webdriver.common.action_chains import ActionChains
    from selenium.webdriver.common.by import By
    from selenium.webdriver.common.keys import Keys
    from selenium.webdriver.support.ui import WebDriverWait

    driver, _ = browser
    driver.get(server)
    keys = ActionChains(driver)
    _tab_to(driver, "codes")
    keys.send_keys("c50.911, C79.51", Keys.ENTER).perform()  # Enter here looks the codes up; it does not print
    status = driver.find_element(By.ID, "choice-status")
    WebDriverWait(driver, 30).until(lambda _: "Ticked" in status.text)
    assert driver.find_element(By.ID, "cancer_type").get_attribute("value") == "breast"
    assert driver.find_element(By.ID, "site-bone").is_selected()
    assert _ticked(driver)[3:] == ["bone", "questions"]
    assert "C79.51 (Secondary malignant neoplasm of bone): spread to the bone" in status.text
    assert driver.current_url == server  # still the form: nothing was printed
    assert (violations := axe_violations(driver)) == "", violations

    codes = driver.find_element(By.ID, "codes")
    codes.clear()
    codes.send_keys("C50.999")
    _tab_to(driver, "find")
    keys.send_keys(Keys.ENTER).perform()
    WebDriverWait(driver, 30).until(lambda _: "not an ICD-10-CM code" in status.text)
    assert codes.get_attribute("aria-invalid") == "true"


def test_infobutton_page_passes_axe_and_its_links_open_pdfs(server: str, browser) -> None:
    from selenium.webdriver.common.by import By

    driver, downloads = browser
    driver.get(
        server + "infobutton?mainSearchCriteria.v.c=C50.911&mainSearchCriteria.v.cs=2.16.840.1.113883.6.90"
        "&mainSearchCriteria.v.c1=C79.51&mainSearchCriteria.v.cs1=2.16.840.1.113883.6.90"
    )
    assert driver.find_element(By.TAG_NAME, "h1").text == "Handouts for breast cancer"
    assert (violations := axe_violations(driver)) == "", violations
    driver.find_element(By.PARTIAL_LINK_TEXT, "spreads to the bone").click()
    pdf = _downloaded_pdf(downloads)
    assert len(reader(pdf).pages) == 1
    assert text_of(pdf).startswith("PATIENT INFORMATION When cancer spreads to the bone")
