"""drop the legacy order code, rename customer email, drop order events

Revision ID: 0002
Revises: 0001
"""
import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"


def upgrade() -> None:
    op.drop_column("orders", "legacy_code")  # expect: data-migration-breaks-running-code
    with op.batch_alter_table("customers") as batch_op:
        batch_op.alter_column("email", new_column_name="email_address")  # expect: data-migration-breaks-running-code
    op.drop_table("order_events")  # expect: data-migration-breaks-running-code


def downgrade() -> None:
    op.create_table("order_events", sa.Column("id", sa.Integer, primary_key=True), sa.Column("kind", sa.String(40)))
    op.alter_column("customers", "email_address", new_column_name="email")
    op.add_column("orders", sa.Column("legacy_code", sa.String(32)))
