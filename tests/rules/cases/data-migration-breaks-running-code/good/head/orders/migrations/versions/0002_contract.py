"""contract: drop legacy_code (unmapped since the last release) and the import staging table

Revision ID: 0002
Revises: 0001
"""
import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"


def upgrade() -> None:
    op.drop_column("orders", "legacy_code")
    op.drop_table("import_staging")
    op.add_column("orders", sa.Column("channel", sa.String(20), nullable=True))
    with op.batch_alter_table("orders") as batch_op:
        batch_op.alter_column("created_at", existing_type=sa.DateTime(timezone=True), nullable=False)


def downgrade() -> None:
    op.drop_column("orders", "channel")
    op.add_column("orders", sa.Column("legacy_code", sa.String(32)))
