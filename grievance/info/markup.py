"""The little markup information pages allow: paragraphs and bullet lists, nothing else.

Text is escaped first, then the only structure we add is <p>, <ul> and <li>, so nothing an
administrator types can become HTML.
"""

from __future__ import annotations

from markupsafe import Markup, escape

BULLETS = ("- ", "* ", "• ")


def render_body(text: str | None) -> Markup:
    """Blank line = new paragraph; lines starting with "- " form a bullet list."""
    blocks: list[str] = []
    lines = (text or "").replace("\r\n", "\n").replace("\r", "\n").split("\n")
    paragraph: list[str] = []
    items: list[str] = []

    def flush() -> None:
        if paragraph:
            blocks.append("<p>" + "<br>".join(str(escape(line)) for line in paragraph) + "</p>")
            paragraph.clear()
        if items:
            blocks.append("<ul>" + "".join(f"<li>{escape(item)}</li>" for item in items) + "</ul>")
            items.clear()

    for raw in lines:
        line = raw.strip()
        if not line:
            flush()
        elif line.startswith(BULLETS):
            if paragraph:
                flush()
            items.append(line[2:].strip())
        else:
            if items:
                flush()
            paragraph.append(line)
    flush()
    # Every piece of text was escaped above; only our own <p>, <ul>, <li> and <br> remain.
    return Markup("\n".join(blocks))  # noqa: S704  # nosec B704
