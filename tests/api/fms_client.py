"""A test client that sends and parses exactly as FixMyStreet's Open311 client does.

Modelled line by line on mysociety/fixmystreet `perllib/Open311.pm` (the client every
FixMyStreet installation runs) and the parts of `Open311/GetServiceRequestUpdates.pm` and
`Open311/PopulateServiceList.pm` that read our answers:

- requests go out as LWP::UserAgent sends them: no Accept header, the format chosen only by
  the path's extension (`services.xml`, `requests.xml`, `servicerequestupdates.xml`,
  `tokens/<token>.xml`); a POST is `application/x-www-form-urlencoded` (no charset) of a Perl
  hash, so the fields come in no particular order; `jurisdiction_id` on every call,
  `api_key` in the POST body and, for the updates, in the query string (empty when unset);
  the extra fields as `attribute[name]=value`; several photos as repeated `media_url`;
- answers are read with XML::Simple as `_get_xml_object` configures it (ForceArray on
  service, attribute, value, request, error, request_update; GroupTags for the wrappers;
  SuppressEmpty => undef; the root element dropped), so the request id is
  `$obj->{request}->[0]->{service_request_id}` and only counts when it is a plain string;
- a failed call is reported through `_process_error` (`<errors><error><code>…`).

Transports: a Flask test client (tests) or real HTTP (http.client, a live gunicorn).
"""

from __future__ import annotations

import http.client
import random
import re
import urllib.parse
import xml.etree.ElementTree as ET
from dataclasses import dataclass, field

FORCE_ARRAY = {"service", "attribute", "value", "request", "error", "request_update"}
GROUP_TAGS = {
    "services": "service",
    "attributes": "attribute",
    "values": "value",
    "service_requests": "request",
    "errors": "error",
    "service_request_updates": "request_update",
}
# What LWP::UserAgent puts on every request it sends (and nothing more: no Accept).
LWP_HEADERS = {"User-Agent": "libwww-perl/6.72", "TE": "deflate,gzip;q=0.3", "Connection": "TE, close"}


def xml_simple(text: str | bytes, force_array=FORCE_ARRAY, group_tags=GROUP_TAGS):
    """XML::Simple->new(ForceArray => [...], KeyAttr => {}, GroupTags => {...}, SuppressEmpty => undef)."""
    try:
        root = ET.fromstring(text)
    except ET.ParseError:
        return None  # `eval { $simple->parse_string($xml) }` gives undef
    return _content(root, force_array, group_tags)


def _content(element, force_array, group_tags):
    children = list(element)
    if not children and not element.attrib:
        text = element.text or ""
        return text if text != "" else None  # SuppressEmpty => undef
    value: dict = dict(element.attrib)
    for child in children:
        item = _content(child, force_array, group_tags)
        if child.tag in group_tags and isinstance(item, dict) and set(item) == {group_tags[child.tag]}:
            item = item[group_tags[child.tag]]
        if child.tag in force_array:
            value.setdefault(child.tag, []).append(item)
        elif child.tag in value:
            if not isinstance(value[child.tag], list):
                value[child.tag] = [value[child.tag]]
            value[child.tag].append(item)
        else:
            value[child.tag] = item
    return value


def split_name(name: str | None) -> tuple[str, str]:
    """Open311::split_name: my ($first, $last) = ($name =~ /(\\w+)(?:\\.?\\s+(.+))?/)."""
    if not name:
        return "", ""
    found = re.search(r"(\w+)(?:\.?\s+(.+))?", name)
    if not found:
        return "", ""
    return found.group(1) or "", found.group(2) or ""


def truncate_coordinate(value: float) -> str:
    """Utils::truncate_coordinate: six decimals, trailing zeros (and a bare point) removed."""
    text = f"{value:.6f}"
    return re.sub(r"\.?0+$", "", text)


@dataclass
class Problem:
    """The parts of a FixMyStreet report that Open311.pm sends."""

    title: str
    detail: str
    name: str
    email: str | None = None
    phone: str | None = None
    latitude: float = 11.5564
    longitude: float = 104.9282
    extra_fields: list[dict] = field(default_factory=list)  # [{"name": ..., "value": ...}]


@dataclass
class Transport:
    """How bytes reach the server: `send(method, path_and_query, body, headers) -> (status, bytes)`."""

    send: object


def flask_transport(client) -> Transport:
    def send(method, target, body, headers):
        response = client.open(target, method=method, data=body, headers=headers)
        return response.status_code, response.get_data()

    return Transport(send)


def http_transport(host: str, port: int) -> Transport:
    def send(method, target, body, headers):
        conn = http.client.HTTPConnection(host, port, timeout=30)
        try:
            conn.request(method, target, body=body, headers=headers)
            response = conn.getresponse()
            return response.status, response.read()
        finally:
            conn.close()

    return Transport(send)


class Open311:
    """Open311.pm, as a FixMyStreet body configured with endpoint, jurisdiction and api_key uses it."""

    def __init__(self, transport: Transport, endpoint: str, *, jurisdiction: str = "", api_key: str = "") -> None:
        self.transport = transport
        self.endpoint = endpoint if endpoint.endswith("/") else endpoint + "/"
        self.jurisdiction = jurisdiction
        self.api_key = api_key
        self.endpoints = {
            "services": "services.xml",
            "requests": "requests.xml",
            "service_request_updates": "servicerequestupdates.xml",
            "update": "servicerequestupdates.xml",
        }
        self.success = False
        self.error = ""
        self.sent: list[tuple[str, str, bytes | None]] = []  # (method, target, body) as sent
        self.random = random.Random(311)

    # --- sub _request / _get / _post -------------------------------------------------------

    def _request(self, method: str, path: str, params: dict | None = None):
        params = dict(params or {})
        if self.jurisdiction:
            params["jurisdiction_id"] = self.jurisdiction
        if method == "POST" and self.api_key:
            params["api_key"] = self.api_key
        names = list(params)
        self.random.shuffle(names)  # a Perl hash has no order (an array value keeps its own)
        pairs = []
        for key in names:
            value = params[key]
            for item in value if isinstance(value, list) else [value]:
                pairs.append((key, "" if item is None else str(item)))
        target = urllib.parse.urlsplit(self.endpoint).path + path
        headers = dict(LWP_HEADERS)
        body = None
        if method == "GET":
            if pairs:
                target += "?" + urllib.parse.urlencode(pairs)
        else:
            body = urllib.parse.urlencode(pairs).encode("utf-8")
            headers["Content-Type"] = "application/x-www-form-urlencoded"
            headers["Content-Length"] = str(len(body))
        self.sent.append((method, target, body))
        status, content = self.transport.send(method, target, body, headers)
        if 200 <= status < 300:
            self.success = True
            return content.decode("utf-8")
        self.success = False
        self.error = f"request failed: {status}\nerror: {self._process_error(content)}\n"
        return None

    def _get(self, path, params=None):
        return self._request("GET", path, params)

    def _post(self, path, params):
        return self._request("POST", path, params)

    def _process_error(self, content: bytes) -> str:
        obj = xml_simple(content)
        message = ""
        if isinstance(obj, dict) and "error" in obj:
            for item in obj["error"]:
                code = (item or {}).get("code") or "???"
                description = (item or {}).get("description") or "unknown error"
                message += f"{code}: {description}\n"
        return message or "unknown error"

    # --- the calls ----------------------------------------------------------------------

    def get_service_list(self):
        xml = self._get(self.endpoints["services"])
        return xml_simple(xml) if xml else None

    def get_service_meta_info(self, service_id: str):
        xml = self._get(f"services/{service_id}.xml")
        return xml_simple(xml) if xml else None

    def populate_service_request_params(self, problem: Problem, extra: dict, service_code: str) -> dict:
        description = f"{problem.title}\n\n{problem.detail}\n\n{extra.get('url', '')}\n"
        first, last = split_name(problem.name)
        params = {"description": description, "service_code": service_code, "first_name": first, "last_name": last}
        if problem.phone:
            params["phone"] = problem.phone
        if problem.email:
            params["email"] = problem.email
        params["lat"] = truncate_coordinate(problem.latitude)  # always_send_latlong
        params["long"] = truncate_coordinate(problem.longitude)
        if extra.get("image_url"):
            params["media_url"] = extra.get("all_image_urls") or extra["image_url"]
        for attr in problem.extra_fields:
            name = attr["name"]
            if name in ("first_name", "last_name"):
                if attr.get("value"):
                    params[name] = attr["value"]
                if name == "first_name":
                    continue
            params[f"attribute[{name.removeprefix('fms_extra_')}]"] = attr.get("value")
        return params

    def send_service_request(self, problem: Problem, extra: dict, service_code: str):
        """The service_request_id FixMyStreet stores as the report's external_id, or 0."""
        params = self.populate_service_request_params(problem, extra, service_code)
        response = self._post(self.endpoints["requests"], params)
        if response:
            obj = xml_simple(response)
            if obj:
                request = (obj.get("request") or [{}])[0] or {}
                request_id = request.get("service_request_id")
                if request_id:
                    if not isinstance(request_id, dict | list):
                        return request_id
                elif request.get("token"):
                    return self.get_service_request_id_from_token(request["token"])
        return 0

    def get_service_requests(self, report_ids: list[str] | None = None, **args):
        params = {}
        if report_ids:
            params["service_request_id"] = ",".join(report_ids)
        params.update(args)
        xml = self._get(self.endpoints["requests"], params)
        return xml_simple(xml) if xml else None

    def get_service_request_id_from_token(self, token: str):
        obj = xml_simple(self._get(f"tokens/{token}.xml") or "")
        if obj and obj.get("request") and obj["request"][0].get("service_request_id"):
            return obj["request"][0]["service_request_id"]
        return 0

    def get_service_request_updates(self, start_date: str | None = None, end_date: str | None = None):
        params = {"api_key": self.api_key or ""}
        if start_date or end_date:
            if not (start_date and end_date):
                return 0
            params["start_date"], params["end_date"] = start_date, end_date
        xml = self._get(self.endpoints["service_request_updates"], params)
        obj = xml_simple(xml) if xml else None
        return (obj or {}).get("request_update") or []

    @staticmethod
    def map_state(incoming: str) -> str:
        """Open311::map_state: lower case, underscores as spaces, five names mapped."""
        state = incoming.lower().replace("_", " ")
        mapped = {
            "fixed": "fixed - council",
            "not councils responsibility": "not responsible",
            "no further action": "unable to fix",
            "open": "confirmed",
            "closed": "fixed - council",
        }
        return mapped.get(state, state)
