"""The bad-input catalogue of security.md (items 1–14) as data, shared by the surface tests.

Each text item is given twice: as the bytes that go on the wire inside a form body
(percent-encoded, so raw invalid UTF-8 can be sent) and as a Python string for JSON (None when
JSON cannot carry it; those are sent as raw bytes in the JSON body instead).
"""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import quote_from_bytes

KHMER = "ក"  # one code point
COENG = "\u17d2"


@dataclass(frozen=True)
class Item:
    id: str
    wire: bytes  # percent-encoded form value
    text: str | None  # the same as a str, when it is one
    must_refuse: bool  # True: only a 4xx will do; False: a 4xx or the value stored literally


def _item(id_: str, value: str | bytes, must_refuse: bool = False) -> Item:
    raw = value if isinstance(value, bytes) else value.encode("utf-8", "surrogatepass")
    try:
        text = raw.decode("utf-8") if isinstance(value, bytes) else value
        text.encode("utf-8")
    except UnicodeError:
        text = None
    return Item(id_, quote_from_bytes(raw, safe="").encode("ascii"), text, must_refuse)


def khmer_over(limit: int) -> Item:
    """Item 1: one code point more than the field allows, in Khmer (3 bytes each in UTF-8)."""
    return _item(f"1-khmer-{limit}+1", KHMER * (limit + 1), must_refuse=True)


TEXT_ITEMS = [
    # 2. markup
    _item("2-script-in-khmer", "សូមជួយ<script>alert(1)</script>ខ្ញុំ"),
    _item("2-img-onerror", "<img src=x onerror=alert(1)>"),
    _item("2-svg-onload", '"><svg/onload=alert(1)>'),
    # 3. template syntax
    _item("3-jinja-arithmetic", "{{7*7}}"),
    _item("3-jinja-config", "{{config}}"),
    _item("3-jinja-raw", "{% raw %}"),
    # 4. encodings
    _item("4-nul", "abc\x00def", must_refuse=True),
    _item("4-lone-surrogate", "abc\ud800def", must_refuse=True),
    _item("4-raw-ff-fe", b"abc\xff\xfedef", must_refuse=True),
    _item("4-overlong-slash", b"abc\xc0\xafdef", must_refuse=True),
    # 5. invisible characters and marks
    _item("5-zero-width-100k", "\u200b" * 100_000, must_refuse=True),
    _item("5-coeng-500", "ក" + COENG * 500, must_refuse=True),
    _item("5-rlo-in-text", "Sok \u202eDara"),
    # 6. log injection
    _item("6-crlf-set-cookie", "Bob\r\nSet-Cookie: x=1"),
    _item("6-fake-log-line", "x\nINFO login ok"),
    _item("6-ansi-clear-screen", "\x1b[2J", must_refuse=True),
    # 7. SQL and LIKE metacharacters
    _item("7-sql-quote", "' OR '1'='1"),
    _item("7-percent", "%"),
    _item("7-underscore", "_"),
    # 13. what a PDF renderer might fetch
    _item("13-img-file", '<img src="file:///etc/passwd">'),
    _item("13-link-attachment", '<link rel=attachment href="file:///etc/passwd">'),
    _item("13-loopback-url", "http://127.0.0.1:9/canary"),
    _item("13-css-import", "@import url(http://127.0.0.1/);"),
]

TEN_MEGABYTES = _item("1-ten-megabytes", "x" * (10 * 1024 * 1024), must_refuse=True)

# Markup that must never reach a page unescaped.
RAW_MARKUP = (
    "<script>alert(1)</script>",
    "<img src=x onerror",
    "<svg/onload",
    '<img src="file:',
    "<link rel=attachment",
)

# 11. spreadsheet formulas
CSV_FORMULAS = ['=HYPERLINK("http://x")', "+1", "-2+3", "@SUM(A1)", "\t=1", "\r=1"]

# 9. redirect targets
BAD_NEXT = ["//evil.example", "/\\evil.example", "javascript:alert(1)", "https:evil.example", "http://evil.example/"]

# 10. ids
BAD_IDS = ["0", "-1", str(2**63), str(2**31), "99999999999999999999999999"]

# 8. JSON bodies: (id, raw body, content type)
JSON_BODIES = [
    ("8-deep-nesting", b"[" * 100_000, "application/json"),
    (
        "8-5000-digit-number",
        b'{"service_code": "NSAF-CT-MISSING", "description": "x", "people_affected": ' + b"9" * 5000 + b"}",
        "application/json",
    ),
    ("8-1e309", b'{"service_code": "NSAF-CT-MISSING", "description": "xxxxxxxxxx", "lat": 1e309}', "application/json"),
    ("8-true-as-id", b'{"service_code": true, "description": "xxxxxxxxxx"}', "application/json"),
    (
        "8-duplicate-keys",
        b'{"service_code": "NSAF-CT-MISSING", "service_code": "NSSF-CONTRIB", "description": "xxxxxxxxxx"}',
        "application/json",
    ),
    ("8-json-as-text-plain", b'{"service_code": "NSAF-CT-MISSING", "description": "xxxxxxxxxx"}', "text/plain"),
    ("8-invalid-utf8", b'{"service_code": "NSAF-CT-MISSING", "description": "abc\xff\xfe"}', "application/json"),
    ("8-not-an-object", b'"just a string"', "application/json"),
    ("8-empty", b"", "application/json"),
    ("8-truncated", b'{"service_code": ', "application/json"),
]
