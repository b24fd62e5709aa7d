"""Files and reasoning in the chat page, in Chromium against the real server and the mock provider: an image and a
PDF attached through the file chooser reach each wire format as its own blocks, a file too large is refused with a
message, the reasoning effort reaches the mock as a thinking budget, and the answer's reasoning shows collapsed."""

from __future__ import annotations

import base64
import struct
import zlib

import pytest
from playwright.sync_api import expect

from tests.browser.test_chat import app, choose, metrics, script, send, wait_answer  # noqa: F401 (fixtures)
from tests.mock_provider import Reply

def png_bytes(width: int = 8, height: int = 8) -> bytes:
    """A real PNG (a red square): signature, IHDR, one IDAT of unfiltered RGB rows, IEND."""
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
    rows = b"".join(b"\x00" + b"\xd0\x30\x30" * width for _ in range(height))
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(rows)) + chunk(b"IEND", b"")


PNG = png_bytes()
PDF = b"%PDF-1.4\n1 0 obj <</Type /Catalog /Pages 2 0 R>> endobj\n2 0 obj <</Type /Pages /Kids [] /Count 0>> endobj\n" \
      b"trailer <</Root 1 0 R>>\n%%EOF\n"
FILES = [{"name": "chart.png", "mimeType": "image/png", "buffer": PNG},
         {"name": "report.pdf", "mimeType": "application/pdf", "buffer": PDF}]
B64_PNG = base64.b64encode(PNG).decode()
B64_PDF = base64.b64encode(PDF).decode()


def attach(page, files) -> None:
    with page.expect_file_chooser() as chooser:
        page.get_by_role("button", name="Attach").click()
    chooser.value.set_files(files)


def last_request(mock, fmt: str) -> dict:
    return next(r for r in reversed(mock.requests) if r.format == fmt).json


def attach_both(page) -> None:
    attach(page, FILES)
    chips = page.get_by_role("list", name="Attachments")
    expect(chips.get_by_role("listitem")).to_have_count(2)
    expect(chips).to_contain_text("chart.png")
    expect(chips).to_contain_text("report.pdf")


def test_an_image_and_a_pdf_reach_anthropic_as_image_and_document_blocks_and_are_billed_as_input(
        app, script, mock_provider, shot, page_errors):
    # What Anthropic bills for an image and a PDF arrives as input_tokens (vision#calculate-image-costs): 1,850 here.
    script(Reply(text="A red square and an empty report.", usage={"anthropic": {"input_tokens": 1850, "output_tokens": 9}}),
           "claude-sonnet-4-5")
    choose(app, "anthropic/claude-sonnet-4-5")
    attach_both(app)
    expect(app.get_by_role("button", name="Remove chart.png")).to_be_visible()
    expect(app.get_by_role("button", name="Remove report.pdf")).to_be_visible()
    app.get_by_role("textbox", name="Message").fill("What do these show?")
    shot(app, "composer-two-attachments")
    send(app, "What do these show?")
    answer = wait_answer(app, 0)
    content = last_request(mock_provider, "anthropic")["messages"][0]["content"]
    assert content == [
        {"type": "text", "text": "What do these show?"},
        {"type": "image", "source": {"type": "base64", "media_type": "image/png", "data": B64_PNG}},
        {"type": "document", "source": {"type": "base64", "media_type": "application/pdf", "data": B64_PDF},
         "title": "report.pdf"},
    ]
    assert metrics(answer)[2] == "1,850 in / 9 out"
    sent = app.get_by_role("article", name="You").get_by_role("list", name="Attachments")
    expect(sent.get_by_role("listitem")).to_have_count(2)  # the message shows what it carried
    expect(app.locator("form.composer").get_by_role("list", name="Attachments")).to_be_hidden()  # the composer is clear
    assert page_errors == []


def test_the_files_go_again_with_the_next_turn_of_the_thread(app, script, mock_provider):
    script(Reply(text="Noted."), "gemini-2.5-flash")
    choose(app, "google/gemini-2.5-flash")
    attach_both(app)
    send(app, "Read these")
    wait_answer(app, 0)
    first = last_request(mock_provider, "google")["contents"][0]["parts"]
    assert first == [{"text": "Read these"}, {"inlineData": {"mimeType": "image/png", "data": B64_PNG}},
                     {"inlineData": {"mimeType": "application/pdf", "data": B64_PDF}}]
    send(app, "And the second page?")
    wait_answer(app, 1)
    contents = last_request(mock_provider, "google")["contents"]
    assert [c["role"] for c in contents] == ["user", "model", "user"]
    assert contents[0]["parts"] == first
    assert contents[2]["parts"] == [{"text": "And the second page?"}]


def test_the_openai_wire_gets_the_image_url_and_file_parts_as_sent(app, script, mock_provider):
    script(Reply(text="Seen."))
    choose(app, "openai/mock-model")
    attach_both(app)
    app.get_by_role("button", name="Remove chart.png").click()
    expect(app.get_by_role("button", name="Remove chart.png")).to_have_count(0)
    send(app, "Only the PDF")
    wait_answer(app, 0)
    body = last_request(mock_provider, "openai")
    assert body["messages"][-1]["content"] == [
        {"type": "text", "text": "Only the PDF"},
        {"type": "file", "file": {"filename": "report.pdf", "file_data": f"data:application/pdf;base64,{B64_PDF}"}}]
    assert "reasoning_effort" not in body  # mock-model does not reason: no choice offered, nothing sent
    expect(app.get_by_role("combobox", name="Reasoning effort")).to_be_hidden()


def test_a_file_too_large_or_of_another_type_is_refused_naming_it_and_why(app):
    attach(app, [{"name": "huge.png", "mimeType": "image/png", "buffer": PNG + b"\0" * (6 * 1024 * 1024)},
                 {"name": "notes.txt", "mimeType": "text/plain", "buffer": b"hello"},
                 {"name": "chart.png", "mimeType": "image/png", "buffer": PNG}])
    notice = app.get_by_role("status").filter(has_text="huge.png")
    expect(notice).to_contain_text("huge.png is 6.0 MB: an image may be at most 5.0 MB.")
    expect(notice).to_contain_text("notes.txt is text/plain: only PNG, JPEG or WebP images and PDF files can be attached.")
    chips = app.get_by_role("list", name="Attachments")
    expect(chips.get_by_role("listitem")).to_have_count(1)  # the file that may go is kept
    expect(chips).to_contain_text("chart.png")


@pytest.mark.parametrize(("model", "fmt"), [("anthropic/claude-sonnet-4-5", "anthropic"),
                                            ("google/gemini-2.5-flash", "google")])
def test_reasoning_effort_reaches_the_mock_as_a_thinking_budget(app, script, mock_provider, model, fmt):
    script(Reply(text="Done thinking.", reasoning="First, weigh it."), model.split("/")[1])
    choose(app, model)
    effort = app.get_by_role("combobox", name="Reasoning effort")
    expect(effort).to_be_visible()
    assert effort.locator("option").all_inner_texts() == ["Default", "None", "Low", "Medium", "High"]
    effort.select_option("high")
    send(app, "Think hard")
    wait_answer(app, 0)
    body = last_request(mock_provider, fmt)
    # High is 24,576 thinking tokens on both (llms/providers/anthropic.py THINKING_BUDGETS, Google's own mapping).
    if fmt == "anthropic":
        assert body["thinking"] == {"type": "enabled", "budget_tokens": 24576}
    else:
        assert body["generationConfig"]["thinkingConfig"] == {"thinkingBudget": 24576, "includeThoughts": True}


@pytest.mark.parametrize("dark", [False, True], ids=["light", "dark"])
@pytest.mark.parametrize("viewport", [(1280, 800), (390, 844)], ids=["wide", "phone"])
def test_an_answers_reasoning_shows_collapsed_and_opens_as_sanitized_text(
        app, script, shot, page_errors, viewport, dark):
    app.set_viewport_size({"width": viewport[0], "height": viewport[1]})
    app.emulate_media(color_scheme="dark" if dark else "light")
    thinking = "The user asks for **two** things.\n\n<img src=x onerror=alert(1)> is not an image here."
    script(Reply(text="Both are done.", reasoning=thinking), "claude-sonnet-4-5")
    choose(app, "anthropic/claude-sonnet-4-5")
    attach_both(app)
    shot(app, "composer")
    send(app, "Two things, please")
    answer = wait_answer(app, 0)
    disclosure = answer.get_by_role("group").filter(has_text="Reasoning")
    summary = answer.locator("summary", has_text="Reasoning")
    expect(summary).to_be_visible()
    expect(answer.get_by_text("The user asks for")).to_be_hidden()  # collapsed
    shot(app, "reasoning-collapsed")
    summary.click()
    expect(answer.get_by_text("The user asks for")).to_be_visible()
    expect(disclosure.locator("strong")).to_have_text("two")  # Markdown, through the answers' sanitizer
    assert disclosure.locator("img[onerror]").count() == 0
    shot(app, "reasoning-expanded")
    assert page_errors == []


def drop_or_paste(page, event: str, name: str, mime: str, data: bytes) -> None:
    """Fires a real drop (on the composer) or paste (in the message box) carrying one file, built in the page."""
    page.evaluate("""([event, name, mime, bytes]) => {
        const transfer = new DataTransfer();
        transfer.items.add(new File([new Uint8Array(bytes)], name, { type: mime }));
        const target = event === "drop" ? document.querySelector("form.composer") : document.querySelector("textarea");
        if (event === "drop") {
          target.dispatchEvent(new DragEvent("dragover", { dataTransfer: transfer, bubbles: true, cancelable: true }));
          target.dispatchEvent(new DragEvent("drop", { dataTransfer: transfer, bubbles: true, cancelable: true }));
        } else {
          target.dispatchEvent(new ClipboardEvent("paste", { clipboardData: transfer, bubbles: true, cancelable: true }));
        }
    }""", [event, name, mime, list(data)])


def test_a_file_dropped_on_the_composer_and_an_image_pasted_are_attached(app, script, mock_provider):
    script(Reply(text="Got both."))
    choose(app, "openai/mock-model")
    drop_or_paste(app, "drop", "dropped.pdf", "application/pdf", PDF)
    drop_or_paste(app, "paste", "image.png", "image/png", PNG)
    chips = app.locator("form.composer").get_by_role("list", name="Attachments")
    expect(chips.get_by_role("listitem")).to_have_count(2)
    expect(app.get_by_role("button", name="Remove dropped.pdf")).to_be_visible()
    expect(app.get_by_role("button", name="Remove image.png")).to_be_visible()
    send(app, "Dropped and pasted")
    wait_answer(app, 0)
    assert [part["type"] for part in last_request(mock_provider, "openai")["messages"][-1]["content"]] == \
        ["text", "file", "image_url"]
