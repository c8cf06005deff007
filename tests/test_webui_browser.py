"""The web UI in a real browser: Debian's Chromium driven by Playwright (no browser download)."""

import os
import shutil
import socketserver
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import pytest
from playwright.sync_api import expect, sync_playwright

from conftest import POSTS, ROOT, free_port, wait_until_serving, write_hostile_post
from openai_stub import start_scripted_server
from rag.messages import UI_EXAMPLES
from rag.pipeline import Pipeline
from rag.webui import WebChat, launch

EXAMPLE_QUESTION = UI_EXAMPLES[-1]

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--no-first-run"]
# README's screenshots are taken by these tests; they land in docs/ only when asked, so a test run leaves the tree clean.
SCREENSHOT_DIR = ROOT / "docs" if os.environ.get("RAG_UPDATE_SCREENSHOTS") else Path(tempfile.mkdtemp(prefix="screens-"))
SCREENSHOT = SCREENSHOT_DIR / "ui.png"
SCREENSHOTS = {kind: SCREENSHOT_DIR / f"{kind}.png" for kind in ("timeline", "digest", "quote")}

if not Path(CHROMIUM).exists():
    if os.environ.get("CI"):
        raise RuntimeError(f"{CHROMIUM} is missing: .ci/run installs it with apt (chromium fonts-noto-cjk)")
    pytest.skip(f"{CHROMIUM} is not installed (apt install chromium fonts-noto-cjk)", allow_module_level=True)


@pytest.fixture(scope="module")
def browser():
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


class RecordingProxy(socketserver.ThreadingTCPServer):
    """Stands in as HTTP(S) proxy: every outbound request of the app would arrive here first."""

    daemon_threads = True

    def __init__(self) -> None:
        self.requests: list[str] = []
        proxy = self

        class Handler(socketserver.StreamRequestHandler):
            def handle(self) -> None:
                proxy.requests.append(self.rfile.readline().decode(errors="replace").strip())

        super().__init__(("127.0.0.1", 0), Handler)
        threading.Thread(target=self.serve_forever, daemon=True).start()


@pytest.fixture(scope="module")
def ui_app(tmp_path_factory):
    """`python ui.py` as a reader starts it: no index yet, the seed posts plus one hostile post."""
    root = tmp_path_factory.mktemp("ui-app")
    shutil.copytree(POSTS, root / "content" / "posts")
    write_hostile_post(root / "content" / "posts")
    port = free_port()
    env = {**os.environ, "RAG_CONTENT_DIR": str(root / "content"), "RAG_INDEX_DIR": str(root / "index"),
           "GRADIO_SERVER_PORT": str(port)}
    env.pop("GRADIO_ANALYTICS_ENABLED", None)  # the app must turn analytics off by itself
    proxy = RecordingProxy()
    proxy_url = f"http://127.0.0.1:{proxy.server_address[1]}"
    env.update(HTTP_PROXY=proxy_url, HTTPS_PROXY=proxy_url, ALL_PROXY=proxy_url, http_proxy=proxy_url,
               https_proxy=proxy_url, all_proxy=proxy_url, NO_PROXY="127.0.0.1,localhost", no_proxy="127.0.0.1,localhost")
    log_path = root / "ui.log"
    with log_path.open("w") as log:
        server = subprocess.Popen([sys.executable, "ui.py"], cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)
        url = f"http://127.0.0.1:{port}/"
        wait_until_serving(url, server, log_path)
        yield url, log_path, proxy
        server.terminate()
        server.wait(timeout=30)
        proxy.shutdown()


def ask(page, question: str) -> None:
    answers_before = page.locator("#chat .source-card, #chat .error").count()
    page.locator("#question textarea").fill(question)
    page.locator("#question textarea").press("Enter")
    page.wait_for_function(
        f"document.querySelectorAll('#chat .source-card, #chat .error').length > {answers_before}", timeout=120_000
    )


def test_default_stack_answers_with_linked_markers_and_source_cards(browser, ui_app):
    url, log_path, proxy = ui_app
    assert "building it first" in log_path.read_text()  # no index at start: built before serving
    assert proxy.requests == []  # the app reached out to nothing while starting
    page = browser.new_page(viewport={"width": 1100, "height": 1000})
    outside, dialogs = [], []
    page.on("request", lambda request: outside.append(request.url) if not request.url.startswith((url, "data:")) else None)
    page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    page.goto(url)
    # The status is filled once the page has loaded (the server starts before the index is open).
    expect(page.locator(".status")).to_contain_text("답변 extractive")
    assert "글 6편" in page.locator(".status").inner_text()

    ask(page, "Kaggle 대회 상금이 얼마였어?")
    marker = page.locator("#chat a.marker").first
    assert marker.inner_text() == "[1]" and marker.get_attribute("href") == "#src-0-1"
    card = page.locator("#src-0-1")
    assert card.locator("a.permalink").get_attribute("href") == "https://punknews.netlify.app/daily-20240504/"
    assert card.locator("a[href='https://lmsys.org/blog/2024-05-02-kaggle-competition/']").count() == 1

    ask(page, "거기 상금은 누가 걸었어?")  # a follow-up: the searched question is shown
    assert "↳ 검색한 질문: Kaggle 대회 상금" in page.locator("#chat").inner_text()
    SCREENSHOT.parent.mkdir(exist_ok=True)
    page.screenshot(path=str(SCREENSHOT), full_page=True)
    # Scrolled to the top of the chat box, the first line of an answer is not covered by a label or buttons.
    assert page.evaluate("""() => {
        const line = document.querySelector("#chat .rewritten");
        line.scrollIntoView({block: "start"});
        const box = line.getBoundingClientRect();
        const seen = document.elementFromPoint(box.left + 20, box.top + box.height / 2);
        return seen !== null && seen.closest(".rewritten") !== null;
    }""")
    labels = [page.locator("#chat [aria-label]").nth(n).get_attribute("aria-label")
              for n in range(page.locator("#chat [aria-label]").count())]
    assert any("Kaggle" in label for label in labels)  # Gradio labels each message with its content...
    assert not [label for label in labels if "<" in label]  # ...which screen readers get as text, not tags

    users = page.locator("#chat .user").count()
    assert users == 2
    page.locator("#question textarea").fill("   ")
    page.locator("#question textarea").press("Enter")
    page.wait_for_timeout(1500)
    assert page.locator("#chat .user").count() == users  # a blank question adds no empty bubble

    example = EXAMPLE_QUESTION
    cards = page.locator("#chat .source-card, #chat .error").count()
    page.get_by_text(example, exact=True).first.click()  # an example question is asked when clicked
    page.wait_for_function(
        f"document.querySelectorAll('#chat .source-card, #chat .error').length > {cards}", timeout=120_000
    )
    assert example in page.locator("#chat .user").last.inner_text()

    ask(page, "xLSTM이 뭐야?")  # pushes the first answer out of the chat's view
    page.wait_for_timeout(1000)  # the chat's own scroll to the new answer settles, as it has for a reader
    page.evaluate("() => document.querySelector('#chat a.marker').click()")  # a real click would scroll it into view first
    page.wait_for_timeout(1000)
    assert page.evaluate("""() => {
        const card = document.getElementById("src-0-1").getBoundingClientRect();
        const seen = document.elementFromPoint(card.left + card.width / 2, card.top + card.height / 2);
        return seen !== null && seen.closest("#src-0-1") !== null;
    }""")  # the first [1] brought its card on screen, out of the chat's scroll box

    ask(page, "피싱 실험 공지 내용이 뭐야?")
    chat = page.locator("#chat")
    assert "피싱 실험" in chat.inner_text()
    hrefs = [anchor.get_attribute("href") or "" for anchor in chat.locator("a").all()]
    assert hrefs and not [href for href in hrefs if not href.startswith(("https://", "http://", "#src-"))]
    assert chat.locator("script, img[onerror], iframe").count() == 0
    page.wait_for_timeout(500)
    assert dialogs == [] and outside == []  # nothing executed, nothing fetched from outside
    assert proxy.requests == []


def test_timeline_digest_and_highlighted_quote(browser, ui_app):
    url, _, proxy = ui_app
    page = browser.new_page(viewport={"width": 1100, "height": 1400})
    page.goto(url)
    expect(page.locator(".status")).to_contain_text("답변 extractive")

    ask(page, "엔비디아 얘기가 나온 글들 날짜순으로 알려줘")
    timeline = page.locator("#chat .answer-text.timeline").last
    days = [day.inner_text() for day in timeline.locator("ul.timeline li .when").all()]
    assert len(days) >= 3 and days == sorted(days)
    markers = [marker.get_attribute("href") for marker in timeline.locator("a.marker").all()]
    assert len(markers) == len(days) and all(page.locator(href).count() == 1 for href in markers)
    page.wait_for_timeout(1000)  # the chat's own scroll to the new answer settles first
    timeline.scroll_into_view_if_needed()
    timeline.screenshot(path=str(SCREENSHOTS["timeline"]))

    ask(page, "5월 둘째 주 요약해줘")
    digest = page.locator("#chat .answer-text.digest").last
    posts = [post.inner_text() for post in digest.locator(".digest-post").all()]
    assert [post[:10] for post in posts] == ["2024-05-09", "2024-05-10", "2024-05-11"]
    assert digest.locator("ul.digest li").count() >= 4
    assert digest.locator("script, img[onerror]").count() == 0  # the hostile post of 5/11 is listed inert
    digest.scroll_into_view_if_needed()
    digest.screenshot(path=str(SCREENSHOTS["digest"]))

    ask(page, "Kaggle 대회 상금이 얼마였어?")
    card = page.locator("#src-2-1")  # the third answer of this page, its first source
    first_link = card.locator("ul li").first
    assert "quote-link" in (first_link.get_attribute("class") or "")
    assert first_link.locator("a").get_attribute("href") == "https://lmsys.org/blog/2024-05-02-kaggle-competition/"
    highlighted = card.locator("details .section-text mark")
    assert not highlighted.first.is_visible()  # collapsed until asked for
    card.locator("details summary").click()
    expect(highlighted.first).to_be_visible()
    assert "100,000달러" in " ".join(mark.inner_text() for mark in highlighted.all())
    card.scroll_into_view_if_needed()
    card.screenshot(path=str(SCREENSHOTS["quote"]))
    assert proxy.requests == []


@pytest.fixture(scope="module")
def streaming_app(real_pipeline):
    """The same UI answering through --llm openai, from a scripted OpenAI-compatible server that streams slowly."""
    reply = "Kaggle 대회의 상금은 100,000달러입니다 [1]. LMSYS가 인간 선호도를 예측하는 대회를 열었습니다 [1]."
    base_url, llm_server = start_scripted_server(reply, seconds_per_piece=0.2)
    settings = real_pipeline.settings.model_copy(update={
        "llm": "openai", "llm_base_url": base_url, "llm_model": "scripted", "server_host": "127.0.0.1",
        "server_port": free_port(),
    })
    pipeline = Pipeline.from_settings(settings)
    app = WebChat(pipeline).build()
    launch(app, settings, prevent_thread_lock=True, quiet=True)
    yield f"http://127.0.0.1:{settings.server_port}/", pipeline
    app.close()
    llm_server.shutdown()


def test_answer_streams_in_then_gets_its_source_cards(browser, streaming_app):
    url, pipeline = streaming_app
    expected = pipeline.evidence("Kaggle 대회 상금이 얼마였어?").hits[0].chunk.permalink
    page = browser.new_page()
    page.goto(url)
    expect(page.locator(".status")).to_contain_text("openai:scripted")
    page.locator("#question textarea").fill("Kaggle 대회 상금이 얼마였어?")
    page.locator("#question textarea").press("Enter")
    seen: list[str] = []
    deadline = time.monotonic() + 60
    while page.locator("#chat .source-card").count() == 0 and time.monotonic() < deadline:
        texts = page.locator("#chat .answer").all_inner_texts()
        if texts and texts[-1] not in seen:
            seen.append(texts[-1])
        page.wait_for_timeout(50)
    partial = [text for text in seen if text.strip() not in ("", "…")]
    assert len(partial) >= 3, seen  # the text grew piece by piece before the sources came
    assert all(len(a) <= len(b) for a, b in zip(partial, partial[1:]))
    assert page.locator("#chat a.marker").first.get_attribute("href") == "#src-0-1"
    assert page.locator("#src-0-1 a.permalink").get_attribute("href") == expected
