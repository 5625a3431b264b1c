"""work orders remember the console's idempotency key

work_order.client_key: the Idempotency-Key (a UUID) the console sent with the request that created the order,
unique, so that a creation retried after a lost answer or a database outage returns the order already written
instead of writing a second one. Null for orders created without a key (and every order before this).

Revision ID: 0013
Revises: 0012
Create Date: 2026-11-26 06:40:00
"""
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0013'
down_revision: str | None = '0012'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table('work_order') as batch:
        batch.add_column(sa.Column('client_key', sa.String(length=36), nullable=True))
    op.create_index('ix_work_order_client_key', 'work_order', ['client_key'], unique=True)


def downgrade() -> None:
    op.drop_index('ix_work_order_client_key', table_name='work_order')
    with op.batch_alter_table('work_order') as batch:
        batch.drop_column('client_key')
