"""The jobs table: the one record of every background run, whichever runner ran it."""

from __future__ import annotations

from sqlalchemy import JSON, Boolean, Column, DateTime, Float, Integer, String, Table, Text

from materiel.platform.column_types import enum_column_type
from materiel.platform.database import mapper_registry, metadata
from materiel.platform.jobs.model import Job, JobStatus

jobs = Table(
    "jobs",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("kind", String(60), nullable=False),
    Column("params", JSON, nullable=False),
    Column("created_by", String(120), nullable=False),
    Column("status", enum_column_type(JobStatus), nullable=False, index=True),
    Column("progress", Float, nullable=False),
    Column("message", String(500), nullable=False),
    Column("result", JSON),
    Column("error", Text),
    Column("cancel_requested", Boolean, nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("started_at", DateTime(timezone=True)),
    Column("finished_at", DateTime(timezone=True)),
)

mapper_registry.map_imperatively(Job, jobs)
