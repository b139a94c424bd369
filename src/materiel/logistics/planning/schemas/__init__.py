"""JSON Schemas of the transport planner's exchange formats, shipped beside this module."""

from __future__ import annotations

from jsonschema import Draft202012Validator  # type: ignore[import-untyped,unused-ignore]

from materiel.platform.json_documents import schema_validator

SCENARIO = "transport-scenario.schema.json"
PLAN = "transport-plan.schema.json"


def validator(name: str) -> Draft202012Validator:
    """A cached validator of one of the schemas here."""
    return schema_validator(__package__ or __name__, name)
