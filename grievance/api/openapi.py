"""The OpenAPI 3 description of the Open311 API (served at /open311/v2/openapi.json).

Every GeoReport endpoint is described twice, as the spec's two formats: `/x.json` answering
`application/json` and `/x.xml` answering `text/xml`. The XML schemas are derived from the JSON
ones by one rule (`_xml`), the rule formats.py writes XML by: a list document is its root
element holding the repeated items, a nested list is a wrapper holding one element per item,
and every value is element text (true/false, digits). Read back the way XML clients read it
(FixMyStreet's XML::Simple: root dropped, items always a list, an empty element nothing), an
answer must match its XML schema; tests/api/test_schema_fuzz.py checks that for both formats.
"""

from __future__ import annotations

from copy import deepcopy

from grievance.api.formats import ITEM_TAGS
from grievance.api.payload import ATTRIBUTES, DESCRIPTION_MAX
from grievance.domain.workflow import Status

REFERENCE = "^GRV-[0-9]{4}-[0-9]{6,9}$"
_NULLABLE_STRING = {"type": "string", "nullable": True}
_DATETIME = {"type": "string", "format": "date-time", "nullable": True}

_ERROR = {
    "type": "object",
    "required": ["code", "description"],
    "properties": {"code": {"type": "integer"}, "description": {"type": "string"}},
}

_STATUSES = [status.value for status in Status]

_REQUEST = {
    "type": "object",
    "required": [
        "service_request_id",
        "status",
        "service_code",
        "agency_responsible",
        "requested_datetime",
        "expected_datetime",
        "extended_attributes",
    ],
    "properties": {
        "service_request_id": {"type": "string", "pattern": REFERENCE},
        "status": {"type": "string", "enum": ["open", "closed"]},
        "status_notes": _NULLABLE_STRING,
        "service_name": {"type": "string"},
        "service_code": {"type": "string"},
        "description": {**_NULLABLE_STRING, "description": "Redacted: the complainant's identity is masked."},
        "agency_responsible": {"type": "string"},
        "service_notice": _NULLABLE_STRING,
        "requested_datetime": _DATETIME,
        "updated_datetime": _DATETIME,
        "expected_datetime": _DATETIME,
        "address": {**_NULLABLE_STRING, "description": "Commune, district, province: never the address sent."},
        "address_id": _NULLABLE_STRING,
        "zipcode": _NULLABLE_STRING,
        "lat": {"type": "number", "nullable": True, "description": "Centre of a 0.25° cell, never the point sent."},
        "long": {"type": "number", "nullable": True},
        "media_url": _NULLABLE_STRING,
        "extended_attributes": {
            "type": "object",
            "required": ["detailed_status"],
            "properties": {
                "detailed_status": {"type": "string", "enum": _STATUSES},
                "channel": {"type": "string"},
                "people_affected": {"type": "integer", "minimum": 1},
                "province_code": _NULLABLE_STRING,
                "district_code": _NULLABLE_STRING,
                "commune_code": _NULLABLE_STRING,
                "acknowledge_by": _DATETIME,
                "fund_code": {"type": "string"},
            },
        },
    },
}

_CREATED = {
    "type": "object",
    "required": ["service_request_id", "token", "expected_datetime", "agency_responsible"],
    "properties": {
        "service_request_id": {"type": "string", "pattern": REFERENCE},
        "token": {"type": "string", "pattern": "^[0-9a-f]{20}$", "description": "For tokens/{token}; public."},
        "service_notice": _NULLABLE_STRING,
        "account_id": _NULLABLE_STRING,
        "expected_datetime": {"type": "string", "format": "date-time"},
        "agency_responsible": {"type": "string"},
        "tracking_code": {
            "type": "string",
            "pattern": "^[0-9A-Z]{4}(-[0-9A-Z]{4}){3}$",
            "description": "Extension, for relay and assisted keys only: the complainant's secret code "
            "for following the complaint. Shown once (again to a retry within 24 hours).",
        },
    },
}

_TOKEN = {
    "type": "object",
    "required": ["service_request_id", "token"],
    "properties": {"service_request_id": {"type": "string", "pattern": REFERENCE}, "token": {"type": "string"}},
}

_UPDATE = {
    "type": "object",
    "required": ["update_id", "service_request_id", "status", "updated_datetime", "description"],
    "properties": {
        "update_id": {"type": "string"},
        "service_request_id": {"type": "string", "pattern": REFERENCE},
        "status": {
            "type": "string",
            "enum": ["open", "investigating", "in_progress", "fixed", "no_further_action", "closed"],
        },
        "updated_datetime": {"type": "string", "format": "date-time"},
        "description": {"type": "string", "description": "Redacted as the request feed is."},
        "media_url": {"type": "string"},
        "external_status_code": {"type": "string", "enum": _STATUSES},
    },
}

_SERVICE = {
    "type": "object",
    "required": ["service_code", "service_name", "metadata", "type"],
    "properties": {
        "service_code": {"type": "string"},
        "service_name": {"type": "string"},
        "description": {"type": "string"},
        "metadata": {"type": "boolean"},
        "type": {"type": "string", "enum": ["realtime", "batch", "blackbox"]},
        "keywords": {"type": "string"},
        "group": {"type": "string"},
    },
}

_DEFINITION = {
    "type": "object",
    "required": ["service_code", "attributes"],
    "properties": {
        "service_code": {"type": "string"},
        "attributes": {
            "type": "array",
            "items": {
                "type": "object",
                "required": ["variable", "code", "datatype", "required", "order", "description"],
                "properties": {
                    "variable": {"type": "boolean"},
                    "code": {"type": "string", "enum": list(ATTRIBUTES)},
                    "datatype": {
                        "type": "string",
                        "enum": ["string", "number", "datetime", "text", "singlevaluelist", "multivaluelist"],
                    },
                    "required": {"type": "boolean"},
                    "datatype_description": _NULLABLE_STRING,
                    "order": {"type": "integer", "minimum": 1},
                    "description": {"type": "string"},
                    "values": {
                        "type": "array",
                        "items": {
                            "type": "object",
                            "required": ["key", "name"],
                            "properties": {"key": {"type": "string"}, "name": {"type": "string"}},
                        },
                    },
                },
            },
        },
    },
}

_DISCOVERY = {
    "type": "object",
    "required": ["changeset", "endpoints"],
    "properties": {
        "changeset": {"type": "string"},
        "contact": {"type": "string"},
        "key_service": {"type": "string"},
        "endpoints": {
            "type": "array",
            "items": {
                "type": "object",
                "required": ["specification", "url", "formats"],
                "properties": {
                    "specification": {"type": "string"},
                    "url": {"type": "string"},
                    "changeset": {"type": "string"},
                    "type": {"type": "string"},
                    "formats": {"type": "array", "items": {"type": "string"}},
                },
            },
        },
    },
}


def _xml_value(schema: dict, name: str) -> dict:
    """One JSON schema as the same element written as XML (see the module's docstring)."""
    schema = deepcopy(schema)
    kind = schema.get("type")
    nullable = schema.pop("nullable", False)
    if kind == "object":
        props = schema.get("properties", {})
        schema["properties"] = {key: _xml_value(value, key) for key, value in props.items()}
    elif kind == "array":
        item = ITEM_TAGS.get(name, "item")
        schema["items"] = _xml_value(schema["items"], item)
        schema["items"]["xml"] = {"name": item}
        schema["xml"] = {"name": name, "wrapped": True}
    elif kind == "boolean":
        schema = {"type": "string", "enum": ["true", "false"]}
    elif kind == "integer":
        schema = {"type": "string", "pattern": "^-?[0-9]+$"}
    elif kind == "number":
        schema = {"type": "string", "pattern": r"^-?[0-9]+(\.[0-9]+)?$"}
    else:
        schema.pop("format", None)  # element text: checked as the string it is
    if nullable:
        schema["nullable"] = True
    return schema


def _xml_list(root: str, item: str, schema: dict, *, min_items: int | None = None) -> dict:
    items = _xml_value(schema, item)
    items["xml"] = {"name": item}
    array = {"type": "array", "items": items}
    if min_items is not None:
        array.update(minItems=min_items, maxItems=min_items)
    return {"type": "object", "xml": {"name": root}, "properties": {item: array}}


def _xml_object(root: str, schema: dict) -> dict:
    converted = _xml_value(schema, root)
    converted["xml"] = {"name": root}
    return converted


def _content(fmt: str, json_schema: dict, xml_schema: dict) -> dict:
    if fmt == "json":
        return {"application/json": {"schema": json_schema}}
    return {"text/xml": {"schema": xml_schema}}


_ERRORS_JSON = {"type": "array", "items": _ERROR}
_ERRORS_XML = _xml_list("errors", "error", _ERROR)


def _responses(fmt: str, ok: str, json_schema: dict, xml_schema: dict, *errors: str) -> dict:
    responses = {ok: {"description": "OK", "content": _content(fmt, json_schema, xml_schema)}}
    for status in errors:
        responses[status] = {
            "description": "The specification's error list",
            "content": _content(fmt, _ERRORS_JSON, _ERRORS_XML),
        }
    return responses


def _list(fmt: str, root: str, item: str, schema: dict, *errors: str, ok: str = "200", one: bool = False) -> dict:
    json_schema = {"type": "array", "items": schema}
    if one:
        json_schema.update(minItems=1, maxItems=1)
    return _responses(fmt, ok, json_schema, _xml_list(root, item, schema, min_items=1 if one else None), *errors)


_LANG = {
    "name": "lang",
    "in": "query",
    "required": False,
    "schema": {"type": "string", "enum": ["km", "en"]},
    "description": "Language of names (Khmer by default)",
}
_JURISDICTION = {
    "name": "jurisdiction_id",
    "in": "query",
    "required": False,
    "schema": {"type": "string"},
    "description": "Ignored: this endpoint serves one jurisdiction.",
}
_API_KEY = {
    "name": "api_key",
    "in": "query",
    "required": False,
    "schema": {"type": "string"},
    "description": "An organisation's key (optional here). An invalid key is refused with 403.",
}
_DATES = [
    {"name": "start_date", "in": "query", "schema": {"type": "string", "format": "date-time"}},
    {"name": "end_date", "in": "query", "schema": {"type": "string", "format": "date-time"}},
]


def _new_request(fmt: str) -> dict:
    """POST requests.{fmt}: the spec's form encoding (attribute[code]=value), or the same as JSON."""
    standard = {
        "service_code": {"type": "string", "maxLength": 32, "example": "NSAF-CT-MISSING"},
        "description": {"type": "string", "maxLength": DESCRIPTION_MAX},
        "api_key": {"type": "string", "description": "relay or assisted key; without one, filing is tightly limited"},
        "jurisdiction_id": {"type": "string"},
        "first_name": {"type": "string", "maxLength": 100},
        "last_name": {"type": "string", "maxLength": 100},
        "phone": {"type": "string", "maxLength": 32},
        "email": {"type": "string", "maxLength": 254},
        "lat": {"type": "number", "minimum": -90, "maximum": 90},
        "long": {"type": "number", "minimum": -180, "maximum": 180},
        "address_string": {"type": "string", "maxLength": 500},
        "address_id": {"type": "string", "maxLength": 100},
        "device_id": {"type": "string", "maxLength": 100},
        "account_id": {"type": "string", "maxLength": 100},
        "media_url": {"type": "string", "format": "uri", "maxLength": 2048},
    }
    attributes = {
        "identity_mode": {"type": "string", "enum": ["anonymous", "confidential", "named"]},
        "people_affected": {"type": "integer", "minimum": 1, "maximum": 100000},
        "province_code": {"type": "string", "maxLength": 2},
        "district_code": {"type": "string", "maxLength": 4},
        "commune_code": {"type": "string", "maxLength": 6},
        "occurred_on": {"type": "string", "format": "date"},
        "programme_number": {"type": "string", "maxLength": 64},
        "consent_given": {"type": "string", "enum": ["true", "false"]},
        "external_id": {"type": "string", "maxLength": 100, "description": "The platform's id: a retry finds it"},
    }
    form = {
        "type": "object",
        "required": ["service_code", "description"],
        "properties": {**standard, **{f"attribute[{k}]": v for k, v in attributes.items()}},
    }
    as_json = {
        "type": "object",
        "required": ["service_code", "description"],
        "properties": {**standard, "attribute": {"type": "object", "properties": attributes}},
    }
    return {
        "operationId": f"createRequest_{fmt}",
        "description": "Files a complaint. first_name, last_name, email or phone without attribute[identity_mode] "
        "make it confidential. A retry by the same key (Idempotency-Key header, attribute[external_id], or the "
        "same content within 24 hours) answers with the first case.",
        "parameters": [
            {"name": "Idempotency-Key", "in": "header", "required": False, "schema": {"type": "string"}},
            _LANG,
        ],
        "requestBody": {
            "required": True,
            "content": {
                "application/x-www-form-urlencoded": {"schema": form},
                "application/json": {"schema": as_json},
            },
        },
        "responses": _list(
            fmt, "service_requests", "request", _CREATED, "400", "403", "404", "413", "415", "422", "429", ok="201"
        ),
    }


def _paths(fmt: str) -> dict:
    return {
        f"/discovery.{fmt}": {
            "get": {
                "operationId": f"discovery_{fmt}",
                "responses": _responses(fmt, "200", _DISCOVERY, _xml_object("discovery", _DISCOVERY)),
            }
        },
        f"/services.{fmt}": {
            "get": {
                "operationId": f"services_{fmt}",
                "parameters": [_LANG, _JURISDICTION, _API_KEY],
                "responses": _list(fmt, "services", "service", _SERVICE, "403", "429"),
            }
        },
        f"/services/{{service_code}}.{fmt}": {
            "get": {
                "operationId": f"serviceDefinition_{fmt}",
                "description": "Which attributes are required depends on the caller's api_key (assisted: consent).",
                "parameters": [
                    {"name": "service_code", "in": "path", "required": True, "schema": {"type": "string"}},
                    _LANG,
                    _JURISDICTION,
                    _API_KEY,
                ],
                "responses": _responses(
                    fmt, "200", _DEFINITION, _xml_object("service_definition", _DEFINITION), "403", "404", "429"
                ),
            }
        },
        f"/requests.{fmt}": {
            "get": {
                "operationId": f"listRequests_{fmt}",
                "description": "Newest first. Without dates: the last 90 days; a range may not span more than 90 "
                "days; at most 1000 requests (page and page_size are the paging extension). service_request_id "
                "overrides every other filter.",
                "parameters": [
                    {"name": "service_request_id", "in": "query", "schema": {"type": "string"}},
                    {"name": "service_code", "in": "query", "schema": {"type": "string"}},
                    {"name": "status", "in": "query", "schema": {"type": "string", "enum": ["open", "closed"]}},
                    *_DATES,
                    {"name": "page", "in": "query", "schema": {"type": "integer", "minimum": 1}},
                    {"name": "page_size", "in": "query", "schema": {"type": "integer", "minimum": 1, "maximum": 1000}},
                    _LANG,
                    _JURISDICTION,
                    _API_KEY,
                ],
                "responses": _list(fmt, "service_requests", "request", _REQUEST, "400", "403", "429"),
            },
            "post": _new_request(fmt),
        },
        f"/requests/{{service_request_id}}.{fmt}": {
            "get": {
                "operationId": f"showRequest_{fmt}",
                "parameters": [
                    {"name": "service_request_id", "in": "path", "required": True, "schema": {"type": "string"}},
                    _LANG,
                    _JURISDICTION,
                    _API_KEY,
                ],
                "responses": _list(fmt, "service_requests", "request", _REQUEST, "403", "404", "429", one=True),
            }
        },
        f"/tokens/{{token}}.{fmt}": {
            "get": {
                "operationId": f"token_{fmt}",
                "parameters": [
                    {"name": "token", "in": "path", "required": True, "schema": {"type": "string"}},
                    _JURISDICTION,
                    _API_KEY,
                ],
                "responses": _list(fmt, "service_requests", "request", _TOKEN, "403", "404", "429", one=True),
            }
        },
        f"/servicerequestupdates.{fmt}": {
            "get": {
                "operationId": f"updates_{fmt}",
                "description": "GET Service Request Updates (the extension FixMyStreet uses): each case's public "
                "updates and status changes in the window, oldest first, at most 5000 (page_size).",
                "parameters": [
                    *_DATES,
                    {"name": "page_size", "in": "query", "schema": {"type": "integer", "minimum": 1, "maximum": 5000}},
                    _LANG,
                    _JURISDICTION,
                    _API_KEY,
                ],
                "responses": _list(fmt, "service_request_updates", "request_update", _UPDATE, "400", "403", "429"),
            }
        },
    }


def document() -> dict:
    """The OpenAPI 3.0 document."""
    return {
        "openapi": "3.0.3",
        "info": {
            "title": "Social protection complaints: Open311 GeoReport v2",
            "version": "2.0.0",
            "description": "GeoReport v2 for Cambodia's social protection funds, in XML and JSON (the path's "
            "extension chooses). Public answers are redacted: names, phone numbers, e-mails and programme numbers "
            "are accepted but never returned, the complainant's identity is masked in every text, and the place "
            "is no closer than the commune. Every error is the specification's error list in the requested "
            "format.",
        },
        "servers": [{"url": "/open311/v2"}],
        "paths": {
            **_paths("xml"),
            **_paths("json"),
            "/openapi.json": {
                "get": {
                    "operationId": "openapi",
                    "responses": {
                        "200": {"description": "OK", "content": {"application/json": {"schema": {"type": "object"}}}}
                    },
                },
            },
        },
    }
