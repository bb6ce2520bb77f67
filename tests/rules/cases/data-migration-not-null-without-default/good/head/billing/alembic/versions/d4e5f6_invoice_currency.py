"""invoice currency and tax rate; credit notes

Revision ID: d4e5f6
Revises: a1b2c3
"""
import sqlalchemy as sa
from alembic import op

revision = "d4e5f6"
down_revision = "a1b2c3"


def upgrade() -> None:
    op.add_column("invoice", sa.Column("currency", sa.String(3), nullable=False, server_default="EUR"))
    op.add_column("invoice", sa.Column("tax_rate", sa.Numeric(4, 2), nullable=True))
    op.create_table(
        "credit_note",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("invoice_id", sa.Integer, sa.ForeignKey("invoice.id")),
    )
    op.add_column("credit_note", sa.Column("reason", sa.String(200), nullable=False))


def downgrade() -> None:
    op.drop_table("credit_note")
    op.drop_column("invoice", "tax_rate")
    op.drop_column("invoice", "currency")
