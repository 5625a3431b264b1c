"""Imports every capability's tables so that Base.metadata is complete (Alembic autogenerate, tests)."""

from acd import models as acd_models
from agent_console import models as console_models
from billing import models as billing_models
from contacts import models as contact_models
from kernel.database import Base
from outages import models as outage_models
from recordings import models as recording_models
from work_orders import models as work_order_models

__all__ = ["Base", "acd_models", "billing_models", "console_models", "contact_models", "outage_models",
           "recording_models", "work_order_models"]
