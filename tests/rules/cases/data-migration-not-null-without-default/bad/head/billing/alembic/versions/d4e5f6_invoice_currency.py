"""invoice currency and tax rate

Revision ID: d4e5f6
Revises: a1b2c3
"""
import sqlalchemy as sa
from alembic import op

revision = "d4e5f6"
down_revision = "a1b2c3"


def upgrade() -> None:
    op.add_column("invoice", sa.Column("currency", sa.String(3), nullable=False))  # expect: data-migration-not-null-without-default
    with op.batch_alter_table("invoice") as batch_op:
        batch_op.add_column(sa.Column("tax_rate", sa.Numeric(4, 2), nullable=False, default=0.2))  # expect: data-migration-not-null-without-default


def downgrade() -> None:
    op.drop_column("invoice", "tax_rate")
    op.drop_column("invoice", "currency")
