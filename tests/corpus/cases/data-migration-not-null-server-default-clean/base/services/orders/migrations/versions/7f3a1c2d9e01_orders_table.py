"""orders table

Revision ID: 7f3a1c2d9e01
Revises:
Create Date: 2026-09-14 10:12:03
"""
import sqlalchemy as sa
from alembic import op

revision = "7f3a1c2d9e01"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "orders",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("item_id", sa.Integer, nullable=False),
        sa.Column("quantity", sa.Integer, nullable=False),
        sa.Column("status", sa.String(20), nullable=False, server_default="created"),
    )


def downgrade() -> None:
    op.drop_table("orders")
