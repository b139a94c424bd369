"""Pages for one kind of record: table, new, detail with edit form, status buttons.

Requirements and pledges (and later kinds) differ only in their columns,
filters, form fields and use cases; this module draws and handles the rest
once. What every page with forms needs (`may_change`, `notice_url`,
`notices`) lives in `materiel.web.rendering`; it is imported here too, for
pages that took it from this module.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any, Generic, Protocol, TypeVar

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from starlette.datastructures import QueryParams

from materiel.core.errors import InvalidInput, MaterielError, Problem, StaleVersion
from materiel.core.markings import Marking
from materiel.core.paging import Page
from materiel.platform.audit import history, history_lines, snapshot
from materiel.platform.http import UowDep
from materiel.platform.unit_of_work import UnitOfWork
from materiel.web.forms import FormField, display_text, filled, form_values, with_errors
from materiel.web.rendering import may_change, notice_url, notices, page
from materiel.web.tables import Column, Filter, ListQuery, table_view

__all__ = [
    "LifeCycle",
    "RecordPages",
    "VersionedRecord",
    "markings_of",
    "may_change",
    "notice_url",
    "notices",
    "parse_version",
    "register",
]


class VersionedRecord(Protocol):
    id: str
    version: int


R = TypeVar("R", bound=VersionedRecord)


@dataclass(frozen=True)
class RecordPages(Generic[R]):
    """What is particular to one kind of record; `register` does the rest."""

    entity: str  # as the audit log names it
    noun: str  # as pages name it
    path: str  # where its pages live, e.g. /requirements
    title: str  # the list page's title
    columns: list[Column[R]]
    filters: Callable[[QueryParams], list[Filter]]
    search: Callable[[QueryParams, ListQuery, UnitOfWork], Page[R]]
    get: Callable[[str, UnitOfWork], R]
    create: Callable[[Mapping[str, Any], UnitOfWork], R]
    update: Callable[[str, Mapping[str, Any], int | None, UnitOfWork], R]
    to_fields: Callable[[R], dict[str, Any]]
    form: Callable[[UnitOfWork, bool], list[FormField]]
    life_cycle: LifeCycle[R] | None = None


@dataclass(frozen=True)
class LifeCycle(Generic[R]):
    """How a kind of record moves from status to status, for its status buttons."""

    status_of: Callable[[R], str]
    next_statuses: Callable[[R], list[str]]
    change: Callable[[str, str, int | None, UnitOfWork], R]


def markings_of(records: Iterable[Any]) -> list[Marking]:
    """The markings of records that carry one (catalogue entries are public facts)."""
    return [r.marking for r in records if hasattr(r, "marking")]


def register(router: APIRouter, spec: RecordPages[Any]) -> None:
    """Add the list, new, detail, update and status routes of one kind of record."""
    base, name = spec.path, spec.path.strip("/")

    @router.get(base, response_class=HTMLResponse, name=f"{name}-list")
    def list_page(request: Request, uow: UowDep) -> Response:
        query = ListQuery.of(request)
        found = spec.search(request.query_params, query, uow)
        table = table_view(
            spec.title,
            found,
            spec.columns,
            query,
            filters=spec.filters(request.query_params),
            actions=[(f"{base}/new", f"New {spec.noun}")],
        )
        return page(request, "list.html", {"table": table}, markings=markings_of(found.items))

    @router.get(f"{base}/new", response_class=HTMLResponse, name=f"{name}-new")
    def new_page(request: Request, uow: UowDep) -> Response:
        return _form_page(request, spec, spec.form(uow, True), values={})

    @router.post(f"{base}/new", response_class=HTMLResponse, name=f"{name}-create")
    async def create(request: Request, uow: UowDep) -> Response:
        values = await form_values(request)
        try:
            record = spec.create(values, uow)
        except MaterielError as error:
            return _form_page(request, spec, spec.form(uow, True), values=values, error=error)
        return RedirectResponse(f"{base}/{record.id}?saved=1", status_code=303)

    @router.get(base + "/{record_id}", response_class=HTMLResponse, name=f"{name}-one")
    def detail(record_id: str, request: Request, uow: UowDep) -> Response:
        return _record_page(request, uow, spec, spec.get(record_id, uow))

    @router.post(base + "/{record_id}", response_class=HTMLResponse, name=f"{name}-edit")
    async def update(record_id: str, request: Request, uow: UowDep) -> Response:
        values = await form_values(request)
        edited = values.pop("version", "")
        try:
            spec.update(record_id, values, parse_version(edited), uow)
        except MaterielError as error:
            return _refused_edit(
                request, uow, spec, record_id, typed=values, edited=edited, error=error
            )
        return RedirectResponse(f"{base}/{record_id}?saved=1", status_code=303)

    if spec.life_cycle is not None:
        cycle = spec.life_cycle

        @router.post(base + "/{record_id}/status", name=f"{name}-status")
        async def status(record_id: str, request: Request, uow: UowDep) -> Response:
            values = await form_values(request)
            record = spec.get(record_id, uow)
            try:
                version = parse_version(values.get("version"))
                cycle.change(record_id, _next_status(spec, cycle, record, values), version, uow)
            except MaterielError as error:
                return _record_page(request, uow, spec, spec.get(record_id, uow), error=error)
            return RedirectResponse(f"{base}/{record_id}?saved=1", status_code=303)


def _next_status(
    spec: RecordPages[Any], cycle: LifeCycle[Any], record: Any, values: Mapping[str, str]
) -> str:
    """The status asked for, if the record can take it next (an unknown word is refused
    here, by name, instead of failing inside the status enum)."""
    wanted = values.get("status", "")
    allowed = cycle.next_statuses(record)
    if wanted not in allowed:
        raise InvalidInput(
            f"a {spec.noun} that is {cycle.status_of(record)} can become "
            f"{', '.join(allowed) or 'nothing else'}, not '{wanted}'"
        )
    return wanted


def parse_version(text: str | None) -> int | None:
    """The version a form was drawn from; none means "do not check".

    A mangled version is refused rather than read as none: that would quietly
    switch off the lost-update check it exists for.
    """
    if not text:
        return None
    if not text.isdigit():
        raise InvalidInput(
            f"version must be a whole number (the version of the record you edited), "
            f"not '{text}'; reload the page and try again"
        )
    return int(text) or None


def _form_page(
    request: Request,
    spec: RecordPages[Any],
    fields: list[FormField],
    *,
    values: dict[str, Any],
    error: MaterielError | None = None,
) -> Response:
    shown, general = _shown(fields, values, error)
    context = {
        "title": f"New {spec.noun}",
        "back_href": spec.path,
        "back_label": spec.title,
        "fields": shown,
        "error": general,
        "form_title": "Details",
        "form_action": request.url.path,
        "submit_label": "Save",
    }
    return page(request, "record.html", context, status_code=422 if error else 200)


def _refused_edit(
    request: Request,
    uow: UnitOfWork,
    spec: RecordPages[Any],
    record_id: str,
    *,
    typed: dict[str, Any],
    edited: str,
    error: MaterielError,
) -> Response:
    """The edit form again after a refused save.

    What the user typed is shown in the form only with the version they typed
    it against. Once the record has moved on (someone else saved meanwhile),
    typed values under the new version would turn a stale form into a fresh
    one, and a second Save would silently put back the other user's change. So
    the form then shows the record as stored now, at its current version, and
    each field the user had changed says beside it what they typed.
    """
    record = spec.get(record_id, uow)
    version = int(edited) if edited.isdigit() else None
    if version in (None, record.version) and not isinstance(error, StaleVersion):
        return _record_page(request, uow, spec, record, typed=typed, error=error)
    changed = _typed_changes(
        spec.form(uow, False), spec.to_fields(record), typed, _as_of(uow, spec, record, version)
    )
    return _record_page(request, uow, spec, record, error=_not_saved(spec, record, changed, error))


def _as_of(
    uow: UnitOfWork, spec: RecordPages[Any], record: Any, version: int | None
) -> Mapping[str, Any]:
    """The record as it stood at `version`, from its audit history (empty if not found)."""
    with uow:
        entries = history(uow.session, spec.entity, record.id)
    states = (entry.after for entry in reversed(entries) if entry.after)
    return next((state for state in states if state.get("version") == version), {})


def _typed_changes(
    fields: list[FormField],
    stored: Mapping[str, Any],
    typed: Mapping[str, Any],
    edited: Mapping[str, Any],
) -> list[tuple[FormField, str, str]]:
    """The fields the user changed, as (field, typed, stored now).

    A value unlike the stored one is the user's change unless it is the value
    the field had in the version they edited: the stale form carried it over.
    """
    changes = []
    for f in (f for f in fields if f.name in typed):
        value, now = display_text(typed[f.name]), display_text(stored.get(f.name))
        carried = f.name in edited and value == display_text(edited[f.name])
        if value != now and not carried:
            changes.append((f, value, now))
    return changes


def _not_saved(
    spec: RecordPages[Any],
    record: Any,
    changes: list[tuple[FormField, str, str]],
    error: MaterielError,
) -> StaleVersion:
    """The refusal of a stale form: why, and beside each field what the user had typed."""
    why = (
        error.message
        if isinstance(error, StaleVersion)
        else f"{error.message}; and this {spec.noun} was changed by someone else meanwhile"
    )
    named = ", ".join(f"{f.label.lower()} '{value}'" for f, value, _ in changes)
    what_now = (
        f"you had typed {named} (noted beside each): enter again what you still want, then save"
        if changes
        else "nothing you typed differs from it"
    )
    message = (
        f"{why}. Nothing was saved. The form below shows the {spec.noun} as stored now "
        f"(version {record.version}); {what_now}."
    )
    beside = [Problem(f"you typed '{v}' (stored: '{now}')", column=f.name) for f, v, now in changes]
    return StaleVersion(message, [Problem(message), *beside])


def _record_page(
    request: Request,
    uow: UnitOfWork,
    spec: RecordPages[Any],
    record: Any,
    *,
    typed: dict[str, Any] | None = None,
    error: MaterielError | None = None,
) -> Response:
    current = spec.to_fields(record)
    shown, general = _shown(spec.form(uow, False), {**current, **(typed or {})}, error)
    with uow:
        history = history_lines(uow.session, spec.entity, record.id)
    base, cycle = spec.path, spec.life_cycle
    context = {
        "title": f"{spec.noun.capitalize()} {record.id}",
        "back_href": base,
        "back_label": spec.title,
        "summary": [(k.replace("_", " "), display_text(v, ", ")) for k, v in current.items()],
        "status": cycle.status_of(record) if cycle else None,
        "statuses": cycle.next_statuses(record) if cycle else [],
        "status_action": f"{base}/{record.id}/status",
        "version": record.version,
        "fields": shown,
        "error": general,
        "message": "Saved." if request.query_params.get("saved") else "",
        "form_title": "Edit",
        "form_action": f"{base}/{record.id}",
        "submit_label": "Save changes",
        "history": history,
        "may_edit": may_change(request, spec.entity, snapshot(record)),
    }
    status_code = 422 if error else 200
    return page(
        request, "record.html", context, markings=markings_of([record]), status_code=status_code
    )


def _shown(
    fields: list[FormField], values: Mapping[str, Any], error: MaterielError | None
) -> tuple[list[FormField], str]:
    shown = filled(fields, values)
    return with_errors(shown, error) if error else (shown, "")
