"""The shared browser harness (`browser.py`) does what it promises."""

from __future__ import annotations

from pathlib import Path

from browser import is_local_url, serve_directory, start_browser

PAGE = """<!DOCTYPE html><html><body><p id="greeting">hello</p>
<img src="https://example.com/tracker.png">
<script>console.error("something broke")</script></body></html>"""


def test_local_urls() -> None:
    assert is_local_url("file:///tmp/a.html")
    assert is_local_url("http://127.0.0.1:8000/a.html")
    assert is_local_url("data:image/png;base64,AAAA")
    assert not is_local_url("https://example.com/a.png")
    assert not is_local_url("http://10.0.0.1/a.png")


def test_served_folder_console_errors_and_requests(tmp_path: Path) -> None:
    (tmp_path / "index.html").write_text(PAGE, encoding="utf-8")
    with start_browser() as browser, serve_directory(tmp_path) as url:
        assert url.startswith("http://127.0.0.1:") and url.endswith("/")
        browser.forget_logs()
        browser.open_url(url + "index.html")
        assert browser.driver.find_element("id", "greeting").text == "hello"
        errors = browser.console_errors()
        assert any("something broke" in message for message in errors)
        # The outside request was made, recorded, and failed: no name resolves.
        assert browser.external_requests() == ["https://example.com/tracker.png"]
        assert any("ERR_NAME_NOT_RESOLVED" in message for message in errors)
        assert url + "index.html" in browser.requested_urls()


def test_offline_still_opens_files(tmp_path: Path) -> None:
    (tmp_path / "page.html").write_text(PAGE, encoding="utf-8")
    with start_browser() as browser:
        browser.set_offline()
        browser.open_file(tmp_path / "page.html")
        assert browser.driver.find_element("id", "greeting").text == "hello"
        profile = browser.profile
    assert not profile.exists()
