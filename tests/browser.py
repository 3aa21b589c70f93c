"""A real browser for tests: headless Chromium driven by Selenium.

This is a plain module (not a test file) shared by every test that opens a
page. It gives:

- `browser_skip_reason()`: why a browser test cannot run here (Chromium,
  chromedriver or Selenium missing), or None; `require_browser()` skips the
  calling test with that reason (or fails it, when the environment variable
  MICROGRAD_REQUIRE_BROWSER is set, as CI should once it installs Chromium).
- `start_browser()`: headless Chromium with the flags it needs as root, a
  fresh temporary profile, the network cut off except for 127.0.0.1, console
  messages and every network request recorded. Use it as a context manager::

      with start_browser() as browser:
          browser.open_file(tmp_path / "page.html")
          assert browser.console_errors() == []
          assert browser.external_requests() == []

- `serve_directory(folder)`: an HTTP server for a folder on 127.0.0.1 at a
  free port, in a background thread; a context manager yielding the base URL.

A pytest fixture is three lines in the test module::

    @pytest.fixture
    def browser() -> Iterator[Browser]:
        require_browser()
        with start_browser() as running:
            yield running
"""

from __future__ import annotations

import contextlib
import functools
import http.server
import json
import os
import shutil
import socket
import tempfile
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest

#: Flags Chromium needs to run headless as root in a container, and to keep
#: it from reaching out on its own (updates, sync, field trials, QUIC).
CHROMIUM_FLAGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-dev-shm-usage",
    # Every host name resolves to nothing except the loopback address, so a
    # page that tries to fetch from the internet fails instead of leaving.
    "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1, EXCLUDE localhost",
)

#: Where Debian (and most distributions) put the browser and its driver.
CHROMIUM_NAMES = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable")
CHROMEDRIVER_NAMES = ("chromedriver",)


def _which(names: tuple[str, ...]) -> str | None:
    for name in names:
        found = shutil.which(name)
        if found is not None:
            return found
    return None


@functools.cache
def browser_skip_reason() -> str | None:
    """Why browser tests cannot run on this machine, or None when they can."""
    try:
        import selenium  # noqa: F401
    except ImportError:
        return "Selenium is not installed (pip install selenium, part of the dev extra)"
    if _which(CHROMIUM_NAMES) is None:
        return "Chromium is not installed (apt-get install chromium chromium-driver)"
    if _which(CHROMEDRIVER_NAMES) is None:
        return "chromedriver is not installed (apt-get install chromium-driver)"
    return None


#: Set this environment variable (to anything but "" or "0") where a browser
#: must be present, in CI say: missing browser tests then fail instead of skipping.
REQUIRE_VARIABLE = "MICROGRAD_REQUIRE_BROWSER"


def require_browser() -> None:
    """Skip the calling test, with the reason, when no browser can run here.

    With `REQUIRE_VARIABLE` set, fail it instead, so that a missing install
    cannot pass as green.
    """
    reason = browser_skip_reason()
    if reason is None:
        return
    if os.environ.get(REQUIRE_VARIABLE, "") not in ("", "0"):
        pytest.fail(f"{reason}; {REQUIRE_VARIABLE} is set, so browser tests must run")
    pytest.skip(reason)


class Browser:
    """A running headless Chromium; `driver` is the Selenium WebDriver.

    Console messages and network requests are read from Chromium's logs; each
    read drains the log, so the class keeps everything it has seen.
    """

    def __init__(self, driver: Any, profile: Path) -> None:
        self.driver = driver
        self.profile = profile
        self._console: list[dict[str, Any]] = []
        self._requests: list[str] = []

    # -- pages ------------------------------------------------------------
    def open_file(self, path: Path | str) -> None:
        """Open a file from disk (a file:// URL) and wait for it to load."""
        self.driver.get(Path(path).resolve().as_uri())

    def open_url(self, url: str) -> None:
        """Open a URL (normally one from `serve_directory`)."""
        self.driver.get(url)

    def set_offline(self, offline: bool = True) -> None:
        """Cut (or restore) all network access, loopback included.

        Pages opened from disk still load; anything they fetch fails.
        """
        self.driver.execute_cdp_cmd("Network.enable", {})
        self.driver.execute_cdp_cmd(
            "Network.emulateNetworkConditions",
            {"offline": offline, "latency": 0, "downloadThroughput": -1, "uploadThroughput": -1},
        )

    def screenshot(self, path: Path | str) -> None:
        """Save a PNG of the visible part of the page."""
        self.driver.save_screenshot(str(path))

    # -- logs ---------------------------------------------------------------
    def _drain(self) -> None:
        for entry in self.driver.get_log("browser"):
            self._console.append(entry)
        for entry in self.driver.get_log("performance"):
            try:
                message = json.loads(entry["message"])["message"]
            except (KeyError, ValueError):
                continue
            if message.get("method") == "Network.requestWillBeSent":
                url = message.get("params", {}).get("request", {}).get("url")
                if isinstance(url, str):
                    self._requests.append(url)

    def console(self) -> list[dict[str, Any]]:
        """Every console entry so far (dicts with `level` and `message`)."""
        self._drain()
        return list(self._console)

    def console_errors(self) -> list[str]:
        """The messages of console entries at level SEVERE (errors, failed loads)."""
        return [entry["message"] for entry in self.console() if entry.get("level") == "SEVERE"]

    def requested_urls(self) -> list[str]:
        """Every URL the page asked for so far, in order (the page itself included)."""
        self._drain()
        return list(self._requests)

    def external_requests(self) -> list[str]:
        """Requested URLs that are neither file://, data:, about: nor 127.0.0.1/localhost."""
        return [url for url in self.requested_urls() if not is_local_url(url)]

    def forget_logs(self) -> None:
        """Drop the console entries and requests seen so far (say, before opening a page)."""
        self._drain()
        self._console.clear()
        self._requests.clear()

    def close(self) -> None:
        """Quit the browser and delete its profile."""
        try:
            self.driver.quit()
        finally:
            shutil.rmtree(self.profile, ignore_errors=True)

    def __enter__(self) -> Browser:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()


def is_local_url(url: str) -> bool:
    """True for URLs that stay on this machine (file, data, blob, about, loopback)."""
    parts = urlsplit(url)
    if parts.scheme in ("file", "data", "blob", "about", "chrome", "devtools"):
        return True
    return parts.scheme in ("http", "https", "ws", "wss") and parts.hostname in (
        "127.0.0.1",
        "localhost",
        "::1",
    )


def start_browser(*, width: int = 1280, height: int = 900, lang: str = "en-US") -> Browser:
    """Start headless Chromium with a fresh profile; close it (or use `with`) when done.

    Raises `pytest.skip.Exception` (skips the test) when no browser is available.
    """
    require_browser()
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    profile = Path(tempfile.mkdtemp(prefix="mg-chromium-"))
    options = webdriver.ChromeOptions()
    binary = _which(CHROMIUM_NAMES)
    assert binary is not None
    options.binary_location = binary
    for flag in CHROMIUM_FLAGS:
        options.add_argument(flag)
    options.add_argument(f"--user-data-dir={profile}")
    options.add_argument(f"--window-size={width},{height}")
    options.add_argument(f"--lang={lang}")
    options.set_capability("goog:loggingPrefs", {"browser": "ALL", "performance": "ALL"})
    driver_path = _which(CHROMEDRIVER_NAMES)
    assert driver_path is not None
    try:
        driver = webdriver.Chrome(service=Service(executable_path=driver_path), options=options)
    except Exception:
        shutil.rmtree(profile, ignore_errors=True)
        raise
    driver.set_page_load_timeout(30)
    return Browser(driver, profile)


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:
        pass


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on right now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


@contextlib.contextmanager
def serve_directory(folder: Path | str) -> Iterator[str]:
    """Serve `folder` over HTTP on 127.0.0.1 at a free port; yields the base URL.

    The URL ends with a slash: `url + "index.html"`. The server runs in a
    daemon thread and stops when the block ends.
    """
    handler = functools.partial(_QuietHandler, directory=str(folder))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)
