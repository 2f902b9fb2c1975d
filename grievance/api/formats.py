"""Open311 answers in the format the path's extension names: XML (required by the spec) or JSON.

GeoReport v2 documents are one root element holding repeated items (`<services><service>`,
`<service_requests><request>`, `<errors><error>`, ...). JSON follows the specification's Spark
convention: the root of a list document disappears and the items form an array; a list inside
an item keeps its wrapper (`"attributes": [...]` for `<attributes><attribute>`). Both come
from the same Python values here, so the two formats cannot drift apart.

Every answer under /open311/v2, errors included (unknown paths, wrong methods, bad bodies,
refused keys, limits, outages), is the specification's error list in the requested format.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable

from flask import Response, request
from werkzeug.exceptions import HTTPException

XML_TYPE = "text/xml; charset=utf-8"
JSON_TYPE = "application/json; charset=utf-8"
PREFIX = "/open311/v2/"
FORMATS = ("xml", "json")

# The element each item of a nested list is written as (Spark convention).
ITEM_TAGS = {
    "attributes": "attribute",
    "values": "value",
    "endpoints": "endpoint",
    "formats": "format",
}
_NOT_XML = re.compile("[^\t\n\r\u0020-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")
_ESCAPES = str.maketrans({"&": "&amp;", "<": "&lt;", ">": "&gt;"})


def requested_format(path: str | None = None) -> str:
    """json for a path ending in .json, else xml (the format every GeoReport server must offer)."""
    path = request.path if path is None else path
    return "json" if path.endswith(".json") else "xml"


def handles(path: str) -> bool:
    return path.startswith(PREFIX) or path == PREFIX.rstrip("/")


def _text(value) -> str:
    if value is True:
        return "true"
    if value is False:
        return "false"
    text = str(value)
    if _NOT_XML.search(text):
        text = _NOT_XML.sub("\ufffd", text)
    return text.translate(_ESCAPES)


def _element(tag: str, value, out: list[str]) -> None:
    if value is None or value == "" or value == [] or value == {}:
        out.append(f"<{tag}/>")
    elif isinstance(value, dict):
        out.append(f"<{tag}>")
        for key, item in value.items():
            _element(key, item, out)
        out.append(f"</{tag}>")
    elif isinstance(value, list | tuple):
        item_tag = ITEM_TAGS.get(tag, "item")
        out.append(f"<{tag}>")
        for item in value:
            _element(item_tag, item, out)
        out.append(f"</{tag}>")
    else:
        out.append(f"<{tag}>{_text(value)}</{tag}>")


def to_xml(root: str, item: str | None, data) -> str:
    """`data` (a list of items under `item`, or one dict) as a GeoReport XML document."""
    out = ['<?xml version="1.0" encoding="utf-8"?>\n']
    if item is None:
        _element(root, data, out)
    else:
        out.append(f"<{root}>")
        for entry in data:
            _element(item, entry, out)
        out.append(f"</{root}>")
    out.append("\n")
    return "".join(out)


def document(root: str, item: str | None, data, fmt: str, status: int = 200) -> Response:
    """The answer in `fmt`: a list document (root + repeated `item`) or a single object (item None)."""
    if fmt == "json":
        body = json.dumps(data if item is None else list(data), ensure_ascii=False, separators=(",", ":"))
        return Response(body, status=status, content_type=JSON_TYPE)
    return Response(to_xml(root, item, data), status=status, content_type=XML_TYPE)


def errors(status: int, descriptions: Iterable[str], fmt: str | None = None) -> Response:
    """The specification's error list: <errors><error><code/><description/></error></errors>."""
    items = [{"code": status, "description": text} for text in descriptions]
    return document("errors", "error", items, fmt or requested_format(), status)


def error(status: int, description: str, fmt: str | None = None) -> Response:
    return errors(status, [description], fmt)


MESSAGES = {
    400: "the request is not valid",
    403: "api_key is not valid",
    404: "there is nothing at this address: see discovery.xml for the endpoints",
    405: "this method is not allowed here",
    413: "the request body is too large",
    415: "send application/x-www-form-urlencoded (or application/json)",
    429: "too many requests: wait a little and try again",
    500: "the service failed: nothing was stored, try again",
    503: "the service is briefly unavailable, try again",
}


def http_error(exc: HTTPException) -> Response:
    """Any HTTP error under /open311/v2 (routing, limits, aborts) as the spec's error list."""
    code = exc.code or 500
    response = error(code, MESSAGES.get(code, exc.name))
    if code == 405:
        allowed = [value for name, value in exc.get_headers() if name.lower() == "allow"]
        if allowed:
            response.headers["Allow"] = allowed[0]
    return response
