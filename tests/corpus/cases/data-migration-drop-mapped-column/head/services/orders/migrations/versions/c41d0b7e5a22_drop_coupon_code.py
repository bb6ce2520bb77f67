"""drop orders.coupon_code: discounts moved to the pricing service

Revision ID: c41d0b7e5a22
Revises: 7f3a1c2d9e01
Create Date: 2026-11-30 16:41:27
"""
import sqlalchemy as sa
from alembic import op

revision = "c41d0b7e5a22"
down_revision = "7f3a1c2d9e01"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.drop_column("orders", "coupon_code")


def downgrade() -> None:
    op.add_column("orders", sa.Column("coupon_code", sa.String(32), nullable=True))
