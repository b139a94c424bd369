"""Refuse a request body larger than the upload limit before it fills the disk.

The web form and the API receive spreadsheets as multipart bodies, which the
framework spools to disk before a handler runs. This middleware stops reading
as soon as the body passes the limit (or at once, when Content-Length already
says so) and answers 413 with a problem document naming the limit.
"""

from __future__ import annotations

import contextlib
import json

from fastapi import FastAPI
from starlette.types import ASGIApp, Message, Receive, Scope, Send

MIB = 1024 * 1024
ENVELOPE_BYTES = MIB  # room for the multipart headers and the form's other fields


class BodyTooLarge(Exception):
    """Raised inside `receive` to stop the application reading further."""


class UploadLimit:
    """ASGI middleware: bodies over `max_bytes` (plus the envelope) get 413."""

    def __init__(self, app: ASGIApp, max_bytes: int) -> None:
        self.app = app
        self.max_bytes = max_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        limit = self.max_bytes + ENVELOPE_BYTES
        if _declared_length(scope) > limit:
            await self._refuse(scope, send)
            return
        state = {"received": 0, "exceeded": False, "started": False}

        async def limited_receive() -> Message:
            message = await receive()
            if message["type"] == "http.request":
                state["received"] += len(message.get("body", b""))
                if state["received"] > limit:
                    state["exceeded"] = True
                    raise BodyTooLarge
            return message

        async def guarded_send(message: Message) -> None:
            if state["exceeded"]:
                return  # the app's own answer to a cut-off body is replaced by our 413
            state["started"] = True
            await send(message)

        with contextlib.suppress(BodyTooLarge):
            await self.app(scope, limited_receive, guarded_send)
        if state["exceeded"] and not state["started"]:
            await self._refuse(scope, send)

    async def _refuse(self, scope: Scope, send: Send) -> None:
        size = f"{self.max_bytes / MIB:g} MiB"
        body = json.dumps(
            {
                "type": "about:blank",
                "title": "Upload too large",
                "status": 413,
                "detail": f"the request is larger than the upload limit of {size} "
                "(MATERIEL_MAX_UPLOAD_BYTES); split the file and upload the parts one by one",
                "instance": scope.get("path", ""),
            }
        ).encode()
        headers = [
            (b"content-type", b"application/problem+json"),
            (b"content-length", str(len(body)).encode()),
            (b"connection", b"close"),
        ]
        await send({"type": "http.response.start", "status": 413, "headers": headers})
        await send({"type": "http.response.body", "body": body})


def _declared_length(scope: Scope) -> int:
    for name, value in scope.get("headers", []):
        if name == b"content-length":
            return int(value) if value.isdigit() else 0
    return 0


def install(app: FastAPI) -> None:
    app.add_middleware(UploadLimit, max_bytes=app.state.runtime.settings.max_upload_bytes)
