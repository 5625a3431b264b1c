"""indexes for the metrics reports

- contact(account_number, arrived_at): first-contact resolution looks for the next inbound call on the same
  account within 7 days after each answered call (an index range per call);
- contact(agent_id, arrived_at) and contact(queue, arrived_at): the reports filtered by agent or queue read
  only that agent's or queue's calls of the period;
- agent_state_change(agent_id, at): each agent's state segments in time order (LEAD over the agent's changes:
  occupancy, after-call work, the agent reports);
- callback(done_at): closing callbacks (回访) completed in a period.

Revision ID: 0010
Revises: 0009
Create Date: 2026-11-26 03:00:00
"""
from collections.abc import Sequence

from alembic import op

revision: str = '0010'
down_revision: str | None = '0009'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

INDEXES = (
    ('ix_contact_account_number_arrived_at', 'contact', ['account_number', 'arrived_at']),
    ('ix_contact_agent_id_arrived_at', 'contact', ['agent_id', 'arrived_at']),
    ('ix_contact_queue_arrived_at', 'contact', ['queue', 'arrived_at']),
    ('ix_agent_state_change_agent_id_at', 'agent_state_change', ['agent_id', 'at']),
    ('ix_callback_done_at', 'callback', ['done_at']),
)


def upgrade() -> None:
    for name, table, columns in INDEXES:
        op.create_index(name, table, columns, unique=False)


def downgrade() -> None:
    for name, table, _ in reversed(INDEXES):
        op.drop_index(name, table_name=table)
