"""Browser fixtures for the customer journeys: Debian's Chromium driven by Playwright's sync API.

Playwright never downloads a browser here: it launches ``/usr/bin/chromium`` with the flags
the house rules name. One browser per test module (starting Chromium is the slow part), a
fresh context per test (no cookies, session language or cache carried between journeys).

The test module imports the fixtures it uses from here; ``conftest.py`` belongs to the
subprocess journeys and stays as it is.

Also here: numbered screenshots into ``test-artifacts/<test>/NN-step.png``, a recorder of
every request a page makes, the axe check, and the touch-target and reflow measurements.
"""

from __future__ import annotations

import os
import re
import shutil
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Browser, BrowserContext, Page, Request, sync_playwright

CHROMIUM_PATH = "/usr/bin/chromium"
CHROMIUM_ARGUMENTS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
]
# Playwright's own timeout is 30 s; a local page that takes more than 10 s is broken, and
# failing sooner keeps a broken run short. This is a limit, not a timing assertion.
ACTION_TIMEOUT_MILLISECONDS = 10_000

PHONE = {"viewport": {"width": 390, "height": 844}, "device_scale_factor": 3, "is_mobile": True, "has_touch": True}

ARTIFACTS_DIR = Path(__file__).resolve().parents[2] / "test-artifacts"


@pytest.fixture(scope="module")
def chromium() -> Browser:
    """Debian's Chromium, started once for the module."""
    if not Path(CHROMIUM_PATH).exists():
        pytest.fail(f"{CHROMIUM_PATH} is missing: install Debian's chromium package (apt-get install chromium)")
    # Playwright's sync API keeps an asyncio loop marked as running on this thread while the
    # browser is open, and Django then refuses ORM calls from it ("cannot call this from an
    # async context"). The test's ORM calls (fixtures creating invoices, checks afterwards)
    # really are synchronous and nothing runs concurrently on this thread, so Django's own
    # documented escape hatch is safe here. The live server answers from its own thread.
    previous = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    try:
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(
                executable_path=CHROMIUM_PATH, args=CHROMIUM_ARGUMENTS, headless=True
            )
            try:
                yield browser
            finally:
                browser.close()
    finally:
        if previous is None:
            os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
        else:
            os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = previous


@pytest.fixture
def browser_settings(settings, live_server):
    """Absolute links (the 3-D Secure return address) must point at the live server."""
    settings.BASE_URL = live_server.url
    return settings


@pytest.fixture
def new_context(chromium, browser_settings):
    """``new_context(**options)`` opens a browser context that is closed after the test.

    The defaults are a 390×844 phone speaking US English; tests override the viewport or
    the browser's language (which Chromium sends as Accept-Language).
    """
    opened: list[BrowserContext] = []

    def open_context(**options) -> BrowserContext:
        merged = {**PHONE, "locale": "en-US", **options}
        context = chromium.new_context(**merged)
        context.set_default_timeout(ACTION_TIMEOUT_MILLISECONDS)
        opened.append(context)
        return context

    yield open_context
    for context in opened:
        context.close()


@pytest.fixture
def page(new_context) -> Page:
    """A page on a 390×844 phone in US English."""
    return new_context().new_page()


class Screenshots:
    """``shots.take(page, "hosted-invoice")`` saves ``test-artifacts/<test>/01-hosted-invoice.png``."""

    def __init__(self, directory: Path):
        self.directory = directory
        self.count = 0

    def take(self, page: Page, step: str) -> Path:
        self.count += 1
        path = self.directory / f"{self.count:02d}-{step}.png"
        # One image pixel per CSS pixel: small files, quick to take, and what a reader needs.
        page.screenshot(path=str(path), full_page=True, scale="css")
        return path

    def write(self, name: str, text: str) -> Path:
        path = self.directory / name
        path.write_text(text)
        return path


@pytest.fixture
def shots(request) -> Screenshots:
    name = re.sub(r"[^A-Za-z0-9_.-]+", "-", request.node.name).strip("-")
    directory = ARTIFACTS_DIR / name
    # Each run starts clean, so the folder never mixes two runs' steps.
    shutil.rmtree(directory, ignore_errors=True)
    directory.mkdir(parents=True)
    return Screenshots(directory)


# --- axe ---------------------------------------------------------------------------------

_axe = Axe()
BLOCKING_IMPACTS = ("serious", "critical")


def axe_problems(page: Page, shots: Screenshots | None = None, step: str = "") -> list[str]:
    """Axe's serious and critical violations on the page, one line each (rule id, impact, nodes).

    Every violation (any impact) is written next to the screenshots for whoever reads them.
    """
    results = _axe.run(page)
    # A run that checked nothing would report no violations too; make sure it looked.
    assert len(results.response["passes"]) > 10, "axe did not run against the page"
    if shots is not None:
        shots.write(f"axe-{step or shots.count}.txt", results.generate_report() or "no violations\n")
    return [
        f"{violation['id']} ({violation['impact']}): "
        + "; ".join(", ".join(node["target"]) for node in violation["nodes"])
        for violation in results.response["violations"]
        if violation["impact"] in BLOCKING_IMPACTS
    ]


# --- network -----------------------------------------------------------------------------


@dataclass
class NetworkLog:
    """Every request a page made, to check where they went and how much came back."""

    requests: list[Request] = field(default_factory=list)

    def attach(self, page: Page) -> NetworkLog:
        page.on("request", lambda request: self.requests.append(request))
        return self

    def clear(self) -> None:
        self.requests.clear()

    def network_requests(self) -> list[Request]:
        # data: URLs (the page's empty favicon) are decoded in the browser, never sent.
        return [request for request in self.requests if urlsplit(request.url).scheme not in ("data", "blob")]

    def hosts(self) -> set[str]:
        return {urlsplit(request.url).netloc for request in self.network_requests()}

    def transferred_bytes(self) -> int:
        """Bodies and headers of every response, as they came over the wire (after any compression).

        Call it once the page has settled: sizes are only known for finished requests.
        """
        total = 0
        for request in self.network_requests():
            sizes = request.sizes()
            total += sizes["responseBodySize"] + sizes["responseHeadersSize"]
        return total


# --- layout measurements -----------------------------------------------------------------

# Which visible targets are smaller than 44×44 CSS px.
#
# Targets: links with an href, buttons, form fields (not hidden inputs), <summary>, and
# anything with role button or link. Visible: laid out (has a box) and not visibility:hidden.
# The one exception is WCAG 2.5.8's "inline" one: a link inside running text, whose height
# is set by the sentence's line height. Precisely: walk up from the link past inline
# elements to its containing block; the link is in running text when that block, with every
# link and control taken out, still holds words (the footer's "Write to <a>email</a>.").
# A row of links with nothing else between them (the language switcher) is not running text.
_SMALL_TARGETS_SCRIPT = """
(minimum) => {
  const selector = 'a[href], button, input:not([type=hidden]), select, textarea, summary, [role=button], [role=link]';
  const isVisible = (element) => element.getClientRects().length > 0 && getComputedStyle(element).visibility !== 'hidden';
  const inRunningText = (link) => {
    if (link.tagName !== 'A') return false;
    let block = link.parentElement;
    while (block && getComputedStyle(block).display.startsWith('inline')) block = block.parentElement;
    if (!block) return false;
    const copy = block.cloneNode(true);
    copy.querySelectorAll(selector).forEach((target) => target.remove());
    return copy.textContent.trim() !== '';
  };
  const describe = (element) => {
    const text = (element.textContent || element.getAttribute('aria-label') || '').trim().replace(/\\s+/g, ' ');
    return element.tagName.toLowerCase() + (element.id ? '#' + element.id : '') + (text ? ' "' + text.slice(0, 40) + '"' : '');
  };
  return [...document.querySelectorAll(selector)]
    .filter((element) => isVisible(element) && !inRunningText(element))
    .map((element) => ({ name: describe(element), box: element.getBoundingClientRect() }))
    .filter(({ box }) => box.width < minimum || box.height < minimum)
    .map(({ name, box }) => `${name}: ${Math.round(box.width * 10) / 10}×${Math.round(box.height * 10) / 10}`);
}
"""

TOUCH_TARGET_PIXELS = 44


def small_touch_targets(page: Page) -> list[str]:
    """Visible targets under 44×44 CSS px, as ``'tag#id "text": W×H'`` (see the rule above)."""
    return page.evaluate(_SMALL_TARGETS_SCRIPT, TOUCH_TARGET_PIXELS)


def horizontal_fit(page: Page) -> dict:
    """The widths that say whether the page scrolls sideways, and what sticks out if it does.

    ``sticking_out`` names the outermost elements whose right edge passes the layout
    viewport (their children are left out: the cause is the outermost one).
    """
    return page.evaluate(
        """() => {
            const width = document.documentElement.clientWidth;
            const past = (element) => element.getBoundingClientRect().right > width + 0.5;
            const sticking_out = [...document.body.querySelectorAll('*')]
                .filter((element) => past(element) && !past(element.parentElement))
                .map((element) => {
                    const box = element.getBoundingClientRect();
                    return element.tagName.toLowerCase() + (element.className ? '.' + element.className : '')
                        + ` (right edge ${Math.round(box.right)} px, width ${Math.round(box.width)} px)`;
                });
            return {
                scrollWidth: document.documentElement.scrollWidth,
                clientWidth: width,
                innerWidth: window.innerWidth,
                sticking_out,
            };
        }"""
    )


def focused_element(page: Page) -> dict:
    """What has keyboard focus, and whether a focus indicator is drawn around it."""
    return page.evaluate(
        """() => {
            const element = document.activeElement;
            const style = getComputedStyle(element);
            return {
                tag: element.tagName.toLowerCase(),
                id: element.id,
                text: (element.textContent || '').trim().replace(/\\s+/g, ' '),
                outline: style.outlineStyle !== 'none' && parseFloat(style.outlineWidth) > 0,
            };
        }"""
    )


def assert_fits(page: Page, width: int, step: str) -> None:
    """No sideways scrolling at ``width`` CSS px (innerWidth must stay the device's width: a
    mobile browser zooms out to show something too wide, which would hide the overflow)."""
    fit = horizontal_fit(page)
    if not (fit["innerWidth"] == width and fit["scrollWidth"] <= min(fit["innerWidth"], fit["clientWidth"])):
        raise AssertionError(f"{step}: the page scrolls sideways: {fit}")


def tab_to(page: Page, matches, *, most_presses: int = 30) -> dict:
    """Press Tab until the focused element ``matches``; answers it (with its focus ring)."""
    for _ in range(most_presses):
        page.keyboard.press("Tab")
        focused = focused_element(page)
        if matches(focused):
            return focused
    raise AssertionError(f"Tab never reached it; last focused: {focused_element(page)}")
