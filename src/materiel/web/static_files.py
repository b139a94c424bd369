"""Static assets: our stylesheet and script, and the npm packages installed at set-up."""

from __future__ import annotations

from pathlib import Path

from fastapi import FastAPI
from fastapi.staticfiles import StaticFiles

OWN = Path(__file__).parent / "static"
VENDOR_PACKAGES = ("htmx.org", "leaflet", "world-atlas", "topojson-client", "milsymbol", "chart.js")


def mount(app: FastAPI, assets_dir: Path) -> None:
    app.mount("/static/app", StaticFiles(directory=OWN), name="app-static")
    for package in VENDOR_PACKAGES:
        folder = assets_dir / package
        if folder.is_dir():
            app.mount(f"/static/vendor/{package}", StaticFiles(directory=folder), name=package)
