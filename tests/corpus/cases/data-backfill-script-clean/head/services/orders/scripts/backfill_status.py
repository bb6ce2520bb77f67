"""One-off: set a status on orders created before the column existed. Run by hand, once."""
import os

from sqlalchemy import create_engine, text
from sqlalchemy.orm import Session

engine = create_engine(os.environ["DATABASE_URL"].replace("+asyncpg", "+psycopg"))
session = Session(engine)
session.execute(text("update orders set status = 'created' where status is null"))
session.commit()
