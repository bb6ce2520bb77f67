"""legacy: applied long ago

Revision ID: 0000
"""
import sqlalchemy as sa
from alembic import op

revision = "0000"
down_revision = None


def upgrade() -> None:
    op.add_column("invoice", sa.Column("legacy_flag", sa.Boolean, nullable=False))


def downgrade() -> None:
    op.drop_column("invoice", "legacy_flag")
