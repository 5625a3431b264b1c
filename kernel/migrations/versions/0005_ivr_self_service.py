"""IVR self-service (issue 4): the complete bill, the account's water company, the post-call survey

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-25 23:30:00
"""
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import kernel.database

revision: str = '0005'
down_revision: str | None = '0004'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table('account') as batch:
        batch.add_column(sa.Column('company', sa.String(length=32), nullable=False, server_default=''))
        batch.add_column(sa.Column('last_reading_date', sa.Date(), nullable=True))
        batch.add_column(sa.Column('usage', sa.Numeric(precision=12, scale=2), nullable=True))
        batch.add_column(sa.Column('payment_status', sa.String(length=16), nullable=False,
                                   server_default='unpaid'))
    with op.batch_alter_table('contact') as batch:
        batch.add_column(sa.Column('company', sa.String(length=32), nullable=True))
        batch.add_column(sa.Column('satisfaction', sa.SmallInteger(), nullable=True))
        batch.add_column(sa.Column('satisfaction_at', kernel.database.UtcDateTime(), nullable=True))
    with op.batch_alter_table('work_order') as batch:
        batch.add_column(sa.Column('satisfaction', sa.SmallInteger(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('work_order') as batch:
        batch.drop_column('satisfaction')
    with op.batch_alter_table('contact') as batch:
        batch.drop_column('satisfaction_at')
        batch.drop_column('satisfaction')
        batch.drop_column('company')
    with op.batch_alter_table('account') as batch:
        batch.drop_column('payment_status')
        batch.drop_column('usage')
        batch.drop_column('last_reading_date')
        batch.drop_column('company')
