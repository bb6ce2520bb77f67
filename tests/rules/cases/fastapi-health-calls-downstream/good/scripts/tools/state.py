import os

from sqlalchemy import create_engine, text

engine = create_engine(os.environ["DATABASE_URL"])


def snapshot() -> dict[str, str]:
    with engine.connect() as conn:
        return dict(conn.execute(text("SELECT key, value FROM flags")).all())
