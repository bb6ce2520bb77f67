import os

from sqlalchemy import create_engine
from sqlalchemy.orm import Session

session = Session(create_engine(os.environ["DATABASE_URL"]))  # a one-off script, no requests
session.execute("update orders set status = 'created' where status is null")
session.commit()
