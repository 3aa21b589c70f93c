"""The documentation site in a real browser: built, served on 127.0.0.1, read by headless Chromium.

Every page of both languages is opened at 1280 px, and the test asserts what a
reader would notice: every picture loaded, no console error, no request that
leaves 127.0.0.1, the right ``lang`` for the text on the page, a language
switch that leads to the same page in the other language, pictures that open
at full size, notebooks that download, and no code block that scrolls sideways
(at 1280 px, and the tutorial also at a phone's 390 px).
Search must find "backward" on the English site and "연쇄법칙" on the Korean one.

The site is built into a temporary folder with ``mkdocs build --strict``, or
taken from ``MICROGRAD_SITE`` when that names a folder already built (``make
docs`` then ``MICROGRAD_SITE=site pytest tests/test_site_browser.py``).
Skipped, with the reason, when Chromium, chromedriver or Selenium is missing
(failed instead when MICROGRAD_REQUIRE_BROWSER is set; see ``browser.py``).
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from browser import Browser, require_browser, serve_directory, start_browser
from graphviz_check import require_dot

ROOT = Path(__file__).resolve().parent.parent

_HANGUL = re.compile(r"[\uac00-\ud7a3]")
_LATIN = re.compile(r"[A-Za-z]")

# What the browser reports about the open page, in one round trip.
_PAGE_FACTS = """
const article = document.querySelector("article");
const prose = Array.from(article.querySelectorAll("p, li, h1, h2, td"))
  .filter(e => !e.closest("pre, code, .mg-untranslated"))
  .map(e => e.innerText).join(" ");
const switchTo = {};
for (const a of document.querySelectorAll("a.md-select__link[hreflang]")) {
  switchTo[a.getAttribute("hreflang")] = a.href;
}
return {
  lang: document.documentElement.lang,
  contentLang: article.getAttribute("lang") || document.documentElement.lang,
  prose: prose,
  images: Array.from(document.images).map(i => ({
    src: i.currentSrc || i.src, complete: i.complete, width: i.naturalWidth})),
  figures: Array.from(document.querySelectorAll("figure.mg-picture")).map(f => ({
    link: f.querySelector("a") && f.querySelector("a").href,
    img: f.querySelector("img") && f.querySelector("img").src})),
  notebooks: Array.from(document.querySelectorAll("p.mg-notebook a")).map(a => a.href),
  scrolling: Array.from(document.querySelectorAll("pre > code"))
    .filter(c => c.scrollWidth > c.clientWidth + 1)
    .map(c => c.innerText.slice(0, 80)),
  switchTo: switchTo,
};
"""


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    require_browser()
    built = os.environ.get("MICROGRAD_SITE")
    if built:
        folder = Path(built).resolve()
        assert (folder / "index.html").exists(), f"MICROGRAD_SITE={built} holds no built site"
        return folder
    require_dot()  # the pages draw their pictures as the site builds
    folder = tmp_path_factory.mktemp("site")
    subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", "--strict", "--quiet", "-d", str(folder)],
        cwd=ROOT,
        env={**os.environ, "NO_MKDOCS_2_WARNING": "1"},
        check=True,
    )
    return folder


@pytest.fixture(scope="module")
def base_url(site: Path) -> Iterator[str]:
    with serve_directory(site) as url:
        yield url


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    require_browser()
    with start_browser(width=1280, height=900) as running:
        yield running


def site_pages(site: Path) -> list[str]:
    """The path of every page of the site, relative to its root ("" is the home page)."""
    pages = []
    for index in sorted(site.rglob("index.html")):
        relative = index.parent.relative_to(site).as_posix()
        pages.append("" if relative == "." else relative + "/")
    return pages


def counterpart(page: str) -> str:
    """The same page in the other language."""
    return page.removeprefix("ko/") if page.startswith("ko/") else "ko/" + page


def is_korean_text(text: str) -> bool:
    hangul, latin = len(_HANGUL.findall(text)), len(_LATIN.findall(text))
    return hangul > 0.3 * (hangul + latin)


def test_every_page_reads_well(site: Path, base_url: str, browser: Browser) -> None:
    pages = site_pages(site)
    assert len(pages) > 40 and "ko/" in pages and "ko/tutorial/03-chain-rule/" in pages
    problems: list[str] = []
    pictures = 0
    for page in pages:
        browser.forget_logs()
        browser.open_url(base_url + page)
        facts = browser.driver.execute_script(_PAGE_FACTS)
        where = page or "(home)"
        language = "ko" if page.startswith("ko/") else "en"
        if facts["lang"] != language:
            problems.append(f"{where}: <html lang={facts['lang']!r}>, expected {language!r}")
        written_in = "ko" if is_korean_text(facts["prose"]) else "en"
        if facts["contentLang"] != written_in:
            problems.append(f"{where}: text in {written_in} marked lang={facts['contentLang']!r}")
        for image in facts["images"]:
            pictures += 1
            if not image["complete"] or image["width"] == 0:
                problems.append(f"{where}: picture not loaded: {image['src']}")
        for figure in facts["figures"]:
            if not figure["link"] or figure["link"] != figure["img"]:
                problems.append(f"{where}: picture does not open at full size: {figure}")
        for notebook in facts["notebooks"]:
            file = site / notebook.removeprefix(base_url)
            if not notebook.endswith(".ipynb") or not file.is_file():
                problems.append(f"{where}: notebook link leads nowhere: {notebook}")
        if page.startswith(("tutorial/", "ko/tutorial/")) and "/index" not in page:
            chapter = page.strip("/").rsplit("/", 1)[-1]
            if not chapter.startswith("index") and chapter != "tutorial" and not facts["notebooks"]:
                problems.append(f"{where}: no notebook to download")
        other = "en" if language == "ko" else "ko"
        expected = base_url + counterpart(page)
        if facts["switchTo"].get(other) != expected:
            problems.append(
                f"{where}: the language switch to {other} leads to "
                f"{facts['switchTo'].get(other)}, expected {expected}"
            )
        elif counterpart(page) not in pages:
            problems.append(f"{where}: the counterpart page {counterpart(page)} does not exist")
        for code in facts["scrolling"]:
            problems.append(f"{where}: code block scrolls sideways at 1280 px: {code!r}")
        for error in browser.console_errors():
            problems.append(f"{where}: console error: {error}")
        for url in browser.external_requests():
            problems.append(f"{where}: request leaves 127.0.0.1: {url}")
    assert not problems, "\n".join(problems)
    assert pictures >= 20


def test_tutorial_code_fits_a_phone(site: Path, base_url: str, browser: Browser) -> None:
    """At a phone's width (390 px) the tutorial's code wraps instead of scrolling."""
    pages = [p for p in site_pages(site) if p.startswith(("tutorial/", "ko/tutorial/"))]
    assert len(pages) == 16
    problems = []
    browser.driver.set_window_size(390, 844)
    try:
        for page in pages:
            browser.open_url(base_url + page)
            facts = browser.driver.execute_script(_PAGE_FACTS)
            width = browser.driver.execute_script("return document.documentElement.clientWidth")
            assert width <= 400, f"the window is {width} px wide, not a phone's"
            problems += [f"{page}: code scrolls sideways: {code!r}" for code in facts["scrolling"]]
    finally:
        browser.driver.set_window_size(1280, 900)
    assert not problems, "\n".join(problems)


def test_language_switch_opens_the_counterpart(base_url: str, browser: Browser) -> None:
    from selenium.webdriver.common.by import By

    browser.open_url(base_url + "tutorial/03-chain-rule/")
    link = browser.driver.find_element(By.CSS_SELECTOR, 'a.md-select__link[hreflang="ko"]')
    browser.driver.execute_script("arguments[0].click()", link)
    _wait(lambda: browser.driver.current_url == base_url + "ko/tutorial/03-chain-rule/")
    assert browser.driver.execute_script("return document.documentElement.lang") == "ko"
    assert "연쇄법칙" in browser.driver.find_element(By.TAG_NAME, "h1").text


@pytest.mark.parametrize(
    ("page", "query", "expected"),
    [("", "backward", "backward"), ("ko/", "연쇄법칙", "연쇄법칙")],
    ids=["en-backward", "ko-chain-rule"],
)
def test_search_finds(
    base_url: str, browser: Browser, page: str, query: str, expected: str
) -> None:
    from selenium.webdriver.common.by import By

    browser.forget_logs()
    browser.open_url(base_url + page)
    browser.driver.find_element(By.CSS_SELECTOR, "label.md-search__icon, .md-search__input")
    field = browser.driver.find_element(By.CSS_SELECTOR, "input.md-search__input")
    browser.driver.execute_script("arguments[0].focus()", field)
    field.send_keys(query)

    def results() -> list[tuple[str, str]]:
        items = browser.driver.find_elements(By.CSS_SELECTOR, ".md-search-result__item a")
        return [(item.get_attribute("href") or "", item.text) for item in items]

    _wait(lambda: len(results()) > 0)
    found = results()
    assert any(expected.lower() in text.lower() for _, text in found), found[:5]
    if page == "ko/":
        assert any("/ko/" in href for href, _ in found), found[:5]
    assert browser.console_errors() == []
    assert browser.external_requests() == []


def _wait(condition: object, timeout: float = 10.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():  # type: ignore[operator]
            return
        time.sleep(0.1)
    raise AssertionError("the page did not get there in time")
