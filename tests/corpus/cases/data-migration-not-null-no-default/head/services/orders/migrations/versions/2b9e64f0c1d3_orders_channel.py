"""orders.channel: web, app or partner

Revision ID: 2b9e64f0c1d3
Revises: 7f3a1c2d9e01
Create Date: 2026-12-01 09:03:51
"""
import sqlalchemy as sa
from alembic import op

revision = "2b9e64f0c1d3"
down_revision = "7f3a1c2d9e01"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("orders", sa.Column("channel", sa.String(16), nullable=False))
    op.create_index("ix_orders_channel", "orders", ["channel"])


def downgrade() -> None:
    op.drop_index("ix_orders_channel", table_name="orders")
    op.drop_column("orders", "channel")
