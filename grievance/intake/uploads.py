"""Attachments from the public side: checked from their bytes, cleaned elsewhere, stored all-or-nothing.

The type is decided from the first bytes (magic numbers), never from the name or the browser's
Content-Type. Every file is then cleaned in a process of its own (cleaner.py) bounded in CPU
time, memory and wall-clock time: photos are decoded at a bounded size and saved again from
their pixels alone, PDFs rewritten without any metadata. The web worker itself never decodes a
picture, so no upload can take it to hundreds of megabytes. Files are written under a random
name in UPLOAD_DIR (outside the web root); the original name is kept only as display text.
"""

from __future__ import annotations

import hashlib
import os
import secrets
import subprocess
import sys
import unicodedata
from dataclasses import dataclass
from pathlib import Path

from grievance.extensions import db
from grievance.models import Attachment, Case
from grievance.services import audit

MAX_FILES = 3
MAX_BYTES = 5 * 1024 * 1024
CLEANER = Path(__file__).with_name("cleaner.py")
CLEAN_SECONDS = 20  # wall clock per file; the cleaner limits its own CPU time (4 s) and memory
DISPLAY_NAME_MAX = 240  # the column holds 255; room for an added extension

MAGIC = (
    (b"\xff\xd8\xff", "image/jpeg"),
    (b"\x89PNG\r\n\x1a\n", "image/png"),
    (b"%PDF-", "application/pdf"),
)
EXTENSIONS = {"image/jpeg": "jpg", "image/png": "png", "application/pdf": "pdf"}


class UploadRefused(Exception):
    """A file cannot be accepted; `reason` is one of: empty, too_large, type, image, pdf, too_many."""

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


def clean(data: bytes, content_type: str) -> bytes:
    """The file without any metadata, made by cleaner.py in a bounded child process; UploadRefused if it cannot be."""
    try:
        done = subprocess.run(  # noqa: S603 - our own script, the type is one of three fixed strings
            [sys.executable, "-I", str(CLEANER), content_type],
            input=data,
            capture_output=True,
            timeout=CLEAN_SECONDS,
            check=False,
        )
    except subprocess.TimeoutExpired:
        raise UploadRefused(_refusal(content_type)) from None
    if done.returncode != 0 or not done.stdout:
        reason = done.stderr.split(b" ", 1)[0].decode("ascii", "replace")
        raise UploadRefused(reason if reason in ("type", "image", "pdf") else _refusal(content_type))
    return done.stdout


def _refusal(content_type: str) -> str:
    return "pdf" if content_type == "application/pdf" else "image"


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
    try:
        data = clean(data, content_type)
    except UploadRefused as refused:
        raise UploadRefused(refused.reason, name) from None
    return PreparedFile(display_name=name, content_type=content_type, data=data)


def prepare_all(files) -> list[PreparedFile]:
    """Check every file before anything is stored; the first bad one refuses them all."""
    chosen = [f for f in files if f is not None and f.filename]
    if len(chosen) > MAX_FILES:
        raise UploadRefused("too_many")
    return [prepare(f.filename, f.stream) for f in chosen]


def write(item: PreparedFile, upload_dir: str) -> tuple[str, Path]:
    """Write one cleaned file under a new random name; (stored name, path)."""
    directory = Path(upload_dir)
    directory.mkdir(parents=True, exist_ok=True)
    stored = f"{secrets.token_hex(16)}.{EXTENSIONS[item.content_type]}"
    path = directory / stored
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        with os.fdopen(fd, "wb") as out:
            out.write(item.data)
    except BaseException:
        discard([path])
        raise
    return stored, path


def store(prepared: list[PreparedFile], upload_dir: str, row) -> list[Path]:
    """Write the files and add one row each (`row(file fields)` builds it); the paths, to discard on rollback."""
    written: list[Path] = []
    try:
        for item in prepared:
            stored, path = write(item, upload_dir)
            written.append(path)
            db.session.add(
                row(
                    {
                        "stored_name": stored,
                        "original_name": item.display_name,
                        "content_type": item.content_type,
                        "size": len(item.data),
                        "sha256": item.sha256,
                    }
                )
            )
        db.session.flush()
    except BaseException:
        discard(written)
        raise
    return written


def save(case: Case, prepared: list[PreparedFile], upload_dir: str, *, uploader=None) -> list[Path]:
    """Write the files and add their Attachment rows; returns the paths so a caller can discard them."""
    uploader_id = None if uploader is None else uploader.id
    written = store(
        prepared, upload_dir, lambda fields: Attachment(case_id=case.id, uploaded_by_id=uploader_id, **fields)
    )
    try:
        chain_files(case, [(item.sha256, len(item.data)) for item in prepared], uploader)
    except BaseException:
        discard(written)
        raise
    return written


def chain_files(case: Case, files: list[tuple[str, int]], uploader=None) -> None:
    """The files (sha256, size) just added to a case are part of its record: chained with this event.

    Every path that gives a case attachments calls this after adding their rows (the event carries
    the case's keyed state, files included, so `audit verify` notices a file added or swapped
    without one).
    """
    if not files:
        return
    audit.append_event(
        "attachments_added",
        case=case,
        actor=uploader,
        actor_label="complainant" if uploader is None else "staff",
        payload={"files": [{"sha256": sha256, "size": size} for sha256, size in files]},
    )


def discard(paths: list[Path]) -> None:
    """Remove files written for a submission that was not committed."""
    for path in paths:
        try:
            path.unlink()
        except FileNotFoundError:
            pass
