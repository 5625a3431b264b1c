"""contacts of calls agents place (direction, work order) and of transferred calls (target, count, times)

Revision ID: 0009
Revises: 0008 (written beside 0007 and 0008 in parallel, then chained after them: 0006 -> 0007 -> 0008 -> 0009)
Create Date: 2026-11-27 10:00:00
"""
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import kernel.database

revision: str = '0009'
down_revision: str | None = '0008'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table('contact') as batch:
        batch.add_column(sa.Column('direction', sa.String(length=8), nullable=True))
        batch.add_column(sa.Column('work_order_id', sa.Integer(), nullable=True))
        batch.add_column(sa.Column('transferred_to_agent_id', sa.Integer(), nullable=True))
        batch.add_column(sa.Column('transfer_count', sa.Integer(), nullable=False, server_default='0'))
        batch.add_column(sa.Column('transferred_at', kernel.database.UtcDateTime(), nullable=True))
        batch.add_column(sa.Column('transfer_answered_at', kernel.database.UtcDateTime(), nullable=True))
        batch.create_index(batch.f('ix_contact_work_order_id'), ['work_order_id'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('contact') as batch:
        batch.drop_index(batch.f('ix_contact_work_order_id'))
        batch.drop_column('transfer_answered_at')
        batch.drop_column('transferred_at')
        batch.drop_column('transfer_count')
        batch.drop_column('transferred_to_agent_id')
        batch.drop_column('work_order_id')
        batch.drop_column('direction')
