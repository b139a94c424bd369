"""JSON Schemas of the transport planner's exchange formats, validated with jsonschema."""

from __future__ import annotations

import json
from functools import cache
from importlib import resources
from typing import Any

from jsonschema import Draft202012Validator  # type: ignore[import-untyped,unused-ignore]

SCENARIO = "transport-scenario.schema.json"
PLAN = "transport-plan.schema.json"


@cache
def load(name: str) -> dict[str, Any]:
    """The schema document shipped beside this module."""
    text = resources.files(__package__).joinpath(name).read_text(encoding="utf-8")
    schema: dict[str, Any] = json.loads(text)
    return schema


@cache
def validator(name: str) -> Draft202012Validator:
    """A validator that also checks `format: date`."""
    return Draft202012Validator(load(name), format_checker=Draft202012Validator.FORMAT_CHECKER)
