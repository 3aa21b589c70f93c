"""The explanation page in a real browser: headless Chromium, opened from disk, offline.

Skipped, with the reason, when Chromium, chromedriver or Selenium is missing
(failed instead when MICROGRAD_REQUIRE_BROWSER is set; see `browser.py`).
"""

from __future__ import annotations

import json
import re
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from browser import Browser, start_browser
from graphviz_check import require_dot

import micrograd as mg
from micrograd.cli import GRAPH_SAMPLE, _network_loss
from micrograd.models import TwoLayerNet


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    with start_browser(width=1400, height=1000) as running:
        running.set_offline()
        yield running


@pytest.fixture(scope="module")
def pages(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    require_dot()
    folder = tmp_path_factory.mktemp("explain-pages")
    net = TwoLayerNet()
    loss = _network_loss(net, **GRAPH_SAMPLE)
    hostile = hostile_root()
    return {
        "en": mg.explain(loss, model=net).save(folder / "network.html"),
        "ko": mg.explain(loss, model=net, lang="ko").save(folder / "network-ko.html"),
        "hostile": mg.explain(hostile).save(folder / "hostile.html"),
    }


HOSTILE = "<script>alert(1)</script>"


def hostile_root() -> mg.Node:
    x = mg.Node(1.5, label=HOSTILE)
    y = mg.tanh(x * 2.0)
    y.label = "<b>y</b>"
    return y


def by_testid(browser: Browser, testid: str) -> Any:
    return browser.driver.find_element("css selector", f'[data-testid="{testid}"]')


def recording_of(browser: Browser) -> dict[str, Any]:
    text = browser.driver.execute_script(
        "return document.getElementById('mg-recording').textContent"
    )
    data: dict[str, Any] = json.loads(text)
    return data


def shown_state(browser: Browser) -> dict[str, Any]:
    """What the page shows now: its step, highlighted nodes, panel lines, grad texts."""
    state: dict[str, Any] = browser.driver.execute_script(
        """
        const page = document.getElementById('mg-explain');
        const ids = sel => [...document.querySelectorAll(sel)].map(g => g.dataset.id);
        const grads = {};
        document.querySelectorAll('g.node[data-id^="v"]').forEach(g => {
          const t = g.querySelector('text.mg-grad');
          if (t && !t.classList.contains('mg-hidden')) grads[g.dataset.id] = t.textContent;
        });
        return {
          step: Number(page.dataset.step),
          current: ids('g.node.mg-current'),
          target: ids('g.node.mg-target'),
          lines: [...document.querySelectorAll('[data-testid="step-text"] p')]
                   .map(p => p.textContent),
          counter: document.querySelector('[data-testid="step-counter"]').textContent,
          grads: grads,
        };
        """
    )
    return state


def open_page(browser: Browser, path: Path) -> None:
    browser.forget_logs()
    browser.open_file(path)


def check_step(browser: Browser, recording: dict[str, Any], k: int) -> None:
    """The page, after "next" was pressed k times, shows the recording's step k."""
    state = shown_state(browser)
    step = recording["steps"][k]
    assert state["step"] == k
    assert state["lines"] == step["lines"]
    assert state["counter"].endswith(f"{k} / {len(recording['steps']) - 1}")
    if step["kind"] in ("forward", "seed", "edge"):
        assert f"v{step['node']}" in state["current"]
    if step["kind"] == "edge":
        assert state["target"] == [f"v{step['input']}"]
        numbers = step["numbers"]
        chain = state["lines"][1]
        for key in ("outGrad", "local", "contribution"):
            assert numbers[key] in chain
        assert state["lines"][2].endswith(f"= {numbers['after']}")
        # The input's box shows its running total, as the recording formats it.
        assert state["grads"][f"v{step['input']}"] == step["grad"]["short"]
    if step["kind"] == "end":
        rows = browser.driver.find_elements("css selector", '[data-testid="leaves"] tbody tr')
        assert len(rows) == len(recording["leaves"])
        for row, i in zip(rows, recording["leaves"]):
            node = recording["nodes"][i]
            cells = [c.text for c in row.find_elements("css selector", "td")]
            assert cells[0] == node["name"]
            assert cells[2] == node["dataText"]
            assert cells[3] == (node["gradText"] or "—")
        shown = state["grads"]
        for i, node in enumerate(recording["nodes"]):
            if node["gradShort"]:
                assert shown[f"v{i}"] == node["gradShort"]


def test_next_k_times_shows_step_k(browser: Browser, pages: dict[str, Path]) -> None:
    open_page(browser, pages["en"])
    recording = recording_of(browser)
    assert [s["kind"] for s in recording["steps"][:3]] == ["leaves", "forward", "forward"]
    next_button = by_testid(browser, "next")
    check_step(browser, recording, 0)
    for k in range(1, len(recording["steps"])):
        next_button.click()
        check_step(browser, recording, k)
    assert browser.console_errors() == []
    assert browser.external_requests() == []
    assert all(url.startswith("file://") for url in browser.requested_urls())


def test_back_slider_keys_and_ends(browser: Browser, pages: dict[str, Path]) -> None:
    open_page(browser, pages["en"])
    recording = recording_of(browser)
    last = len(recording["steps"]) - 1
    for _ in range(4):
        by_testid(browser, "next").click()
    by_testid(browser, "prev").click()
    assert shown_state(browser)["step"] == 3
    browser.driver.execute_script(
        "const s = document.querySelector('[data-testid=\"slider\"]');"
        "s.value = '30'; s.dispatchEvent(new Event('input'));"
    )
    assert shown_state(browser)["lines"] == recording["steps"][30]["lines"]
    body = browser.driver.find_element("css selector", "body")
    body.send_keys("\ue014")  # ArrowRight
    assert shown_state(browser)["step"] == 31
    body.send_keys("\ue012")  # ArrowLeft
    body.send_keys("\ue012")
    assert shown_state(browser)["step"] == 29
    body.send_keys("\ue010")  # End
    assert shown_state(browser)["step"] == last
    assert not by_testid(browser, "leaves").get_attribute("hidden")
    assert by_testid(browser, "next").get_attribute("disabled") == "true"
    body.send_keys("\ue011")  # Home
    assert shown_state(browser)["step"] == 0
    by_testid(browser, "end").click()
    assert shown_state(browser)["step"] == last
    by_testid(browser, "start").click()
    assert shown_state(browser)["step"] == 0
    assert browser.console_errors() == []


def test_play_and_pause(browser: Browser, pages: dict[str, Path]) -> None:
    open_page(browser, pages["en"])
    browser.driver.execute_script(
        "const s = document.querySelector('[data-testid=\"speed\"]');"
        "s.value = '4'; s.dispatchEvent(new Event('change'));"
    )
    play = by_testid(browser, "play")
    play.click()
    assert play.get_attribute("aria-pressed") == "true"
    deadline = time.monotonic() + 5
    while shown_state(browser)["step"] < 3 and time.monotonic() < deadline:
        time.sleep(0.05)
    play.click()
    paused = shown_state(browser)["step"]
    assert paused >= 3
    assert play.get_attribute("aria-pressed") == "false"
    time.sleep(0.6)
    assert shown_state(browser)["step"] == paused


def test_hovering_a_node_shows_its_numbers(browser: Browser, pages: dict[str, Path]) -> None:
    from selenium.webdriver.common.action_chains import ActionChains

    open_page(browser, pages["en"])
    recording = recording_of(browser)
    index = next(i for i, n in enumerate(recording["nodes"]) if n["name"] == "w1")
    node = recording["nodes"][index]
    shape = browser.driver.find_element("css selector", f'g.node[data-id="v{index}"]')
    browser.driver.execute_script("arguments[0].scrollIntoView({block: 'center'})", shape)
    ActionChains(browser.driver).move_to_element(shape).perform()
    details = by_testid(browser, "details")
    assert details.get_attribute("data-node") == f"v{index}"
    text = details.text
    assert "w1" in text
    assert node["dataText"] in text and node["gradText"] in text
    assert "parameter" in text

    # An op-made node also lists its local derivatives.
    loss = recording["nodes"][recording["root"]]
    shape = browser.driver.find_element("css selector", f'g.node[data-id="v{recording["root"]}"]')
    browser.driver.execute_script("arguments[0].scrollIntoView({block: 'center'})", shape)
    ActionChains(browser.driver).move_to_element(shape).perform()
    text = by_testid(browser, "details").text
    assert loss["localText"][0] in text and loss["dataText"] in text


def test_korean_page_shows_korean(browser: Browser, pages: dict[str, Path]) -> None:
    open_page(browser, pages["ko"])
    assert browser.driver.find_element("css selector", "html").get_attribute("lang") == "ko"
    assert by_testid(browser, "next").text == "다음 ▶"
    for _ in range(25):
        by_testid(browser, "next").click()
    text = by_testid(browser, "step-text").text
    assert "연쇄법칙" in text and "지역 미분값" in text
    assert re.search("[가-힣]", by_testid(browser, "phase").text)
    assert browser.console_errors() == []


def test_a_script_label_shows_as_text(browser: Browser, pages: dict[str, Path]) -> None:
    open_page(browser, pages["hostile"])
    driver = browser.driver
    assert driver.execute_script("return document.scripts.length") == 2
    assert driver.execute_script("return document.querySelectorAll('svg b').length") == 0
    svg_text = driver.execute_script(
        "return [...document.querySelectorAll('svg text')].map(t => t.textContent)"
    )
    assert HOSTILE in svg_text and "<b>y</b>" in svg_text
    step_text = by_testid(browser, "step-text").text
    assert HOSTILE in step_text  # the leaves step names the leaf, as text
    from selenium.common.exceptions import NoAlertPresentException

    with pytest.raises(NoAlertPresentException):
        _ = driver.switch_to.alert.text
    assert browser.console_errors() == []


def test_zoom_switches_between_fit_and_full_size(browser: Browser, pages: dict[str, Path]) -> None:
    open_page(browser, pages["en"])
    driver = browser.driver
    width = "return document.querySelector('.mg-graph svg').getBoundingClientRect().width"
    box = "return document.querySelector('.mg-graph').clientWidth"
    zoom = by_testid(browser, "zoom")
    # The tutorial network is wider than the window: it opens at full size.
    assert zoom.get_attribute("aria-pressed") == "true"
    assert driver.execute_script(width) > driver.execute_script(box)
    zoom.click()
    assert zoom.get_attribute("aria-pressed") == "false"
    assert abs(driver.execute_script(width) - driver.execute_script(box)) <= 2
