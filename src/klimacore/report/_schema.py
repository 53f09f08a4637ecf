"""The published JSON Schema of a report's JSON form (draft 2020-12)."""

from __future__ import annotations

import copy
from typing import Any

__all__ = ["report_schema"]

_NUMBER_OR_NULL: dict[str, Any] = {"type": ["number", "null"]}

_SCHEMA: dict[str, Any] = {
    "$schema": "https://json-schema.org/draft/2020-12/schema",
    "$id": "https://klimacore.dk/schemas/status-report-1.json",
    "title": "klimacore yearly climate status report",
    "type": "object",
    "additionalProperties": False,
    "required": ["generator", "as_of", "base_year", "latest_year", "sources", "rule_set", "kind",
                 "key", "code", "name", "sections", "caveats", "members"],
    "properties": {
        "generator": {"type": "string"},
        "as_of": {"type": "string", "format": "date"},
        "base_year": {"type": "integer"},
        "latest_year": {"type": "integer"},
        "kind": {"enum": ["municipality", "region", "denmark"]},
        "key": {"type": "string", "pattern": "^([0-9]{4}|DK)$"},
        "code": {"type": "integer"},
        "name": {"type": "string"},
        "region": {"type": "string"},
        "members": {"type": "array", "items": {"type": "string", "pattern": "^[0-9]{4}$"}},
        "caveats": {"type": "array", "items": {"type": "string"}},
        "rule_set": {"type": "object", "required": ["name", "at_risk_pct"],
                     "properties": {"name": {"type": "string"},
                                    "at_risk_pct": _NUMBER_OR_NULL}},
        "sources": {"type": "array", "minItems": 1, "items": {
            "type": "object", "additionalProperties": False,
            "required": ["dataset", "attribution", "years", "vintage", "gwp_metric",
                         "illustrative"],
            "properties": {
                "dataset": {"type": "string"}, "attribution": {"type": "string"},
                "years": {"type": "array", "items": {"type": "integer"}, "minItems": 2,
                          "maxItems": 2},
                "vintage": {"type": ["string", "null"]},
                "gwp_metric": {"type": ["string", "null"]},
                "gases": {"type": ["array", "null"], "items": {"type": "string"}},
                "boundary": {"type": ["string", "null"]},
                "illustrative": {"type": "boolean"}}}},
        "sections": {"type": "array", "items": {"$ref": "#/$defs/section"}},
    },
    "$defs": {
        "section": {
            "type": "object", "additionalProperties": False,
            "required": ["id", "available", "illustrative", "tables", "notes", "figures"],
            "properties": {
                "id": {"type": "string", "pattern": "^(M[1-8]|N[1-6]|NF1)$"},
                "available": {"type": "boolean"},
                "illustrative": {"type": "boolean"},
                "tables": {"type": "array", "items": {"$ref": "#/$defs/table"}},
                "notes": {"type": "array", "items": {
                    "type": "object", "required": ["key", "values"],
                    "properties": {"key": {"type": "string"}, "values": {"type": "object"}}}},
                "figures": {"type": "array", "items": {
                    "type": "object", "required": ["id", "kind", "data"],
                    "properties": {"id": {"type": "string"},
                                   "kind": {"enum": ["line", "stacked", "waterfall", "ranked",
                                                     "manko", "status_bars", "traffic",
                                                     "tiles"]},
                                   "data": {"type": "object"}}}},
            },
            "if": {"properties": {"available": {"const": False}}},
            "then": {"properties": {"tables": {"maxItems": 0}, "notes": {"minItems": 1}}},
        },
        "table": {
            "type": "object", "additionalProperties": False,
            "required": ["id", "columns", "rows"],
            "properties": {
                "id": {"type": "string"},
                "columns": {"type": "array", "items": {
                    "type": "object", "additionalProperties": False, "required": ["key", "unit"],
                    "properties": {"key": {"type": "string"},
                                   "unit": {"type": ["string", "null"]}}}},
                "rows": {"type": "array", "items": {"type": "array", "items": {
                    "type": ["string", "number", "integer", "boolean", "null"]}}},
            },
        },
    },
}


def report_schema() -> dict[str, Any]:
    """The JSON Schema every report's JSON form validates against (a fresh copy).

    >>> s = report_schema()
    >>> s["$schema"], sorted(s["properties"]["kind"]["enum"])
    ('https://json-schema.org/draft/2020-12/schema', ['denmark', 'municipality', 'region'])
    """
    return copy.deepcopy(_SCHEMA)
