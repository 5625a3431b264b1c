"""the end of the agent's talk on the contact (the caller's channel may go on, e.g. to the survey)

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-26 00:10:00
"""
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import kernel.database

revision: str = '0006'
down_revision: str | None = '0005'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table('contact') as batch:
        batch.add_column(sa.Column('talk_ended_at', kernel.database.UtcDateTime(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('contact') as batch:
        batch.drop_column('talk_ended_at')
