"""Attachments from the public side: checked from their bytes, images re-encoded, stored all-or-nothing.

The type is decided from the first bytes (magic numbers), never from the name or the browser's
Content-Type. Images are decoded and saved again by Pillow, which drops EXIF (GPS included) and
any trailing payload; their dimensions are checked before any pixel is decoded so a
decompression bomb is refused cheaply. Files are written under a random name in UPLOAD_DIR
(outside the web root); the original name is kept only as display text.
"""

from __future__ import annotations

import hashlib
import io
import os
import secrets
import unicodedata
import warnings
from dataclasses import dataclass
from pathlib import Path

from PIL import Image, ImageOps

from grievance.extensions import db
from grievance.models import Attachment, Case
from grievance.services import audit

MAX_FILES = 3
MAX_BYTES = 5 * 1024 * 1024
MAX_PIXELS = 40_000_000  # a 48-megapixel phone photo is 8000 x 6000; 40 MP is plenty after resizing
MAX_SIDE = 3000  # photos are shrunk to this: smaller to store, faster for officers on slow links
DISPLAY_NAME_MAX = 240  # the column holds 255; room for an added extension

MAGIC = (
    (b"\xff\xd8\xff", "image/jpeg"),
    (b"\x89PNG\r\n\x1a\n", "image/png"),
    (b"%PDF-", "application/pdf"),
)
EXTENSIONS = {"image/jpeg": "jpg", "image/png": "png", "application/pdf": "pdf"}


class UploadRefused(Exception):
    """A file cannot be accepted; `reason` is one of: empty, too_large, type, image, too_many."""

    def __init__(self, reason: str, name: str = "") -> None:
        super().__init__(reason)
        self.reason = reason
        self.name = name


@dataclass(frozen=True)
class PreparedFile:
    display_name: str
    content_type: str
    data: bytes

    @property
    def sha256(self) -> str:
        return hashlib.sha256(self.data).hexdigest()


def sniff(head: bytes) -> str | None:
    """The content type the bytes begin with, or None if it is not one we accept."""
    for magic, content_type in MAGIC:
        if head.startswith(magic):
            return content_type
    return None


def display_name(raw: str | None) -> str:
    """The name to show: last path part, no control characters, NFC, bounded; Khmer kept as typed."""
    name = (raw or "").replace("\\", "/").rsplit("/", 1)[-1]
    name = unicodedata.normalize("NFC", name)
    name = "".join(ch for ch in name if unicodedata.category(ch) not in ("Cc", "Cs", "Cf") or ch == "\u200b")
    name = name.strip().lstrip(".")
    if len(name) > DISPLAY_NAME_MAX:
        stem, dot, ext = name.rpartition(".")
        ext = ext[:10] if dot else ""
        name = name[: DISPLAY_NAME_MAX - len(ext) - 2] + "…" + ("." + ext if ext else "")
    return name or "attachment"


def _with_extension(name: str, content_type: str) -> str:
    """Make the name end in what the bytes are, so a download never opens as something else."""
    ext = EXTENSIONS[content_type]
    allowed = {"jpg", "jpeg"} if ext == "jpg" else {ext}
    current = name.rpartition(".")[2].lower() if "." in name else ""
    return name if current in allowed else f"{name}.{ext}"


def _reencode(data: bytes, content_type: str) -> bytes:
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(data)) as img:
                fmt = {"image/jpeg": "JPEG", "image/png": "PNG"}[content_type]
                if img.format != fmt:
                    raise UploadRefused("type")
                width, height = img.size
                if width < 1 or height < 1 or width * height > MAX_PIXELS:
                    raise UploadRefused("image")
                img.draft("RGB", (MAX_SIDE, MAX_SIDE))  # JPEG: decode at reduced size when large
                img.load()
                clean = ImageOps.exif_transpose(img)  # keep the photo upright once EXIF is gone
                clean.thumbnail((MAX_SIDE, MAX_SIDE))
                out = io.BytesIO()
                if fmt == "JPEG":
                    if clean.mode not in ("RGB", "L"):
                        clean = clean.convert("RGB")
                    clean.save(out, "JPEG", quality=85, optimize=True)
                else:
                    if clean.mode not in ("RGB", "RGBA", "L", "LA", "P"):
                        clean = clean.convert("RGBA")
                    clean.save(out, "PNG", optimize=True)
                return out.getvalue()
    except UploadRefused:
        raise
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise UploadRefused("image") from None
    except (OSError, ValueError, SyntaxError, MemoryError, KeyError, IndexError, EOFError):
        # Pillow signals truncated or corrupt images with a variety of exceptions.
        raise UploadRefused("image") from None


def prepare(filename: str | None, stream) -> PreparedFile:
    """Read, check and clean one uploaded file (at most MAX_BYTES are read)."""
    name = display_name(filename)
    data = stream.read(MAX_BYTES + 1)
    if not data:
        raise UploadRefused("empty", name)
    if len(data) > MAX_BYTES:
        raise UploadRefused("too_large", name)
    content_type = sniff(data[:16])
    if content_type is None:
        raise UploadRefused("type", name)
    name = _with_extension(name, content_type)
    if content_type != "application/pdf":
        try:
            data = _reencode(data, content_type)
        except UploadRefused as refused:
            raise UploadRefused(refused.reason, name) from None
    return PreparedFile(display_name=name, content_type=content_type, data=data)


def prepare_all(files) -> list[PreparedFile]:
    """Check every file before anything is stored; the first bad one refuses them all."""
    chosen = [f for f in files if f is not None and f.filename]
    if len(chosen) > MAX_FILES:
        raise UploadRefused("too_many")
    return [prepare(f.filename, f.stream) for f in chosen]


def save(case: Case, prepared: list[PreparedFile], upload_dir: str, *, uploader=None) -> list[Path]:
    """Write the files and add their Attachment rows; returns the paths so a caller can discard them."""
    directory = Path(upload_dir)
    directory.mkdir(parents=True, exist_ok=True)
    written: list[Path] = []
    try:
        for item in prepared:
            stored = f"{secrets.token_hex(16)}.{EXTENSIONS[item.content_type]}"
            path = directory / stored
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            written.append(path)
            with os.fdopen(fd, "wb") as out:
                out.write(item.data)
            db.session.add(
                Attachment(
                    case_id=case.id,
                    stored_name=stored,
                    original_name=item.display_name,
                    content_type=item.content_type,
                    size=len(item.data),
                    sha256=item.sha256,
                    uploaded_by_id=None if uploader is None else uploader.id,
                )
            )
        db.session.flush()
        if prepared:
            # The files are part of the case's record: their rows are chained with this event.
            audit.append_event(
                "attachments_added",
                case=case,
                actor=uploader,
                actor_label="complainant" if uploader is None else "staff",
                payload={"files": [{"sha256": item.sha256, "size": len(item.data)} for item in prepared]},
            )
    except BaseException:
        discard(written)
        raise
    return written


def discard(paths: list[Path]) -> None:
    """Remove files written for a submission that was not committed."""
    for path in paths:
        try:
            path.unlink()
        except FileNotFoundError:
            pass
