"""work orders: time limits, first owner, closing, crew, callback satisfaction; owners in the history; callbacks

Existing orders get ``first_owner_id`` = their owner, ``due_at`` = created_at + the category's default time limit
(the defaults of this release, below: a settings file's limits apply to orders opened from now on), and, if
closed, ``closed_at`` = their last update.

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-26 12:00:00
"""
from collections.abc import Sequence
from datetime import timedelta

import sqlalchemy as sa
from alembic import op

import kernel.database

revision: str = '0007'
down_revision: str | None = '0006'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

DEFAULT_HOURS = {'repair': 24, 'leak': 4, 'consultation': 48, 'complaint': 72, 'query': 24, 'suggestion': 168}
UNKNOWN_CATEGORY_HOURS = 24


def upgrade() -> None:
    with op.batch_alter_table('work_order', schema=None) as batch_op:
        batch_op.add_column(sa.Column('first_owner_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('due_at', kernel.database.UtcDateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('closed_at', kernel.database.UtcDateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('closing_reason', sa.String(length=32), nullable=True))
        batch_op.add_column(sa.Column('crew', sa.String(length=100), server_default='', nullable=False))
        batch_op.add_column(sa.Column('callback_satisfaction', sa.SmallInteger(), nullable=True))

    _backfill_work_orders()

    with op.batch_alter_table('work_order', schema=None) as batch_op:
        batch_op.alter_column('first_owner_id', existing_type=sa.Integer(), nullable=False)
        batch_op.alter_column('due_at', existing_type=kernel.database.UtcDateTime(timezone=True), nullable=False)
        batch_op.create_foreign_key(batch_op.f('fk_work_order_first_owner_id_app_user'), 'app_user',
                                    ['first_owner_id'], ['id'])
        batch_op.create_index(batch_op.f('ix_work_order_first_owner_id'), ['first_owner_id'], unique=False)
        batch_op.create_index('ix_work_order_status_due_at', ['status', 'due_at'], unique=False)

    with op.batch_alter_table('work_order_history', schema=None) as batch_op:
        batch_op.add_column(sa.Column('from_owner_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('to_owner_id', sa.Integer(), nullable=True))
        batch_op.create_foreign_key(batch_op.f('fk_work_order_history_from_owner_id_app_user'), 'app_user',
                                    ['from_owner_id'], ['id'])
        batch_op.create_foreign_key(batch_op.f('fk_work_order_history_to_owner_id_app_user'), 'app_user',
                                    ['to_owner_id'], ['id'])

    op.create_table(
        'callback',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('work_order_id', sa.Integer(), nullable=True),
        sa.Column('contact_id', sa.Integer(), nullable=True),
        sa.Column('account_number', sa.String(length=32), nullable=True),
        sa.Column('number', sa.String(length=40), nullable=False),
        sa.Column('kind', sa.String(length=12), nullable=False),
        sa.Column('owner_id', sa.Integer(), nullable=False),
        sa.Column('created_by_id', sa.Integer(), nullable=False),
        sa.Column('due_at', kernel.database.UtcDateTime(timezone=True), nullable=False),
        sa.Column('status', sa.String(length=12), nullable=False),
        sa.Column('outcome', sa.String(length=16), nullable=True),
        sa.Column('satisfaction', sa.SmallInteger(), nullable=True),
        sa.Column('note', sa.Text(), nullable=False),
        sa.Column('outcome_note', sa.Text(), server_default='', nullable=False),
        sa.Column('created_at', kernel.database.UtcDateTime(timezone=True), nullable=False),
        sa.Column('done_at', kernel.database.UtcDateTime(timezone=True), nullable=True),
        sa.Column('placed_linkedid', sa.String(length=64), nullable=True),
        sa.CheckConstraint('satisfaction IS NULL OR (satisfaction >= 1 AND satisfaction <= 5)',
                           name=op.f('ck_callback_satisfaction_1_to_5')),
        sa.ForeignKeyConstraint(['contact_id'], ['contact.id'], name=op.f('fk_callback_contact_id_contact')),
        sa.ForeignKeyConstraint(['created_by_id'], ['app_user.id'], name=op.f('fk_callback_created_by_id_app_user')),
        sa.ForeignKeyConstraint(['owner_id'], ['app_user.id'], name=op.f('fk_callback_owner_id_app_user')),
        sa.ForeignKeyConstraint(['work_order_id'], ['work_order.id'],
                                name=op.f('fk_callback_work_order_id_work_order')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_callback')),
    )
    with op.batch_alter_table('callback', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_callback_work_order_id'), ['work_order_id'], unique=False)
        batch_op.create_index('ix_callback_owner_id_status_due_at', ['owner_id', 'status', 'due_at'], unique=False)
        batch_op.create_index('ix_callback_status_due_at', ['status', 'due_at'], unique=False)


def _backfill_work_orders() -> None:
    orders = sa.table('work_order', sa.column('id', sa.Integer()), sa.column('category', sa.String()),
                      sa.column('status', sa.String()), sa.column('owner_id', sa.Integer()),
                      sa.column('first_owner_id', sa.Integer()),
                      sa.column('created_at', kernel.database.UtcDateTime()),
                      sa.column('updated_at', kernel.database.UtcDateTime()),
                      sa.column('due_at', kernel.database.UtcDateTime()),
                      sa.column('closed_at', kernel.database.UtcDateTime()))
    bind = op.get_bind()
    rows = bind.execute(sa.select(orders.c.id, orders.c.category, orders.c.status, orders.c.owner_id,
                                  orders.c.created_at, orders.c.updated_at)).all()
    if not rows:
        return
    params = [{'oid': row.id, 'owner': row.owner_id,
               'due': row.created_at + timedelta(hours=DEFAULT_HOURS.get(row.category, UNKNOWN_CATEGORY_HOURS)),
               'closed': row.updated_at if row.status == 'closed' else None} for row in rows]
    bind.execute(orders.update().where(orders.c.id == sa.bindparam('oid'))
                 .values(first_owner_id=sa.bindparam('owner'), due_at=sa.bindparam('due'),
                         closed_at=sa.bindparam('closed')), params)


def downgrade() -> None:
    with op.batch_alter_table('callback', schema=None) as batch_op:
        batch_op.drop_index('ix_callback_status_due_at')
        batch_op.drop_index('ix_callback_owner_id_status_due_at')
        batch_op.drop_index(batch_op.f('ix_callback_work_order_id'))
    op.drop_table('callback')

    with op.batch_alter_table('work_order_history', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_work_order_history_to_owner_id_app_user'), type_='foreignkey')
        batch_op.drop_constraint(batch_op.f('fk_work_order_history_from_owner_id_app_user'), type_='foreignkey')
        batch_op.drop_column('to_owner_id')
        batch_op.drop_column('from_owner_id')

    with op.batch_alter_table('work_order', schema=None) as batch_op:
        batch_op.drop_index('ix_work_order_status_due_at')
        batch_op.drop_index(batch_op.f('ix_work_order_first_owner_id'))
        batch_op.drop_constraint(batch_op.f('fk_work_order_first_owner_id_app_user'), type_='foreignkey')
        batch_op.drop_column('callback_satisfaction')
        batch_op.drop_column('crew')
        batch_op.drop_column('closing_reason')
        batch_op.drop_column('closed_at')
        batch_op.drop_column('due_at')
        batch_op.drop_column('first_owner_id')
