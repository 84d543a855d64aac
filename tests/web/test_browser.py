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
from helpers.project import DATA, ROOT, scratch_copy
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
    driver = _chrome(tmp_path)
    yield driver, tmp_path / "downloads"
    driver.quit()


@pytest.fixture(params=["script", "no-script"])
def either_browser(request: pytest.FixtureRequest, tmp_path: Path):
    """Chromium with the page's JavaScript on, then with it off (a profile whose content settings block scripts)."""
    driver = _chrome(tmp_path, javascript=request.param == "script")
    yield driver, tmp_path / "downloads"
    driver.quit()


def _chrome(tmp_path: Path, javascript: bool = True):
    """Headless Chromium, tablet-sized, saving PDFs to tmp_path/downloads; WebDriver's own scripts run either way."""
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
            "profile.managed_default_content_settings.javascript": 1 if javascript else 2,  # 2: blocked
        },
    )
    return webdriver.Chrome(service=Service(DRIVER), options=options)


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


def test_the_clinics_form_shows_its_brand_passes_axe_and_loads_every_file(scratch: Path, browser) -> None:
    """Riverside's name, logo and purple (clinic.yaml) on the form; no request fails, the favicon included."""
    from selenium.webdriver.common.by import By

    url, process = start_server(scratch, "--clinic", str(DATA / "clinic"), "--workers", "1", output=subprocess.DEVNULL)
    try:
        driver, _ = browser
        driver.get(url + "/")
        assert driver.find_element(By.CLASS_NAME, "clinic-name").text == "Riverside Cancer Centre"
        logo = driver.find_element(By.CSS_SELECTOR, ".clinic img")
        assert driver.execute_script("return arguments[0].complete && arguments[0].naturalWidth", logo) > 0
        purple = "rgba(90, 30, 110, 1)"  # #5a1e6e: 10.9:1 on white
        assert driver.find_element(By.TAG_NAME, "h1").value_of_css_property("color") == purple
        assert driver.find_element(By.ID, "create").value_of_css_property("background-color") == purple
        assert (violations := axe_violations(driver)) == "", violations
        icon = driver.execute_async_script(
            "const done = arguments[0]; fetch('/favicon.ico').then((r) => done([r.status, r.headers.get('content-type')]));"
        )
        assert icon == [200, "image/vnd.microsoft.icon"]
        failed = [entry["message"] for entry in driver.get_log("browser") if entry["level"] == "SEVERE"]
        assert failed == [], failed  # no 404 (the favicon's, every page load) and no file the CSP blocked
    finally:
        process.send_signal(signal.SIGINT)
        process.wait(timeout=30)


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


# --- One rule, chosen on the server, with the page's script on and off (issue 22) --------------------------


@pytest.fixture(scope="module")
def shared_server(tmp_path_factory: pytest.TempPathFactory):
    """One server for the tests below: none of them changes the project."""
    url, process = start_server(scratch_copy(tmp_path_factory.mktemp("served")), output=subprocess.DEVNULL)
    yield url + "/"
    process.send_signal(signal.SIGINT)
    process.wait(timeout=30)


def _ready(driver) -> str:
    """The answer to "Create PDF": what will print and why, said above the button that makes it (focused)."""
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support import expected_conditions
    from selenium.webdriver.support.ui import WebDriverWait

    summary = WebDriverWait(driver, 30).until(expected_conditions.presence_of_element_located((By.ID, "summary")))
    download = driver.find_element(By.ID, "download")
    assert summary.location["y"] < download.location["y"]  # read before the button is reached
    WebDriverWait(driver, 5).until(lambda d: d.switch_to.active_element == download)  # autofocus: no script needed
    return summary.text


def _press(driver, element_id: str) -> None:
    from selenium.webdriver.common.action_chains import ActionChains
    from selenium.webdriver.common.keys import Keys

    _tab_to(driver, element_id)
    ActionChains(driver).send_keys(Keys.ENTER).perform()


def _script_ran(driver) -> bool:
    """Whether the page's own script ran (it shows the "Tick sheets for these codes" button)."""
    return bool(driver.execute_script("return document.getElementById('find').hidden === false"))


def _cli_bookmarks(tmp_path: Path, *args: str) -> list[str]:
    """The top-level bookmarks of `factsheets packet` for the same request."""
    out = tmp_path / "cli.pdf"
    result = cli("packet", *args, "-o", str(out))
    assert result.code == 0, result.err
    return _bookmarks(out.read_bytes())


def _bookmarks(pdf: bytes) -> list[str]:
    return [item.title for item in reader(pdf).outline if not isinstance(item, list)]


def _type_in(driver, element_id: str, text: str) -> None:
    from selenium.webdriver.common.action_chains import ActionChains

    _tab_to(driver, element_id)
    ActionChains(driver).send_keys(text).perform()


CODES_SUMMARY = "5 sheets: breast cancer (C50.911); spread to bone (C79.51)"


@pytest.mark.parametrize(
    ("steps", "summary", "cli_args"),
    [
        ([("codes", "C50.911, C79.51\n")], CODES_SUMMARY, ("--icd10", "C50.911,C79.51")),  # Enter in the field
        ([("codes", "c50911 C79.51"), ("create", "\n")], CODES_SUMMARY, ("--icd10", "C50.911,C79.51")),
        (
            [("cancer_type", "Breast"), ("create", "\n")],
            "8 sheets: breast cancer; common sites: bone, brain, liver, lungs",
            ("--type", "breast"),
        ),
        (
            [("codes", "C50.911, C79.51"), ("sheet-liver", " "), ("create", "\n")],
            f"{CODES_SUMMARY.replace('5 sheets', '6 sheets')}; sheets added: liver",
            ("--icd10", "C50.911,C79.51", "--sheets", "liver"),
        ),
    ],
    ids=["codes-then-enter", "codes-no-tick", "type-alone", "ticks-and-codes"],
)
def test_keyboard_only_the_server_chooses_and_the_page_and_pdf_say_what(
    shared_server: str, either_browser, tmp_path: Path, steps: list[tuple[str, str]], summary: str, cli_args: tuple
) -> None:
    """Codes never looked up with "Tick", a type alone, ticks with codes: the same PDF as the CLI's `packet`,
    with or without the page's script, and the page says what it chose above the button that makes it."""
    from selenium.webdriver.common.action_chains import ActionChains
    from selenium.webdriver.common.keys import Keys

    driver, downloads = either_browser
    driver.get(shared_server)
    for element_id, text in steps:
        _type_in(driver, element_id, text.replace("\n", Keys.ENTER))
    assert _ready(driver) == summary
    ActionChains(driver).send_keys(Keys.ENTER).perform()  # on "Open the PDF", focused
    pdf = _downloaded_pdf(downloads)
    assert _bookmarks(pdf) == _cli_bookmarks(tmp_path, *cli_args)
    assert _bookmarks(pdf)[0] == summary
    assert len(reader(pdf).pages) == int(summary.split(maxsplit=1)[0])


def test_a_type_the_codes_contradict_is_refused_at_its_field(
    shared_server: str, either_browser, tmp_path: Path
) -> None:
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support import expected_conditions
    from selenium.webdriver.support.ui import WebDriverWait

    driver, _ = either_browser
    driver.get(shared_server)
    _type_in(driver, "cancer_type", "Lung")
    _type_in(driver, "codes", "C50.911, C79.51")
    _press(driver, "create")
    alert = WebDriverWait(driver, 30).until(expected_conditions.presence_of_element_located((By.ID, "error")))
    words = "the codes say breast cancer, but the cancer type given is lung cancer. Leave one of them out"
    assert alert.text.startswith(words)
    field = driver.find_element(By.ID, "cancer_type")
    assert field.get_attribute("aria-invalid") == "true"
    assert "error" in field.get_attribute("aria-describedby").split()
    beside = driver.find_element(By.CSS_SELECTOR, "#cancer_type ~ .field-error")  # shown at its field, too
    assert beside.text == alert.text
    assert beside.is_displayed()
    assert field.get_attribute("value") == "lung"  # never switched to what the codes say
    assert not driver.find_elements(By.ID, "download")  # nothing to print
    assert (
        "error: --type: " + words[:60]
        in cli("packet", "--type", "lung", "--icd10", "C50.911,C79.51", "-o", str(tmp_path / "x.pdf")).err
    )


def test_the_script_previews_by_the_same_rule_and_decides_nothing(shared_server: str, browser) -> None:
    """With the script: what a type or codes bring is ticked (and fixed) and said as the server says it."""
    from selenium.webdriver.common.action_chains import ActionChains
    from selenium.webdriver.common.by import By
    from selenium.webdriver.common.keys import Keys
    from selenium.webdriver.support.ui import WebDriverWait

    driver, downloads = browser
    driver.get(shared_server)
    status = driver.find_element(By.ID, "choice-status")
    _type_in(driver, "cancer_type", "Prostate")
    WebDriverWait(driver, 30).until(lambda _: status.text.startswith("7 sheets"))
    assert status.text == (
        "7 sheets: prostate cancer; common sites: bone, liver, lungs, adrenal gland (no sheet yet). "
        "No sheet yet for: the adrenal gland."
    )
    assert _ticked(driver) == [
        "what-is-metastatic-cancer",
        "how-cancer-spreads",
        "where-it-spreads",
        "bone",
        "liver",
        "lungs",
        "questions",
    ]  # listed in reading order, as the packet prints them
    assert driver.find_element(By.ID, "sheet-bone").get_attribute("disabled")  # brought by the type: stays
    _tab_to(driver, "site-adrenal")
    ActionChains(driver).send_keys(Keys.SPACE).perform()  # known: only the adrenal gland
    WebDriverWait(driver, 30).until(lambda _: status.text.startswith("4 sheets"))
    assert status.text == (
        "4 sheets: prostate cancer; spread to adrenal gland (no sheet yet). No sheet yet for: the adrenal gland."
    )
    assert not driver.find_element(By.ID, "sheet-bone").get_attribute("disabled")
    assert (violations := axe_violations(driver)) == "", violations
    _type_in(driver, "codes", "C50.911")
    _press(driver, "find")  # "Tick sheets for these codes": a preview, the form stays
    WebDriverWait(driver, 30).until(lambda _: "the codes say breast cancer" in status.text)
    assert driver.find_element(By.ID, "cancer_type").get_attribute("aria-invalid") == "true"
    assert driver.find_element(By.ID, "cancer_type").get_attribute("value") == "prostate"  # never switched
    assert driver.current_url == shared_server
    assert not list(downloads.glob("*.pdf"))


def test_keyboard_only_nurse_gets_a_named_pdf_saying_what_it_holds(shared_server: str, either_browser) -> None:
    from selenium.webdriver.common.action_chains import ActionChains
    from selenium.webdriver.common.keys import Keys

    driver, downloads = either_browser
    driver.get(shared_server)
    keys = ActionChains(driver)
    keys.send_keys(Keys.TAB).perform()  # first stop: the cancer type list
    assert driver.switch_to.active_element.get_attribute("id") == "cancer_type"
    keys.send_keys("Prostate").perform()
    _type_in(driver, "patient", "Ann O'Neil & Co")
    _press(driver, "create")
    assert _ready(driver) == "7 sheets: prostate cancer; common sites: bone, liver, lungs, adrenal gland (no sheet yet)"
    if _script_ran(driver):  # axe runs as a page script: the same page is checked once
        assert (violations := axe_violations(driver)) == "", violations
    ActionChains(driver).send_keys(Keys.ENTER).perform()
    pdf = _downloaded_pdf(downloads)
    assert len(reader(pdf).pages) == 7
    text = text_of(pdf)
    assert "Ann O'Neil & Co" in text
    assert "For people with prostate cancer" in text
    assert text.count("Date ") == 7  # the form starts at today's date: its label and the date, on every sheet
    assert text.count("Care team ") == 7  # no care team given: its label and a line to write on, on every sheet


def test_error_is_shown_on_the_page_in_plain_words(shared_server: str, either_browser) -> None:
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support import expected_conditions
    from selenium.webdriver.support.ui import WebDriverWait

    driver, _ = either_browser
    driver.get(shared_server)
    for box in driver.find_elements(By.NAME, "sheets"):
        if box.is_selected():
            box.click()
    driver.find_element(By.ID, "create").click()
    # the click returns before the POST's answer has loaded: wait for the page that carries the error
    alert = WebDriverWait(driver, 30).until(expected_conditions.presence_of_element_located((By.ID, "error")))
    assert alert.text == (
        "nothing to print: no cancer type, sites or codes given, and no sheet ticked or listed. "
        "Choose the cancer type, or tick at least one sheet."
    )
    assert alert.get_attribute("role") == "alert"
    # tied to its field: the boxes are invalid, their group is described by the error
    boxes = driver.find_elements(By.NAME, "sheets")
    assert {box.get_attribute("aria-invalid") for box in boxes} == {"true"}
    group = driver.find_element(By.ID, "sheets-group")
    assert "error" in group.get_attribute("aria-describedby").split()
    if _script_ran(driver):  # it moves focus to the field at fault; axe runs as a page script
        WebDriverWait(driver, 5).until(lambda d: d.switch_to.active_element == boxes[0])
        assert (violations := axe_violations(driver)) == "", violations
