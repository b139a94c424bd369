"""API documentation pages served from our own assets: no CDN at run time."""

from __future__ import annotations

from fastapi import FastAPI
from fastapi.openapi.docs import get_swagger_ui_html
from fastapi.responses import HTMLResponse, PlainTextResponse, Response
from fastapi.staticfiles import StaticFiles

SWAGGER_PREFIX = "/static/vendor/swagger-ui"


def install(app: FastAPI) -> None:
    """Serve Swagger UI at /docs from the npm package installed at set-up."""
    swagger = app.state.runtime.settings.assets_dir / "swagger-ui-dist"
    if swagger.is_dir():
        app.mount(SWAGGER_PREFIX, StaticFiles(directory=swagger), name="swagger-ui")

    @app.get("/docs", include_in_schema=False)
    def docs() -> Response:
        if not swagger.is_dir():
            return PlainTextResponse(
                f"API docs need the front-end packages in {swagger.parent}; run `make run` "
                "(it installs them). The schema is at /openapi.json.",
                status_code=503,
            )
        page: HTMLResponse = get_swagger_ui_html(
            openapi_url="/openapi.json",
            title="materiel API",
            swagger_js_url=f"{SWAGGER_PREFIX}/swagger-ui-bundle.js",
            swagger_css_url=f"{SWAGGER_PREFIX}/swagger-ui.css",
            swagger_favicon_url=f"{SWAGGER_PREFIX}/favicon-32x32.png",
        )
        return page
