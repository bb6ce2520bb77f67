from sqlalchemy import text

from app.db import SessionLocal


async def process_info() -> dict[str, str]:
    # same name as the payments service's helper, but it queries the database
    async with SessionLocal() as session:
        await session.execute(text("SELECT 1"))
    return {"status": "ok"}
