"""The complete schema: importing this registers every capability's tables.

Migrations, the API and the CLI import it so that all mappers are configured
before the first query, whatever capability that query starts from.
"""

from materiel.catalog import store as catalog_store
from materiel.demining import store as demining_store
from materiel.donations import plan_store
from materiel.donations import store as donations_store
from materiel.logistics import store as logistics_store
from materiel.network import store as network_store
from materiel.platform import audit
from materiel.platform.database import metadata
from materiel.platform.identity import store as identity_store
from materiel.platform.jobs import store as jobs_store

__all__ = [
    "audit",
    "catalog_store",
    "demining_store",
    "donations_store",
    "identity_store",
    "jobs_store",
    "logistics_store",
    "metadata",
    "network_store",
    "plan_store",
]
