"""invoice table

Revision ID: a1b2c3
"""
import sqlalchemy as sa
from alembic import op

revision = "a1b2c3"
down_revision = None


def upgrade() -> None:
    op.create_table(
        "invoice",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("customer_id", sa.Integer, nullable=False, index=True),
        sa.Column("amount", sa.Numeric(12, 2), nullable=False),
    )


def downgrade() -> None:
    op.drop_table("invoice")
