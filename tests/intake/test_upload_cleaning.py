"""Uploads keep their pictures and pages and lose every metadata block; what phones make is accepted.

Every file is cleaned by grievance/intake/cleaner.py in a process limited in CPU time, memory
and wall-clock time, so a crafted file costs the web worker nothing.
"""

from __future__ import annotations

import io
import resource
import struct
import subprocess
import sys
import zlib

import pytest
from PIL import Image, ImageCms

from grievance.intake import uploads
from grievance.intake.cleaner import MAX_SIDE, strip_jpeg
from tests.intake import sample_files

CANARY = b"Canary-Meta"
CLEANER_DIR = str(uploads.CLEANER.parent)


# --- what a JPEG and a PNG are made of --------------------------------------------------------


def jpeg_markers(data: bytes) -> list[int]:
    """The marker bytes of a JPEG's segments, in order, up to the first scan."""
    assert data[:2] == b"\xff\xd8"
    markers, i = [], 2
    while i < len(data):
        marker = data[i + 1]
        markers.append(marker)
        if marker == 0xDA:
            break
        i += 2 + int.from_bytes(data[i + 2 : i + 4], "big")
    return markers


def png_chunks(data: bytes) -> list[bytes]:
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    chunks, i = [], 8
    while i < len(data):
        length = struct.unpack(">I", data[i : i + 4])[0]
        chunks.append(data[i + 4 : i + 8])
        i += 12 + length
    return chunks


def _segment(marker: int, body: bytes) -> bytes:
    return bytes([0xFF, marker]) + struct.pack(">H", len(body) + 2) + body


def jpeg_with_every_metadata_block(size=(640, 480), fmt="JPEG", **save) -> bytes:
    """EXIF (GPS, maker), an ICC profile, a comment, XMP, IPTC and bytes hidden after the end."""
    img = Image.new("RGB", size, (200, 40, 40))
    exif = Image.Exif()
    exif[0x010F] = "Canary-Meta Make"
    exif.get_ifd(0x8825)[2] = (11.0, 33.0, 25.0)
    icc = ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB")).tobytes()
    out = io.BytesIO()
    img.save(out, fmt, exif=exif, icc_profile=icc, comment=CANARY + b" comment", **save)
    data = out.getvalue()
    xmp = _segment(0xE1, b"http://ns.adobe.com/xap/1.0/\x00<x:xmpmeta>" + CANARY + b" xmp</x:xmpmeta>")
    iptc = _segment(0xED, b"Photoshop 3.0\x00" + CANARY + b" iptc")
    return data[:2] + xmp + iptc + data[2:] + b"trailing " + CANARY


def _chunk(kind: bytes, body: bytes) -> bytes:
    return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body) & 0xFFFFFFFF)


def png_with_every_metadata_block() -> bytes:
    plain = sample_files.png((120, 80))
    icc = zlib.compress(ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB")).tobytes())
    extra = (
        _chunk(b"tEXt", b"Author\x00" + CANARY)
        + _chunk(b"zTXt", b"Comment\x00\x00" + zlib.compress(CANARY))
        + _chunk(b"iTXt", b"XML:com.adobe.xmp\x00\x00\x00\x00\x00" + CANARY)
        + _chunk(b"eXIf", b"MM\x00*" + CANARY)
        + _chunk(b"iCCP", b"sRGB\x00\x00" + icc)
        + _chunk(b"tIME", struct.pack(">HBBBBB", 2026, 4, 10, 15, 0, 0))
    )
    return plain[:33] + extra + plain[33:] + CANARY  # after IHDR, and bytes after IEND


# --- photos --------------------------------------------------------------------------------------


def test_a_jpeg_keeps_its_picture_and_loses_every_metadata_block():
    cleaned = uploads.clean(jpeg_with_every_metadata_block(), "image/jpeg")
    assert CANARY not in cleaned
    # SOI, then JFIF (APP0), tables and the frame: no APP1 (EXIF/XMP), APP2 (ICC/MPF), APP13, COM.
    assert set(jpeg_markers(cleaned)) <= {0xE0, 0xDB, 0xC0, 0xC2, 0xC4, 0xDD, 0xDA}
    assert cleaned.endswith(b"\xff\xd9")
    with Image.open(io.BytesIO(cleaned)) as img:
        assert img.size == (640, 480) and img.getpixel((10, 10))[0] > 150


def test_a_png_keeps_its_picture_and_loses_every_metadata_chunk():
    cleaned = uploads.clean(png_with_every_metadata_block(), "image/png")
    assert CANARY not in cleaned
    assert set(png_chunks(cleaned)) <= {b"IHDR", b"PLTE", b"tRNS", b"IDAT", b"IEND"}
    with Image.open(io.BytesIO(cleaned)) as img:
        assert img.size == (120, 80)


def test_a_multi_picture_phone_jpeg_is_accepted_as_its_first_picture():
    first = Image.new("RGB", (800, 600), (30, 30, 220))
    depth = Image.new("RGB", (200, 150), (0, 0, 0))
    out = io.BytesIO()
    first.save(out, "MPO", save_all=True, append_images=[depth], comment=CANARY)
    with Image.open(io.BytesIO(out.getvalue())) as probe:
        assert probe.format == "MPO" and probe.n_frames == 2  # what Pillow reads phones' MPF files as
    cleaned = uploads.clean(out.getvalue(), "image/jpeg")
    assert CANARY not in cleaned and b"MPF" not in cleaned
    with Image.open(io.BytesIO(cleaned)) as img:
        assert img.format == "JPEG" and img.size == (800, 600) and img.getpixel((5, 5))[2] > 150


def test_a_sideways_phone_photo_is_turned_upright():
    img = Image.new("RGB", (400, 300), (10, 10, 10))
    exif = Image.Exif()
    exif[0x0112] = 6  # "rotate 90° clockwise to view"
    out = io.BytesIO()
    img.save(out, "JPEG", exif=exif)
    with Image.open(io.BytesIO(uploads.clean(out.getvalue(), "image/jpeg"))) as cleaned:
        assert cleaned.size == (300, 400)


def test_a_200_megapixel_photo_is_decoded_small_and_accepted():
    big = Image.new("RGB", (16320, 12240), (90, 140, 20))
    out = io.BytesIO()
    big.save(out, "JPEG", quality=60)
    cleaned = uploads.clean(out.getvalue(), "image/jpeg")
    with Image.open(io.BytesIO(cleaned)) as img:
        assert max(img.size) == MAX_SIDE


def test_a_16_bit_png_is_accepted():
    out = io.BytesIO()
    Image.new("I;16", (300, 200), 40000).save(out, "PNG")
    with Image.open(io.BytesIO(uploads.clean(out.getvalue(), "image/png"))) as img:
        assert img.size == (300, 200) and img.mode == "L"


def test_a_small_png_that_decodes_to_40_megapixels_is_refused_in_the_child():
    out = io.BytesIO()
    Image.new("RGBA", (6300, 6300), (10, 20, 30, 255)).save(out, "PNG")
    assert len(out.getvalue()) < 250_000  # tiny on the wire: the attack from the issue
    before_self = resource.getrusage(resource.RUSAGE_SELF)
    with pytest.raises(uploads.UploadRefused) as refused:
        for _ in range(3):
            uploads.clean(out.getvalue(), "image/png")
    assert refused.value.reason == "image"
    # The worker itself decoded nothing: its own CPU time barely moved.
    assert resource.getrusage(resource.RUSAGE_SELF).ru_utime - before_self.ru_utime < 0.5


@pytest.mark.parametrize("builder", [sample_files.png_bomb, lambda: b"\xff\xd8\xff" + b"\x00" * 100])
def test_bombs_and_broken_files_are_refused(builder):
    with pytest.raises(uploads.UploadRefused):
        uploads.clean(builder(), "image/png" if builder is sample_files.png_bomb else "image/jpeg")


def test_a_png_sent_as_a_jpeg_is_refused_as_the_wrong_type():
    with pytest.raises(uploads.UploadRefused) as refused:
        uploads.clean(sample_files.png(), "image/jpeg")
    assert refused.value.reason == "type"


# --- the limits on the cleaning process ------------------------------------------------------------


def _child(code: str) -> subprocess.CompletedProcess:
    prelude = f"import sys; sys.path.insert(0, {CLEANER_DIR!r}); import cleaner; "
    return subprocess.run([sys.executable, "-I", "-c", prelude + code], capture_output=True, timeout=60)  # noqa: S603


def test_the_cleaner_is_killed_when_it_uses_more_cpu_than_allowed():
    done = _child("cleaner.CPU_SECONDS = 1; cleaner._limit_myself()\nwhile True: pass")
    assert done.returncode != 0  # SIGXCPU, then SIGKILL at the hard limit


def test_the_cleaner_cannot_grow_past_its_memory_bound():
    done = _child("cleaner._limit_myself(); block = bytearray(2 * 1024 ** 3)")
    assert done.returncode != 0 and b"MemoryError" in done.stderr


def test_a_cleaner_that_hangs_is_given_up_on(monkeypatch, tmp_path):
    hang = tmp_path / "hang.py"
    hang.write_text("import time\ntime.sleep(60)\n")
    monkeypatch.setattr(uploads, "CLEANER", hang)
    monkeypatch.setattr(uploads, "CLEAN_SECONDS", 1)
    with pytest.raises(uploads.UploadRefused) as refused:
        uploads.clean(sample_files.png(), "image/png")
    assert refused.value.reason == "image"


# --- PDFs ----------------------------------------------------------------------------------------


def _pdf_with_javascript_attachment_and_a_photo() -> bytes:
    from pypdf import PdfReader, PdfWriter
    from pypdf.actions import JavaScript
    from pypdf.generic import DecodedStreamObject, DictionaryObject, NameObject, NumberObject, TextStringObject

    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(sample_files.pdf())))
    writer.add_open_action(JavaScript("app.alert('Canary-Meta js');"))
    writer.add_attachment("note.txt", CANARY + b" attachment")
    photo = io.BytesIO()
    Image.new("RGB", (32, 32), (1, 2, 3)).save(photo, "JPEG", comment=CANARY + b" in photo")
    image = DecodedStreamObject()
    image.set_data(photo.getvalue())
    image.update(
        {
            NameObject("/Type"): NameObject("/XObject"),
            NameObject("/Subtype"): NameObject("/Image"),
            NameObject("/Width"): NumberObject(32),
            NameObject("/Height"): NumberObject(32),
            NameObject("/ColorSpace"): NameObject("/DeviceRGB"),
            NameObject("/BitsPerComponent"): NumberObject(8),
            NameObject("/Filter"): NameObject("/DCTDecode"),
        }
    )
    page = writer.pages[0]
    page[NameObject("/Resources")] = DictionaryObject(
        {NameObject("/XObject"): DictionaryObject({NameObject("/Im0"): writer._add_object(image)})}
    )
    page[NameObject("/PieceInfo")] = DictionaryObject({NameObject("/App"): TextStringObject("Canary-Meta piece")})
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def test_a_pdf_keeps_its_pages_and_loses_its_metadata_scripts_and_attachments():
    from pypdf import PdfReader

    original = _pdf_with_javascript_attachment_and_a_photo()
    assert CANARY in original and sample_files.PDF_AUTHOR.encode() in original
    cleaned = uploads.clean(original, "application/pdf")
    assert CANARY not in cleaned
    for leftover in (sample_files.PDF_AUTHOR.encode(), b"Canary-Creator", b"/JavaScript", b"/EmbeddedFile"):
        assert leftover not in cleaned, leftover
    reader = PdfReader(io.BytesIO(cleaned))
    assert len(reader.pages) == 1
    assert "/Metadata" not in reader.trailer["/Root"]
    assert not reader.metadata or not any(v for k, v in reader.metadata.items() if k != "/Producer")
    image = reader.pages[0]["/Resources"]["/XObject"]["/Im0"].get_object()
    assert set(jpeg_markers(image.get_data())) <= {0xE0, 0xDB, 0xC0, 0xC4, 0xDA}


def test_an_encrypted_or_empty_pdf_is_refused():
    from pypdf import PdfReader, PdfWriter

    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(sample_files.pdf())))
    writer.encrypt("a password only the sender knows")
    out = io.BytesIO()
    writer.write(out)
    for data in (out.getvalue(), sample_files.pdf(pages=0), b"%PDF-1.4\nnot really"):
        with pytest.raises(uploads.UploadRefused) as refused:
            uploads.clean(data, "application/pdf")
        assert refused.value.reason == "pdf"


def test_strip_jpeg_keeps_restart_markers_and_stuffed_bytes():
    out = io.BytesIO()
    Image.new("RGB", (64, 64), (5, 6, 7)).save(out, "JPEG", comment=CANARY)
    data = out.getvalue()
    stripped = strip_jpeg(data)
    assert CANARY not in stripped
    with Image.open(io.BytesIO(stripped)) as img:
        img.load()
        assert img.size == (64, 64)


# --- through the public form ---------------------------------------------------------------------


def test_a_complaint_with_a_phone_photo_and_a_pdf_stores_them_clean(client, app, tmp_path, monkeypatch):
    from tests.intake.helpers import complaint_data, form_token, receipt_of

    upload_dir = tmp_path / "uploads"
    monkeypatch.setitem(app.config, "UPLOAD_DIR", str(upload_dir))
    photo = io.BytesIO()
    Image.new("RGB", (4000, 3000), (30, 30, 220)).save(
        photo, "MPO", save_all=True, append_images=[Image.new("RGB", (400, 300))], comment=CANARY
    )
    data = complaint_data(form_token(client))
    data["attachments"] = [
        (io.BytesIO(photo.getvalue()), "IMG_20260410.jpg"),
        (io.BytesIO(jpeg_with_every_metadata_block()), "photo.jpg"),
        (io.BytesIO(sample_files.pdf()), "letter.pdf"),
    ]
    response = client.post("/", data=data, content_type="multipart/form-data")
    assert response.status_code == 200
    receipt_of(response)
    stored = sorted(upload_dir.iterdir())
    assert len(stored) == 3
    for path in stored:
        content = path.read_bytes()
        assert CANARY not in content and sample_files.PDF_AUTHOR.encode() not in content, path.name
