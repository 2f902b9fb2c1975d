"""Clean one uploaded file in a process of its own: `python -I cleaner.py TYPE < bytes > cleaned`.

Run by uploads.clean() with limits set here before any byte is parsed — CPU seconds and
address space (RLIMIT_CPU, RLIMIT_AS) — and a wall-clock timeout in the parent, so a crafted
image or PDF costs at most that much and never grows the web worker (Pillow and pypdf keep
memory they once used; this process gives it all back when it exits).

What comes out carries no metadata block at all:
- photos (JPEG, including the multi-picture "MPO" JPEGs phones make, and PNG) are decoded —
  JPEG at a reduced size when large, so a 200-megapixel photo costs no more than a 12-megapixel
  one — turned upright, converted to sRGB, shrunk to MAX_SIDE and saved again from the pixels
  alone: no EXIF (GPS), XMP, IPTC, ICC profile, comment, text chunk or trailing data survives;
- PDFs are rewritten page by page: the document information (author, creator, dates), XMP
  streams anywhere, application data, JavaScript, embedded files, forms and the old revisions
  are dropped, and every JPEG inside loses its metadata segments too.

Exit status 0 with the cleaned bytes on stdout, 3 with a reason word on stderr ("image",
"type", "pdf") when the file is refused; anything else (killed for CPU or memory) is a refusal
too. This file imports nothing of the app: `-I` keeps the environment and the path out.
"""

from __future__ import annotations

import io
import resource
import sys
import warnings

MAX_SIDE = 3000  # photos are shrunk to this: smaller to store, faster for officers on slow links
MAX_DECLARED_PIXELS = 250_000_000  # a 200-megapixel phone photo is 16320 x 12240
MAX_DECODED_PIXELS = 25_000_000  # after JPEG's reduced decoding; a PNG is decoded whole
MAX_PDF_PAGES = 300
CPU_SECONDS = 4
ADDRESS_SPACE = 768 * 1024 * 1024
REFUSED = 3


class Refused(Exception):
    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


# --- JPEG segments -----------------------------------------------------------------------------

# APP0 (JFIF) and APP14 (Adobe: how to read CMYK/YCCK) describe the pixels; every other APPn
# (EXIF, XMP, ICC, MPF, IPTC/Photoshop, maker notes) and COM is metadata.
_KEEP_APP = {0xE0, 0xEE}


def _end_of_scan(data: bytes, j: int) -> int:
    while True:
        j = data.find(b"\xff", j)
        if j < 0 or j + 1 >= len(data):
            return len(data)
        following = data[j + 1]
        if following == 0xFF:
            j += 1  # fill bytes before a marker
        elif following == 0x00 or 0xD0 <= following <= 0xD7:
            j += 2  # a stuffed 0xFF byte, or a restart marker inside the scan
        else:
            return j


def strip_jpeg(data: bytes) -> bytes:
    """The JPEG with every APPn segment but JFIF/Adobe and every comment removed; data after EOI dropped."""
    if data[:2] != b"\xff\xd8":
        raise Refused("image")
    out, i = bytearray(b"\xff\xd8"), 2
    while i + 4 <= len(data):
        if data[i] != 0xFF:
            raise Refused("image")
        marker = data[i + 1]
        if marker == 0xFF:  # fill byte
            i += 1
            continue
        if marker == 0xD9:
            break
        if 0xD0 <= marker <= 0xD7 or marker == 0x01:
            out += data[i : i + 2]
            i += 2
            continue
        length = int.from_bytes(data[i + 2 : i + 4], "big")
        segment = data[i : i + 2 + length]
        if marker == 0xDA:  # start of scan: entropy-coded data up to the next marker that is not RSTn/stuffing
            j = _end_of_scan(data, i + 2 + length)
            out += data[i:j]
            i = j
            continue
        if not ((0xE0 <= marker <= 0xEF and marker not in _KEEP_APP) or marker == 0xFE):
            out += segment
        i += 2 + length
    out += b"\xff\xd9"
    return bytes(out)


# --- photos ------------------------------------------------------------------------------------


def _to_srgb(img):
    """Pixels in sRGB (an iPhone's Display P3 photo keeps its colours once its profile is gone)."""
    icc = img.info.get("icc_profile")
    if not icc or img.mode not in ("RGB", "RGBA", "CMYK"):
        return img
    try:
        from PIL import ImageCms

        source = ImageCms.ImageCmsProfile(io.BytesIO(icc))
        mode = "RGBA" if img.mode == "RGBA" else "RGB"
        return ImageCms.profileToProfile(img, source, ImageCms.createProfile("sRGB"), outputMode=mode)
    except Exception:  # noqa: BLE001 - a broken profile: keep the pixels as they are
        return img


def clean_image(data: bytes, content_type: str) -> bytes:
    from PIL import Image, ImageOps

    Image.MAX_IMAGE_PIXELS = MAX_DECLARED_PIXELS
    expected = {"image/jpeg": ("JPEG", "MPO"), "image/png": ("PNG",)}[content_type]
    with warnings.catch_warnings():
        warnings.simplefilter("error", Image.DecompressionBombWarning)
        with Image.open(io.BytesIO(data)) as img:
            if img.format not in expected:
                raise Refused("type")
            width, height = img.size
            if width < 1 or height < 1 or width * height > MAX_DECLARED_PIXELS:
                raise Refused("image")
            if img.format in ("JPEG", "MPO"):
                img.draft("RGB", (MAX_SIDE, MAX_SIDE))  # decode at 1/2, 1/4 or 1/8 of the size when large
            if img.size[0] * img.size[1] > MAX_DECODED_PIXELS:
                raise Refused("image")
            img.load()  # the first picture only: an MPO's others (depth maps, previews) are dropped
            upright = ImageOps.exif_transpose(img)
            upright = _to_srgb(upright)
            upright.thumbnail((MAX_SIDE, MAX_SIDE))
            keep_alpha = content_type == "image/png" and ("A" in upright.getbands() or "transparency" in upright.info)
            mode = "RGBA" if keep_alpha else ("L" if upright.mode in ("1", "L", "I;16", "I") else "RGB")
            if upright.mode in ("I;16", "I"):  # a 16-bit greyscale PNG
                upright = upright.convert("I").point(lambda v: v * (1 / 256)).convert("L")
            pixels = upright.convert(mode)
    # A new image from the pixels alone: nothing of the original's info travels with it.
    fresh = Image.frombytes(pixels.mode, pixels.size, pixels.tobytes())
    out = io.BytesIO()
    if content_type == "image/jpeg":
        fresh.save(out, "JPEG", quality=85, optimize=True)
        return strip_jpeg(out.getvalue())
    fresh.save(out, "PNG", compress_level=6)
    return out.getvalue()


# --- PDFs --------------------------------------------------------------------------------------

_DROP_FROM_PAGE = ("/Metadata", "/PieceInfo", "/AA", "/Thumb")


def _scrub(obj, seen: set[int]) -> None:
    """Walk a page's objects: drop metadata streams, application data and actions; strip JPEGs."""
    from pypdf.generic import ArrayObject, DictionaryObject, IndirectObject, NameObject, StreamObject

    if isinstance(obj, IndirectObject):
        key = (id(obj.pdf), obj.idnum, obj.generation)
        if key in seen:
            return
        seen.add(key)
        obj = obj.get_object()
    if isinstance(obj, DictionaryObject):
        for name in ("/Metadata", "/PieceInfo", "/AA", "/JS", "/JavaScript"):
            if name in obj:
                del obj[name]
        action = obj.get("/A")
        if isinstance(action, DictionaryObject) and action.get("/S") in ("/JavaScript", "/Launch", "/SubmitForm"):
            del obj[NameObject("/A")]
        if isinstance(obj, StreamObject) and obj.get("/Subtype") == "/Image":
            filters = obj.get("/Filter")
            names = [filters] if not isinstance(filters, ArrayObject) else list(filters)
            if names == ["/DCTDecode"]:
                # The stream is the JPEG file itself; pypdf re-encodes only Flate, so set its bytes.
                obj._data = strip_jpeg(obj._data)  # noqa: SLF001
        for value in list(obj.values()):
            _scrub(value, seen)
    elif isinstance(obj, ArrayObject):
        for value in obj:
            _scrub(value, seen)


def clean_pdf(data: bytes) -> bytes:
    from pypdf import PdfReader, PdfWriter
    from pypdf.errors import PdfReadError

    try:
        reader = PdfReader(io.BytesIO(data), strict=False)
        if reader.is_encrypted and not reader.decrypt(""):
            raise Refused("pdf")
        pages = reader.pages
        if len(pages) == 0 or len(pages) > MAX_PDF_PAGES:
            raise Refused("pdf")
        writer = PdfWriter()
        for page in pages:
            # Only the pages (and what they draw) are copied: the document's catalog — its XMP
            # stream, JavaScript, embedded files, forms and outline — stays behind.
            writer.add_page(page)
        seen: set = set()
        for page in writer.pages:
            for name in _DROP_FROM_PAGE:
                if name in page:
                    del page[name]
            _scrub(page, seen)
        writer._info = None  # noqa: SLF001 - pypdf's only way to write no document information
        out = io.BytesIO()
        writer.write(out)
        return out.getvalue()
    except Refused:
        raise
    except (PdfReadError, ValueError, KeyError, TypeError, AttributeError, IndexError, RecursionError):
        raise Refused("pdf") from None


def clean(data: bytes, content_type: str) -> bytes:
    if content_type == "application/pdf":
        return clean_pdf(data)
    return clean_image(data, content_type)


def _limit_myself() -> None:
    resource.setrlimit(resource.RLIMIT_CPU, (CPU_SECONDS, CPU_SECONDS + 1))
    resource.setrlimit(resource.RLIMIT_AS, (ADDRESS_SPACE, ADDRESS_SPACE))
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))


def main() -> int:
    _limit_myself()
    content_type = sys.argv[1]
    data = sys.stdin.buffer.read()
    try:
        cleaned = clean(data, content_type)
    except Refused as refused:
        sys.stderr.write(refused.reason)
        return REFUSED
    except (OSError, ValueError, SyntaxError, MemoryError, KeyError, IndexError, EOFError, ZeroDivisionError) as exc:
        # Pillow and pypdf signal truncated or corrupt files with a variety of exceptions.
        sys.stderr.write("image" if content_type != "application/pdf" else "pdf")
        sys.stderr.write(f" ({type(exc).__name__})")
        return REFUSED
    sys.stdout.buffer.write(cleaned)
    return 0


if __name__ == "__main__":
    sys.exit(main())
