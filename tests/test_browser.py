"""The real app in a real browser: `streamlit run` on a free port, driven by Playwright in Debian's
Chromium. Covers what AppTest cannot: the served page, a weight change through the slider's
keyboard handling, a download, an upload, and screenshots of every page.

Without /usr/bin/chromium the test is skipped — unless SCORECARD_REQUIRE_BROWSER is set, as
.ci/run sets it after installing the package, in which case a missing browser is a failure.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.parse
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import openpyxl
import pytest
from conftest import HOSTILE, ROOT, hostile_data

pytestmark = pytest.mark.browser
CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]

if not CHROMIUM.exists():
    if os.environ.get("SCORECARD_REQUIRE_BROWSER"):
        raise RuntimeError("SCORECARD_REQUIRE_BROWSER is set but /usr/bin/chromium is missing")
    pytest.skip(
        "Debian's chromium is not installed (apt-get install chromium)", allow_module_level=True
    )

from playwright.sync_api import Page, expect, sync_playwright  # noqa: E402


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextlib.contextmanager
def _serve(
    env: dict[str, str] | None = None, port: int | None = None, log: list | None = None
) -> Iterator[str]:
    """`streamlit run` the app on `port` (or a free one), with `env` added, until the block
    ends. The process is in `_serve.running`, for a test that kills it; given `log`, the
    process is added to it, to read what it printed once it has stopped."""
    port = port or _free_port()
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "streamlit",
            "run",
            str(ROOT / "streamlit_app.py"),
            "--server.headless",
            "true",
            "--server.port",
            str(port),
            "--browser.gatherUsageStats",
            "false",
            "--server.fileWatcherType",
            "none",
        ],
        cwd=ROOT,
        env={**os.environ, **(env or {})},
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        healthy = False
        while time.monotonic() < deadline and process.poll() is None and not healthy:
            try:
                with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2) as response:
                    healthy = response.read() == b"ok"
            except OSError:
                time.sleep(0.25)
        assert process.poll() is None and healthy, "streamlit did not become healthy"
        _serve.running = process
        if log is not None:
            log.append(process)
        yield url
    finally:
        with contextlib.suppress(ProcessLookupError):  # a test may have killed it
            os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)


@pytest.fixture(scope="module")
def server() -> Iterator[str]:
    # The project's .streamlit/config.toml binds to 127.0.0.1: the test reaches it there.
    with _serve() as url:
        yield url


@pytest.fixture
def page(tmp_path) -> Iterator[Page]:
    with sync_playwright() as p:
        # Playwright gives the browser a fresh temporary profile of its own.
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        context = browser.new_context(
            accept_downloads=True, viewport={"width": 1600, "height": 1400}
        )
        yield context.new_page()
        context.close()
        browser.close()


def _ranking(page: Page) -> list[str]:
    """The vendor column (the third) of the ranking tables, above and below the line."""
    tables = page.locator('[data-testid="stMain"] [data-testid="stTable"]')
    return tables.locator("tbody tr td:nth-child(3)").all_text_contents()


def _wait_for_ranking(page: Page, unlike: list[str] | None = None) -> list[str]:
    """The vendor column once the table is drawn and stable (and, given `unlike`, reordered)."""
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        page.wait_for_timeout(250)
        now = _ranking(page)
        if not now or now == unlike or (unlike and sorted(now) != sorted(unlike)):
            continue
        page.wait_for_timeout(250)
        if _ranking(page) == now:
            return now
    raise AssertionError(f"no new, complete ranking appeared (before: {unlike})")


HEADINGS = {
    "Compare": "Compare vendors",
    "Panel": "Panel",
    "Vendor": "Claims",
    "Templates": "Criteria template",
    "Session": "Session",
    "Export": "Export",
}


def _goto(page: Page, link: str) -> None:
    page.locator('[data-testid="stSidebarNav"] a').filter(has_text=link).click()
    expect(page.get_by_role("heading", name=HEADINGS[link], exact=True)).to_be_visible(
        timeout=30_000
    )
    _shows_no_error(page)


def _settle(locator, seconds: float = 30) -> None:
    """Wait until `locator` matches exactly one element, and still does a second later."""
    deadline = time.monotonic() + seconds
    while True:
        if locator.count() == 1:
            locator.page.wait_for_timeout(1000)
            if locator.count() == 1:
                return
        assert time.monotonic() < deadline, f"{locator} did not settle on one element"
        locator.page.wait_for_timeout(250)


def _shows_no_error(page: Page) -> None:
    """No traceback and no error box anywhere on the page a person sees."""
    expect(page.locator('[data-testid="stException"]')).to_have_count(0)
    expect(page.locator('[data-testid="stAlertContentError"]')).to_have_count(0)


def test_a_session_from_weights_to_download_and_back(server, page, tmp_path):
    page.goto(server)
    expect(page.locator('[data-testid="stAppViewContainer"]')).to_be_visible(timeout=30_000)
    expect(page.locator("h1").filter(has_text="Compare vendors")).to_be_visible(timeout=30_000)
    before = _wait_for_ranking(page)
    assert "Alibaba Wan" in before and len(before) >= 10
    _shows_no_error(page)
    page.screenshot(path=tmp_path / "compare.png", full_page=True)

    # Weight quality to the maximum with the slider's keyboard handling: the ranking must change.
    slider = page.locator('[data-testid="stSlider"]').filter(has_text="Independent quality")
    slider.get_by_role("slider").focus()
    slider.get_by_role("slider").press("End")
    after = _wait_for_ranking(page, unlike=before)
    assert after != before and sorted(after) == sorted(before)
    page.screenshot(path=tmp_path / "compare-reweighted.png", full_page=True)

    for title in ("Vendor", "Templates", "Export"):
        _goto(page, title)
        page.screenshot(path=tmp_path / f"{title.lower()}.png", full_page=True)

    _goto(page, "Session")
    # The link still carries the session after switching pages, and a reload reopens it.
    link = page.url
    assert "?session=" in link
    page.reload()
    expect(page.get_by_role("heading", name="Activity", exact=True)).to_be_visible(timeout=30_000)
    assert page.url == link
    page.screenshot(path=tmp_path / "session.png", full_page=True)
    with page.expect_download() as download:
        page.locator('[data-testid="stDownloadButton"] button').filter(has_text="session").click()
    saved = tmp_path / "session.yaml"
    download.value.save_as(saved)
    text = saved.read_text()
    assert "format: scorecard-session/1" in text and "quality: 100.0" in text

    page.locator('[data-testid="stFileUploaderDropzoneInput"]').set_input_files(saved)
    expect(page.get_by_text("Resumed:")).to_be_visible(timeout=30_000)
    _goto(page, "Compare")
    assert _wait_for_ranking(page) == after  # the resumed session ranks as the saved one did


def test_hostile_names_render_as_text_and_nothing_is_fetched(page, tmp_path):
    """Markdown, HTML and image syntax in every template name, gate, unit and a vendor's name:
    the page shows it as text, and the browser asks no other host for anything."""
    outside: list[str] = []

    def watch(route):
        if urllib.parse.urlsplit(route.request.url).hostname in ("127.0.0.1", "localhost"):
            route.continue_()
        else:
            outside.append(route.request.url)
            route.abort()

    page.route("**/*", watch)
    with _serve({"SCORECARD_DATA": str(hostile_data(tmp_path / "data"))}) as url:
        page.goto(url)
        expect(page.locator("h1").filter(has_text="Compare vendors")).to_be_visible(timeout=30_000)
        _wait_for_ranking(page)
        for summary in page.locator('[data-testid="stSidebar"] summary').all():
            summary.click()  # open every sub-criteria expander: their sliders carry names too
        page.wait_for_timeout(500)
        page.screenshot(path=tmp_path / "hostile-compare.png", full_page=True)
        sidebar = page.locator('[data-testid="stSidebar"]').inner_text().replace("\u2060", "")
        assert "![x](http://evil.invalid/p.png)" in sidebar and "**b**" in sidebar

        _goto(page, "Templates")
        for summary in page.locator('[data-testid="stMain"] summary').all()[:3]:
            summary.click()
        page.get_by_role("tab", name="Upload and download").click()
        upload = tmp_path / "upload.yaml"
        upload.write_text((tmp_path / "data" / "criteria" / "ai-video-enterprise.yaml").read_text())
        page.locator('[data-testid="stFileUploaderDropzoneInput"]').set_input_files(upload)
        use = page.locator('[data-testid="stButton"] button').filter(has_text="in this session")
        expect(use).to_be_visible(timeout=30_000)
        assert HOSTILE.split(" <img")[0] in use.inner_text().replace("\u2060", "")
        page.screenshot(path=tmp_path / "hostile-templates.png", full_page=True)

        _goto(page, "Vendor")
        page.locator('[data-testid="stSelectbox"]').first.click()
        page.get_by_role("option").filter(has_text="R Q").click()
        expect(page.locator("h1").filter(has_text="evil.invalid")).to_be_visible(timeout=30_000)
        page.screenshot(path=tmp_path / "hostile-vendor.png", full_page=True)

        assert page.locator('img[src*="evil"]').count() == 0
        assert page.locator('a[href*="//evil.invalid"]').count() == 0  # heading anchors are #q-x-…
        assert outside == []


def test_a_questionnaire_goes_out_and_its_answers_come_back(page, tmp_path):
    """On the Vendor page: download Kling AI's questionnaire, fill it in as the vendor would,
    upload it, see what it would change, import it, and see the answer beside the research."""
    data = tmp_path / "data"
    for folder in ("criteria", "vendors"):
        shutil.copytree(ROOT / folder, data / folder)
    with _serve({"SCORECARD_DATA": str(data)}) as url:
        page.goto(url)
        expect(page.locator("h1").filter(has_text="Compare vendors")).to_be_visible(timeout=30_000)
        _goto(page, "Vendor")
        page.locator('[data-testid="stSelectbox"]').first.click()
        page.get_by_role("option", name="Kling AI").click()
        expect(page.locator("h1").filter(has_text="Kling AI")).to_be_visible(timeout=30_000)
        button = page.locator('[data-testid="stDownloadButton"] button')
        excel = button.filter(has_text="Questionnaire (Excel)")
        # While the page reruns for the vendor chosen, the last vendor's button lingers beside
        # the new one until the run ends.
        _settle(excel)
        with page.expect_download() as download:
            excel.click()
        sent = tmp_path / download.value.suggested_filename
        download.value.save_as(sent)
        assert sent.name.startswith("questionnaire-kling-ai-")
        expect(page.get_by_text("sent ", exact=False).first).to_be_visible(timeout=30_000)
        assert len(list((data / "vendors" / "responses" / "kling-ai").glob("sent-*.yaml"))) == 1

        book = openpyxl.load_workbook(sent)
        sheet = book["Questions"]
        today = dt.date.today().isoformat()
        for row, value in zip((4, 5, 7), ("Jane Doe", "Sales", today), strict=True):
            sheet.cell(row, 4).value = value
        for r in range(10, sheet.max_row + 1):
            if sheet.cell(r, 2).value == "generation_time":
                sheet.cell(r, 7).value = 90
        filled = tmp_path / "filled.xlsx"
        book.save(filled)
        page.locator('[data-testid="stFileUploaderDropzoneInput"]').set_input_files(filled)
        preview = page.get_by_text("generation_time: vendor answered: 90 s", exact=False)
        expect(preview).to_be_visible(timeout=30_000)
        page.screenshot(path=tmp_path / "vendor-preview.png", full_page=True)
        page.locator('[data-testid="stButton"] button').filter(has_text="Import 1 answer").click()
        expect(page.get_by_text("Imported 1 answer(s)", exact=False)).to_be_visible(timeout=30_000)
        assert (data / "vendors" / "responses" / "kling-ai" / f"{today}.yaml").is_file()
        shown = page.get_by_text("vendor answered: 90 s (claimed", exact=False).first
        expect(shown).to_be_visible(timeout=30_000)
        _shows_no_error(page)


def _choose(page: Page, label: str, option: str) -> None:
    """Pick `option` in the select box labelled `label`."""
    page.locator('[data-testid="stSelectbox"]').filter(has_text=label).click()
    page.get_by_role("option", name=option, exact=True).click()


def _click(page: Page, label: str) -> None:
    page.get_by_role("button", name=label, exact=True).click()


def _invite(page: Page, name: str, role: str) -> str:
    page.get_by_label("Name", exact=True).fill(name)
    _choose(page, "Role", role)
    _click(page, "Invite")
    code = page.locator('[data-testid="stCode"]').filter(has_text="token=")
    expect(code).to_be_visible(timeout=30_000)
    expect(page.get_by_text(f"Send {name} ({role}) this link")).to_be_visible(timeout=30_000)
    return code.inner_text().strip()


def _as_member(browser, link: str, who: str) -> Page:
    page = browser.new_context(viewport={"width": 1400, "height": 1800}).new_page()
    page.goto(link)
    expect(page.get_by_text(f"You are {who}", exact=False)).to_be_visible(timeout=30_000)
    return page


def test_a_panel_of_four_weighs_reveals_decides_and_signs(tmp_path):
    """Facilitator, two evaluators (one by pairwise comparison) and an approver, each in their
    own browser context; a refresh and a server killed with SIGKILL in the middle lose nothing."""
    from scorecard.export.record import reproduce
    from scorecard.loading import load_record
    from scorecard.store import Store

    db = f"sqlite:///{tmp_path / 'sessions.db'}"
    port = _free_port()
    env = {"SCORECARD_DB": db}
    shots = tmp_path / "shots"
    shots.mkdir()
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        servers: list[subprocess.Popen] = []
        with _serve(env, port, servers) as url:
            ana = browser.new_context(
                accept_downloads=True, viewport={"width": 1400, "height": 3200}
            ).new_page()
            ana.goto(url)
            expect(ana.locator("h1").filter(has_text="Compare vendors")).to_be_visible(
                timeout=30_000
            )
            _goto(ana, "Panel")
            ana.get_by_label("Your name").fill("Ana")
            _click(ana, "Start a panel")
            expect(ana.get_by_text("You are Ana, facilitator.", exact=False)).to_be_visible(
                timeout=30_000
            )
            links = {name: _invite(ana, name, role) for name, role in (
                ("Ben", "evaluator"), ("Cai", "evaluator"), ("Pat", "approver"),
            )}  # fmt: skip
            session_id = urllib.parse.parse_qs(urllib.parse.urlparse(ana.url).query)["session"][0]

            # Ben gives the first criterion the most weight, and the last less.
            ben = _as_member(browser, links["Ben"], "Ben, evaluator")
            sliders = ben.locator('[data-testid="stSlider"]').get_by_role("slider")
            sliders.first.focus()
            sliders.first.press("End")
            sliders.last.focus()
            for _ in range(5):
                sliders.last.press("ArrowLeft")
            ben.wait_for_timeout(500)
            _click(ben, "Submit my weights")
            expect(ben.get_by_text("Your weights are in.")).to_be_visible(timeout=30_000)

            # Cai compares pairs: the first criterion extremely more important than the second.
            cai = _as_member(browser, links["Cai"], "Cai, evaluator")
            cai.get_by_text("Pairwise comparison (AHP)").click()
            pair = cai.locator('[data-testid="stSlider"]').get_by_role("slider").first
            expect(pair).to_be_visible(timeout=30_000)
            pair.focus()
            pair.press("Home")
            expect(cai.get_by_text("Consistency ratio", exact=False)).to_be_visible(timeout=30_000)
            cai.screenshot(path=shots / "panel-pairwise.png", full_page=True)
            _click(cai, "Submit my weights")
            expect(cai.get_by_text("Your weights are in.")).to_be_visible(timeout=30_000)
            # A refresh in the middle: Cai is still Cai, and the submission is still there.
            cai.reload()
            expect(cai.get_by_text("You are Cai, evaluator.", exact=False)).to_be_visible(
                timeout=30_000
            )
            status = cai.locator('[data-testid="stDataFrame"]').filter(has_text="Evaluator")
            expect(status).to_contain_text("Cai", timeout=30_000)

            # Blind until revealed: the facilitator sees who submitted, not their weights.
            ana.reload()
            expect(ana.get_by_text("You are Ana, facilitator.", exact=False)).to_be_visible(
                timeout=30_000
            )
            expect(ana.get_by_text("How the panel agrees")).to_have_count(0)
            _click(ana, "Reveal everyone's weights")
            expect(ana.get_by_text("How the panel agrees")).to_be_visible(timeout=30_000)

            # The server dies (SIGKILL) and comes back: everything saved is still there.
            os.killpg(_serve.running.pid, signal.SIGKILL)
            _serve.running.wait(timeout=15)
        with _serve(env, port, servers):
            ana.reload()
            expect(ana.get_by_text("How the panel agrees")).to_be_visible(timeout=60_000)
            expect(ana.get_by_text("Agreement on the ranking (Kendall's W)")).to_be_visible()
            expect(ana.get_by_text("Furthest from the group", exact=False)).to_be_visible()
            ana.locator('[data-testid="stVegaLiteChart"]').first.wait_for(timeout=30_000)
            _shows_no_error(ana)
            ana.screenshot(path=shots / "panel-facilitator.png", full_page=True)
            _click(ana, "Use the group's weights in this session")
            ana.get_by_label("Why").fill("Best on what the panel weighs most")
            _click(ana, "Record the decision")
            expect(ana.get_by_text("The decision is recorded", exact=False)).to_be_visible(
                timeout=30_000
            )

            pat = _as_member(browser, links["Pat"], "Pat, approver")
            pat.get_by_label("Comment", exact=False).fill("Approved for the pilot")
            _click(pat, "Sign")
            expect(pat.get_by_text("Signed.")).to_be_visible(timeout=30_000)
            pat.screenshot(path=shots / "panel-approver.png", full_page=True)

            ana.reload()
            expect(ana.get_by_text("signed, so locked", exact=False)).to_be_visible(timeout=30_000)
            _goto(ana, "Export")
            ana.get_by_text("Decision record (JSON)").click()
            with ana.expect_download() as download:
                ana.locator('[data-testid="stDownloadButton"] button').click()
            saved = tmp_path / "record.json"
            download.value.save_as(saved)
        browser.close()

    record = load_record(saved)
    assert record.panel is not None and record.panel.decision is not None
    assert [s.evaluator for s in record.panel.submissions] == ["Ben", "Cai"]
    assert [(s.name, s.verdict) for s in record.panel.signatures] == [("Pat", "signed")]
    assert record.panel.kendall_w is not None
    assert reproduce(record, ROOT) == []
    # No token in the record, nor in anything either server printed.
    tokens = [link.rsplit("token=", 1)[1] for link in links.values()]
    printed = "".join(p.stdout.read().decode(errors="replace") for p in servers)
    assert len(servers) == 2 and "You can now view your Streamlit app" in printed
    assert not any(t in saved.read_text() or t in printed for t in tokens)
    kept = Store(db)
    try:
        assert kept.verify(session_id) == []
        assert kept.panel(session_id).locked is not None
    finally:
        kept.close()


def test_two_app_servers_on_one_postgresql_share_the_session(postgres_database, page):
    """Two replicas behind no proxy at all: a change made through one is there through the
    other, and back."""
    env = {"SCORECARD_DB": postgres_database}
    with _serve(env) as first, _serve(env) as second:
        page.goto(first)
        before = _wait_for_ranking(page)
        slider = page.locator('[data-testid="stSlider"]').filter(has_text="Independent quality")
        slider.get_by_role("slider").focus()
        slider.get_by_role("slider").press("End")
        changed = _wait_for_ranking(page, unlike=before)
        query = urllib.parse.urlparse(page.url).query
        assert "session=" in query

        other = page.context.browser.new_context(viewport={"width": 1600, "height": 1400})
        there = other.new_page()
        there.goto(f"{second}/?{query}")
        assert _wait_for_ranking(there) == changed
        # Back the other way: a change through the second server shows on the first.
        there.locator('[data-testid="stSlider"]').filter(
            has_text="Independent quality"
        ).get_by_role("slider").press("Home")
        back = _wait_for_ranking(there, unlike=changed)
        page.reload()
        assert _wait_for_ranking(page) == back
        other.close()
