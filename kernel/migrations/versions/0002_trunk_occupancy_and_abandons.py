"""trunk occupancy and abandons

The contact record gets the caller's wait, where the last offer stands, where an abandon happened and whether
it was a short abandon; ``trunk_occupancy`` is the append-only log of the trunk's lines in use.

Existing contacts get their wait back-filled from their timestamps (queued -> answered, else queued -> ended).
Their abandon stage stays unknown (NULL) and none is marked a short abandon: they were reported before short
abandons were kept apart, and re-marking them would change figures already published.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-24 10:00:00.000000
"""
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import kernel.database

revision: str = '0002'
down_revision: str | None = '0001'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('trunk_occupancy',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('at', kernel.database.UtcDateTime(timezone=True), nullable=False),
    sa.Column('lines_in_use', sa.Integer(), nullable=False),
    sa.Column('change', sa.SmallInteger(), nullable=False),
    sa.Column('linkedid', sa.String(length=64), nullable=True),
    sa.CheckConstraint('change IN (-1, 0, 1)', name=op.f('ck_trunk_occupancy_change_is_a_step')),
    sa.CheckConstraint('lines_in_use >= 0', name=op.f('ck_trunk_occupancy_lines_in_use_not_negative')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_trunk_occupancy'))
    )
    with op.batch_alter_table('trunk_occupancy', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_trunk_occupancy_at'), ['at'], unique=False)

    with op.batch_alter_table('contact', schema=None) as batch_op:
        batch_op.add_column(sa.Column('wait_seconds', sa.Float(), nullable=True))
        batch_op.add_column(sa.Column('offer_state', sa.String(length=16), nullable=True))
        batch_op.add_column(sa.Column('abandon_stage', sa.String(length=12), nullable=True))
        batch_op.add_column(sa.Column('short_abandon', sa.Boolean(), server_default=sa.false(), nullable=False))

    _backfill_wait_seconds()


def _backfill_wait_seconds() -> None:
    dialect = op.get_bind().dialect.name
    if dialect == 'sqlite':
        seconds = "(julianday(coalesce(answered_at, ended_at)) - julianday(queued_at)) * 86400.0"
    elif dialect == 'postgresql':
        seconds = "extract(epoch from coalesce(answered_at, ended_at) - queued_at)"
    else:
        return
    op.execute(f"UPDATE contact SET wait_seconds = round(CAST({seconds} AS numeric), 3) "
               "WHERE queued_at IS NOT NULL AND coalesce(answered_at, ended_at) IS NOT NULL")


def downgrade() -> None:
    with op.batch_alter_table('contact', schema=None) as batch_op:
        batch_op.drop_column('short_abandon')
        batch_op.drop_column('abandon_stage')
        batch_op.drop_column('offer_state')
        batch_op.drop_column('wait_seconds')

    with op.batch_alter_table('trunk_occupancy', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_trunk_occupancy_at'))

    op.drop_table('trunk_occupancy')
