"""Backfill the plugin credentials (an Alembic revision: run by `alembic upgrade`, not by the service)."""

import sqlalchemy as sa
from alembic import op

revision = "aa87efd3d6c1"
down_revision = "9c1e2f0b7d11"


def upgrade() -> None:
    conn = op.get_bind()
    rows = conn.execute(sa.text("SELECT id FROM plugin_instance WHERE credentials IS NULL")).fetchall()
    if not rows:
        print("Skipping automatic migration of plugin credentials, nothing to do")
        return
    op.execute("UPDATE plugin_instance SET credentials = '{}' WHERE credentials IS NULL")


def downgrade() -> None:
    pass
