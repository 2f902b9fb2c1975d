"""The only way WeasyPrint may load anything while rendering a PDF.

Allowed: files under the app's own static folder, font files under the system font
folders, and small `data:` images. Refused: http(s), ftp, every other `file:` path
(symlinks and `..` are resolved first), other data: types, and redirects (there are none:
nothing is ever fetched over a network). A refused URL raises, and WeasyPrint then
leaves the resource out of the document.
"""

from __future__ import annotations

import base64
import mimetypes
from pathlib import Path
from urllib.parse import unquote, urlsplit

from weasyprint import URLFetcher
from weasyprint.urls import URLFetcherResponse

STATIC_ROOT = Path(__file__).resolve().parent.parent / "static"
FONT_ROOTS = (Path("/usr/share/fonts"), Path("/usr/local/share/fonts"))
FONT_SUFFIXES = {".ttf", ".otf", ".woff", ".woff2", ".ttc"}
STATIC_SUFFIXES = {".css", ".png", ".jpg", ".jpeg", ".svg", ".gif"} | FONT_SUFFIXES
DATA_IMAGE_TYPES = {"image/png", "image/jpeg", "image/gif"}
MAX_DATA_BYTES = 64 * 1024
MAX_FILE_BYTES = 20 * 1024 * 1024


class RefusedURL(ValueError):
    """A URL the PDF renderer is not allowed to load."""


def _within(path: Path, root: Path) -> bool:
    try:
        path.relative_to(root.resolve())
    except ValueError:
        return False
    return True


def allowed_file(url: str, static_root: Path = STATIC_ROOT) -> Path:
    """The local path a file: URL names, if it is a static file or a font; RefusedURL otherwise."""
    parts = urlsplit(url)
    if parts.scheme != "file" or parts.netloc not in ("", "localhost"):
        raise RefusedURL("only local file URLs")
    path = Path(unquote(parts.path)).resolve()
    suffix = path.suffix.lower()
    if _within(path, static_root) and suffix in STATIC_SUFFIXES:
        return path
    if suffix in FONT_SUFFIXES and any(_within(path, root) for root in FONT_ROOTS):
        return path
    raise RefusedURL("not a static file or a font")


def _data_image(url: str) -> tuple[bytes, str]:
    header, _, payload = url[5:].partition(",")
    mime, *params = header.split(";")
    if mime.lower() not in DATA_IMAGE_TYPES or "base64" not in params:
        raise RefusedURL("only small base64 images as data: URLs")
    if len(payload) > MAX_DATA_BYTES * 4 // 3 + 4:
        raise RefusedURL("data: image too large")
    return base64.b64decode(payload, validate=True), mime.lower()


class SafeFetcher(URLFetcher):
    """A URLFetcher that never opens a network connection; counts what it refused."""

    def __init__(self, static_root: Path = STATIC_ROOT) -> None:
        super().__init__(allowed_protocols=("file", "data"), allow_redirects=False, fail_on_errors=False)
        self.static_root = static_root.resolve()
        self.refused: list[str] = []

    def fetch(self, url, headers=None):
        try:
            if url.startswith("data:"):
                body, mime = _data_image(url)
                return URLFetcherResponse(url, body, {"Content-Type": mime})
            path = allowed_file(url, self.static_root)
            if path.stat().st_size > MAX_FILE_BYTES:
                raise RefusedURL("file too large")
        except (RefusedURL, ValueError, OSError) as exc:
            self.refused.append(url[:200])
            raise RefusedURL(f"refused: {url[:80]}") from exc
        mime = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
        return URLFetcherResponse(path.as_uri(), path.read_bytes(), {"Content-Type": mime})
