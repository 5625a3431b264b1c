"""call recordings and the append-only log of their listens; users' teams

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-27 12:00:00

Written beside the work-orders branch's 0007, which it follows since their merge.
"""
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import kernel.database

revision: str = '0008'
down_revision: str | None = '0007'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# recording_access is an audit log: the database itself refuses to change or remove a row.
_SQLITE_GUARDS = [
    f"CREATE TRIGGER recording_access_no_{verb} BEFORE {verb.upper()} ON recording_access "
    "BEGIN SELECT RAISE(ABORT, 'recording_access is append-only'); END"
    for verb in ('update', 'delete')
]
_POSTGRESQL_GUARD = [
    "CREATE OR REPLACE FUNCTION recording_access_append_only() RETURNS trigger LANGUAGE plpgsql AS "
    "$$ BEGIN RAISE EXCEPTION 'recording_access is append-only'; END $$",
    "CREATE TRIGGER recording_access_append_only BEFORE UPDATE OR DELETE ON recording_access "
    "FOR EACH ROW EXECUTE FUNCTION recording_access_append_only()",
]


def upgrade() -> None:
    op.create_table(
        'recording',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('public_id', sa.String(length=32), nullable=False),
        sa.Column('linkedid', sa.String(length=64), nullable=False),
        sa.Column('contact_id', sa.Integer(), nullable=True),
        sa.Column('agent_id', sa.Integer(), nullable=True),
        sa.Column('seat', sa.String(length=40), nullable=False),
        sa.Column('path', sa.String(length=1024), nullable=False),
        sa.Column('started_at', kernel.database.UtcDateTime(), nullable=False),
        sa.Column('ended_at', kernel.database.UtcDateTime(), nullable=True),
        sa.Column('duration_seconds', sa.Float(), nullable=True),
        sa.Column('bytes', sa.BigInteger(), nullable=True),
        sa.Column('deleted_at', kernel.database.UtcDateTime(), nullable=True),
        sa.ForeignKeyConstraint(['contact_id'], ['contact.id'], name=op.f('fk_recording_contact_id_contact')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_recording')),
        sa.UniqueConstraint('path', name=op.f('uq_recording_path')),
        sa.UniqueConstraint('public_id', name=op.f('uq_recording_public_id')),
    )
    op.create_index(op.f('ix_recording_linkedid'), 'recording', ['linkedid'], unique=False)
    op.create_index(op.f('ix_recording_contact_id'), 'recording', ['contact_id'], unique=False)
    op.create_index(op.f('ix_recording_agent_id'), 'recording', ['agent_id'], unique=False)
    op.create_index(op.f('ix_recording_started_at'), 'recording', ['started_at'], unique=False)
    op.create_table(
        'recording_access',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('recording_id', sa.Integer(), nullable=False),
        sa.Column('user_id', sa.Integer(), nullable=False),
        sa.Column('at', kernel.database.UtcDateTime(), nullable=False),
        sa.Column('client_ip', sa.String(length=64), nullable=False),
        sa.Column('range_start', sa.BigInteger(), nullable=False),
        sa.Column('range_end', sa.BigInteger(), nullable=False),
        sa.Column('file_bytes', sa.BigInteger(), nullable=False),
        sa.ForeignKeyConstraint(['recording_id'], ['recording.id'],
                                name=op.f('fk_recording_access_recording_id_recording')),
        sa.ForeignKeyConstraint(['user_id'], ['app_user.id'], name=op.f('fk_recording_access_user_id_app_user')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_recording_access')),
    )
    op.create_index(op.f('ix_recording_access_recording_id'), 'recording_access', ['recording_id'], unique=False)
    op.create_index(op.f('ix_recording_access_user_id'), 'recording_access', ['user_id'], unique=False)
    op.create_index(op.f('ix_recording_access_at'), 'recording_access', ['at'], unique=False)
    dialect = op.get_bind().dialect.name
    for statement in _SQLITE_GUARDS if dialect == 'sqlite' else _POSTGRESQL_GUARD if dialect == 'postgresql' else []:
        op.execute(statement)
    with op.batch_alter_table('app_user') as batch:
        batch.add_column(sa.Column('team', sa.String(length=40), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('app_user') as batch:
        batch.drop_column('team')
    op.drop_index(op.f('ix_recording_access_at'), table_name='recording_access')
    op.drop_index(op.f('ix_recording_access_user_id'), table_name='recording_access')
    op.drop_index(op.f('ix_recording_access_recording_id'), table_name='recording_access')
    op.drop_table('recording_access')  # its triggers go with it
    if op.get_bind().dialect.name == 'postgresql':
        op.execute("DROP FUNCTION IF EXISTS recording_access_append_only()")
    op.drop_index(op.f('ix_recording_started_at'), table_name='recording')
    op.drop_index(op.f('ix_recording_agent_id'), table_name='recording')
    op.drop_index(op.f('ix_recording_contact_id'), table_name='recording')
    op.drop_index(op.f('ix_recording_linkedid'), table_name='recording')
    op.drop_table('recording')
