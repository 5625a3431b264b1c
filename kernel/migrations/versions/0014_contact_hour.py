"""the call figures' tallies per settled hour

- contact_hour(hour_start, queue, agent_id, company, <the call fields of reports.metrics.Tally>): the metrics
  report reads a month's settled hours from it instead of aggregating every call (reports.report_tallies fills
  it once an hour's first-contact-resolution windows have closed). Created empty: the app's hourly refresh,
  or `qingquan refresh-report-tallies`, fills it.

Revision ID: 0014
Revises: 0013
Create Date: 2026-11-26 07:00:00
"""
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import kernel.database

revision: str = '0014'
down_revision: str | None = '0013'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        'contact_hour',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('hour_start', kernel.database.UtcDateTime(), nullable=False),
        sa.Column('queue', sa.String(length=40), nullable=True),
        sa.Column('agent_id', sa.Integer(), nullable=True),
        sa.Column('company', sa.String(length=32), nullable=True),
        sa.Column('calls', sa.Integer(), nullable=False),
        sa.Column('offered', sa.Integer(), nullable=False),
        sa.Column('answered', sa.Integer(), nullable=False),
        sa.Column('abandoned', sa.Integer(), nullable=False),
        sa.Column('short_abandoned', sa.Integer(), nullable=False),
        sa.Column('answered_within_target', sa.Integer(), nullable=False),
        sa.Column('answer_wait_seconds', sa.Float(), nullable=False),
        sa.Column('longest_wait_seconds', sa.Float(), nullable=True),
        sa.Column('handled', sa.Integer(), nullable=False),
        sa.Column('talk_seconds', sa.Float(), nullable=False),
        sa.Column('acw_seconds', sa.Float(), nullable=False),
        sa.Column('self_served', sa.Integer(), nullable=False),
        sa.Column('deflected', sa.Integer(), nullable=False),
        sa.Column('callbacks_requested', sa.Integer(), nullable=False),
        sa.Column('callbacks_completed', sa.Integer(), nullable=False),
        sa.Column('fcr_eligible', sa.Integer(), nullable=False),
        sa.Column('fcr_resolved', sa.Integer(), nullable=False),
        sa.Column('fcr_pending', sa.Integer(), nullable=False),
        sa.Column('survey_offered', sa.Integer(), nullable=False),
        sa.Column('survey_responses', sa.Integer(), nullable=False),
        sa.Column('satisfied', sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_contact_hour')),
    )
    op.create_index(op.f('ix_contact_hour_hour_start'), 'contact_hour', ['hour_start'], unique=False)


def downgrade() -> None:
    op.drop_index(op.f('ix_contact_hour_hour_start'), table_name='contact_hour')
    op.drop_table('contact_hour')
