"""The FastAPI application: mounts each capability's routes on one runtime."""

from __future__ import annotations

from fastapi import Depends, FastAPI

from materiel.api import (
    audit_routes,
    docs_routes,
    exchange_routes,
    job_routes,
    problems,
    security_headers,
    upload_limit,
)
from materiel.bootstrap import Runtime
from materiel.catalog import pages as catalog_pages
from materiel.catalog import routes as catalog_routes
from materiel.demining import pages as demining_pages
from materiel.demining import routes as demining_routes
from materiel.donations import pages as donations_pages
from materiel.donations import plan_pages, plan_routes
from materiel.donations import routes as donations_routes
from materiel.logistics import pages as logistics_pages
from materiel.logistics import routes as logistics_routes
from materiel.network import routes as network_routes
from materiel.platform.http import authenticated
from materiel.platform.identity import oidc
from materiel.platform.identity import pages as identity_pages
from materiel.platform.identity import routes as identity_routes
from materiel.web import import_pages, map_pages, overview_pages, static_files

DESCRIPTION = """
Coordination of multinational security assistance: the catalogue of
equipment, the partner's requirements, the donors' pledges and the
logistics network. Errors are RFC 9457 problem details; lists are paged
with `limit` and `offset`; updates take the version you edited (body
`version` or `If-Match` with the ETag).
"""


def create_app(runtime: Runtime | None = None) -> FastAPI:
    app = FastAPI(
        title="materiel",
        version="0.1.0",
        description=DESCRIPTION,
        docs_url=None,
        redoc_url=None,
    )
    app.state.runtime = runtime or Runtime.start()
    problems.install(app)
    upload_limit.install(app)  # 413 once a body passes MATERIEL_MAX_UPLOAD_BYTES
    security_headers.install(app)  # outermost of ours: every answer carries the headers
    docs_routes.install(app)  # public: the schema says how to call us, not what we hold
    identity_pages.install(app)  # /login, /logout: public
    oidc.install(app, app.state.runtime.settings.identity)  # /auth/oidc/*: public
    # Each identity route asks for the principal itself; error answers are documented once.
    app.include_router(identity_routes.router, responses=problems.RESPONSES)
    static_files.mount(app, app.state.runtime.settings.assets_dir)
    for module in (
        catalog_routes,
        network_routes,
        donations_routes,
        plan_routes,
        logistics_routes,
        job_routes,
        exchange_routes,
        audit_routes,
        donations_pages,
        plan_pages,
        logistics_pages,
        catalog_pages,
        overview_pages,
        import_pages,
        map_pages,
        demining_routes,
        demining_pages,
    ):
        # Every other route needs a signed-in user: 401 for the API, /login for a page.
        app.include_router(
            module.router, dependencies=[Depends(authenticated)], responses=problems.RESPONSES
        )

    @app.get("/api/health", tags=["system"], summary="Is the service up")
    def health() -> dict[str, str]:
        return {"status": "ok"}

    return app
