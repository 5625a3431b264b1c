"""acd audit log; agents' skills and queues; contacts' overflow and callback

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-25 21:00:00
"""
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import kernel.database

revision: str = '0003'
down_revision: str | None = '0002'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        'acd_audit',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('at', kernel.database.UtcDateTime(), nullable=False),
        sa.Column('actor_id', sa.Integer(), nullable=True),
        sa.Column('action', sa.String(length=40), nullable=False),
        sa.Column('detail', sa.JSON(), nullable=False),
        sa.PrimaryKeyConstraint('id'),
    )
    op.create_index(op.f('ix_acd_audit_at'), 'acd_audit', ['at'], unique=False)
    with op.batch_alter_table('app_user') as batch:
        batch.add_column(sa.Column('skills', sa.JSON(), nullable=False, server_default='{}'))
        batch.add_column(sa.Column('queues', sa.JSON(), nullable=False, server_default='[]'))
    with op.batch_alter_table('contact') as batch:
        batch.add_column(sa.Column('overflowed_to', sa.String(length=40), nullable=True))
        batch.add_column(sa.Column('callback_number', sa.String(length=40), nullable=True))
        batch.add_column(sa.Column('callback_status', sa.String(length=24), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('contact') as batch:
        batch.drop_column('callback_status')
        batch.drop_column('callback_number')
        batch.drop_column('overflowed_to')
    with op.batch_alter_table('app_user') as batch:
        batch.drop_column('queues')
        batch.drop_column('skills')
    op.drop_index(op.f('ix_acd_audit_at'), table_name='acd_audit')
    op.drop_table('acd_audit')
