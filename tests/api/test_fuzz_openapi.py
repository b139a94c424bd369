"""Fuzz the HTTP API from its own OpenAPI schema with schemathesis, on SQLite and PostgreSQL.

Every operation gets generated valid and invalid requests, sent in-process to the real
app (no server); each answer must not be a 5xx, must match what the schema documents
(status, content type, body), must reject invalid data with a 4xx, and must not succeed
once its credentials are taken away. A stateful run then follows the schema's links
(create a requirement, read it, update it) for a bounded number of steps.

Bounds: MATERIEL_FUZZ_EXAMPLES examples per operation (default 10) and the same number
of stateful scenarios; derandomized, so a failure reproduces. Raise the env var for a
longer fuzz: `MATERIEL_FUZZ_EXAMPLES=500 pytest tests/api/test_fuzz_openapi.py -s`.
"""

from __future__ import annotations

import os
from typing import Annotated, Any

import schemathesis
from fastapi import Depends, FastAPI
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis.errors import Unsatisfiable
from schemathesis import Case, GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.core.result import Err
from schemathesis.core.transport import Response
from schemathesis.schemas import APIOperation, BaseSchema
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    ignored_auth,
    negative_data_rejection,
    response_schema_conformance,
    status_code_conformance,
)

from materiel.api.app import create_app
from materiel.bootstrap import Runtime
from materiel.core.principal import Role
from materiel.platform.http import BEARER
from tests.auth import auth_headers
from tests.factories import load_reference_data

EXAMPLES = int(os.environ.get("MATERIEL_FUZZ_EXAMPLES", "10"))
STEPS = 6  # calls per stateful scenario

CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
    negative_data_rejection,
    ignored_auth,
]

# Left out, and why (never to hide a bug):
# - POST /api/plans... starts a background planner job; fuzzing it would queue solver runs
#   that outlive the example. Its input validation is tested in tests/api/test_plan_jobs.py.
EXCLUDED_PATH_REGEX = r"^/api/plans"


def api_schema(runtime: Runtime) -> BaseSchema:
    """The app's own schema, served by the app on a loaded, signed-in test database."""
    load_reference_data(runtime)
    schema = schemathesis.openapi.from_asgi("/openapi.json", create_app(runtime))
    schema.config.update(headers=auth_headers(runtime, Role.COORDINATOR))
    schema.config.generation.update(max_examples=EXAMPLES, deterministic=True)
    return schema.exclude(path_regex=EXCLUDED_PATH_REGEX)


Operation = APIOperation[Any, Any, Any, Any]


def operations(schema: BaseSchema) -> list[Operation]:
    """Every operation of the schema; one the loader cannot read fails the test."""
    found = []
    for result in schema.get_all_operations():
        if isinstance(result, Err):
            raise result.err()
        found.append(result.ok())
    return found


def fuzz(operation: Operation, mode: GenerationMode, tally: list[int]) -> str | None:
    """Run one operation's examples in one mode; the failure's report, or None."""

    @given(case=operation.as_strategy(generation_mode=mode))
    @settings(
        max_examples=EXAMPLES,
        deadline=None,
        derandomize=True,
        database=None,
        phases=[Phase.explicit, Phase.generate],  # no shrinking: the report has a curl repro
        suppress_health_check=list(HealthCheck),
    )
    def examples(case: Case[Any]) -> None:
        tally.append(1)
        case.call_and_validate(checks=CHECKS)

    try:
        examples()
    except Unsatisfiable:
        return None  # nothing to make invalid: no parameters, or only free-form strings
    except (Exception, BaseExceptionGroup) as failure:  # collect every operation's, then fail
        return f"{mode.value} {operation.label}: {failure}"
    return None


def test_every_operation_holds_its_contract(runtime: Runtime) -> None:
    schema = api_schema(runtime)
    tally: list[int] = []
    failures = []
    for operation in operations(schema):
        for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE):
            failure = fuzz(operation, mode, tally)
            if failure is not None:
                failures.append(failure)
    print(f"\nfuzzing: {len(tally)} examples sent on {runtime.engine.dialect.name}")  # noqa: T201 (the figure to quote)
    assert not failures, "\n\n".join(failures)


def test_stateful_links_hold_their_contract(runtime: Runtime) -> None:
    """Follow the schema's links (create, then read, update, change status) for a few steps."""
    schema = api_schema(runtime)
    steps: list[int] = []

    class Machine(schema.as_state_machine()):  # type: ignore[misc]
        def validate_response(self, response: Response, case: Case[Any], **kwargs: object) -> None:
            steps.append(1)
            case.validate_response(response, checks=CHECKS)

    Machine.run(
        settings=settings(
            max_examples=EXAMPLES,
            stateful_step_count=STEPS,
            deadline=None,
            phases=[Phase.explicit, Phase.generate],  # no shrinking: the report has a repro
            derandomize=True,
            database=None,
            suppress_health_check=list(HealthCheck),
        )
    )
    print(f"\nstateful fuzzing: {steps and len(steps)} calls on {runtime.engine.dialect.name}")  # noqa: T201
    assert steps, "the state machine made no call: the schema lost its links"


def test_the_harness_catches_a_route_that_ignores_its_token() -> None:
    """The auth check is live: a route that declares the bearer scheme but lets anyone in fails."""
    app = FastAPI()

    @app.get("/api/open")
    def open_door(_: Annotated[object, Depends(BEARER)]) -> dict[str, str]:
        return {"door": "open"}

    schema = schemathesis.openapi.from_asgi("/openapi.json", app)
    schema.config.update(headers={"Authorization": "Bearer any-token"})
    operation = operations(schema)[0]
    failure = fuzz(operation, GenerationMode.POSITIVE, [])
    assert failure is not None and "accepts requests without authentication" in failure
