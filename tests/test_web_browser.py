"""The nurse's path in real headless Chromium, keyboard only: pick a type, type a name, get the PDF."""

from __future__ import annotations

import shutil
import signal
import subprocess
import time
from pathlib import Path

import pytest

from conftest import start_server
from pdf_tools import reader, text_of

CHROMIUM, DRIVER = shutil.which("chromium"), shutil.which("chromedriver")
pytestmark = pytest.mark.skipif(not (CHROMIUM and DRIVER), reason="Chromium is installed by ./dev test "
                                "(scripts/setup.sh --browser)")


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
    for flag in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync",
                 f"--user-data-dir={tmp_path / 'profile'}", "--window-size=820,1180"):  # tablet-sized
        options.add_argument(flag)
    options.add_experimental_option("prefs", {"download.default_directory": str(tmp_path / "downloads"),
                                              "download.prompt_for_download": False,
                                              "plugins.always_open_pdf_externally": True})
    driver = webdriver.Chrome(service=Service(DRIVER), options=options)
    yield driver, tmp_path / "downloads"
    driver.quit()


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
    assert ticked == ["bone", "how-cancer-spreads", "liver", "lungs", "questions", "what-is-metastatic-cancer",
                      "where-it-spreads"]
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
    assert "Ann O'Neil & Co" in text and "For people with prostate cancer" in text


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
    assert alert.text == "Please tick at least one sheet to print." and alert.get_attribute("role") == "alert"
