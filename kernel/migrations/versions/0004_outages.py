"""outages (停水公告) by supply zone and time window

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-27 10:00:00
"""
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import kernel.database

revision: str = '0004'
down_revision: str | None = '0003'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        'outage',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('supply_zone', sa.String(length=64), nullable=False),
        sa.Column('kind', sa.String(length=16), nullable=False),
        sa.Column('starts_at', kernel.database.UtcDateTime(), nullable=False),
        sa.Column('ends_at', kernel.database.UtcDateTime(), nullable=False),
        sa.Column('note', sa.Text(), nullable=False),
        sa.Column('created_by', sa.Integer(), nullable=True),
        sa.Column('created_at', kernel.database.UtcDateTime(), nullable=False),
        sa.Column('cancelled_at', kernel.database.UtcDateTime(), nullable=True),
        sa.ForeignKeyConstraint(['created_by'], ['app_user.id'], name=op.f('fk_outage_created_by_app_user')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_outage')),
    )
    op.create_index(op.f('ix_outage_supply_zone'), 'outage', ['supply_zone'], unique=False)
    op.create_index(op.f('ix_outage_ends_at'), 'outage', ['ends_at'], unique=False)


def downgrade() -> None:
    op.drop_index(op.f('ix_outage_ends_at'), table_name='outage')
    op.drop_index(op.f('ix_outage_supply_zone'), table_name='outage')
    op.drop_table('outage')
