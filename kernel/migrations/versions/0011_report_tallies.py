"""after-call work on the contact, and the report's step tallies per settled hour

- contact.acw_seconds: the answering agent's finished wrap-up seconds for the call (acd.state_log writes it as
  the wrap-up ends); backfilled here from agent_state_change in one set-based UPDATE: each wrap_up change
  lasts until the agent's next change (LEAD), summed per (linkedid, agent) for the contact's answering agent.
- agent_state_hour(hour_start, agent_id, state, seconds) and trunk_hour(hour_start, line_seconds, peak_lines,
  refused): the occupancy and trunk figures per settled UTC hour (reports.report_tallies fills them; the
  app's background task and `qingquan refresh-report-tallies` call it). Created empty.

Revision ID: 0011
Revises: 0010
Create Date: 2026-11-26 04:00:00
"""
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import kernel.database

revision: str = '0011'
down_revision: str | None = '0010'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

SECONDS = {
    'postgresql': 'extract(epoch FROM s.next_at - s.at)',
    'sqlite': '(julianday(s.next_at) - julianday(s.at)) * 86400.0',
}
BACKFILL = """
UPDATE contact SET acw_seconds = w.seconds
FROM (SELECT s.linkedid, s.agent_id, sum({seconds}) AS seconds
      FROM (SELECT linkedid, agent_id, to_state, at,
                   lead(at) OVER (PARTITION BY agent_id ORDER BY at, id) AS next_at
            FROM agent_state_change) AS s
      WHERE s.to_state = 'wrap_up' AND s.linkedid IS NOT NULL AND s.next_at IS NOT NULL
      GROUP BY s.linkedid, s.agent_id) AS w
WHERE contact.linkedid = w.linkedid AND contact.agent_id = w.agent_id
"""


def upgrade() -> None:
    with op.batch_alter_table('contact') as batch:
        batch.add_column(sa.Column('acw_seconds', sa.Float(), nullable=True))
    op.create_table(
        'agent_state_hour',
        sa.Column('hour_start', kernel.database.UtcDateTime(), nullable=False),
        sa.Column('agent_id', sa.Integer(), nullable=False),
        sa.Column('state', sa.String(length=24), nullable=False),
        sa.Column('seconds', sa.Float(), nullable=False),
        sa.PrimaryKeyConstraint('hour_start', 'agent_id', 'state'),
    )
    op.create_table(
        'trunk_hour',
        sa.Column('hour_start', kernel.database.UtcDateTime(), nullable=False),
        sa.Column('line_seconds', sa.Float(), nullable=False),
        sa.Column('peak_lines', sa.Integer(), nullable=True),
        sa.Column('refused', sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint('hour_start'),
    )
    dialect = op.get_bind().dialect.name
    if dialect in SECONDS:
        op.execute(BACKFILL.format(seconds=SECONDS[dialect]))


def downgrade() -> None:
    op.drop_table('trunk_hour')
    op.drop_table('agent_state_hour')
    with op.batch_alter_table('contact') as batch:
        batch.drop_column('acw_seconds')
