import os

from sqlalchemy import create_engine
from sqlalchemy.orm import Session, scoped_session, sessionmaker

engine = create_engine(os.environ["DATABASE_URL"])
SessionLocal = sessionmaker(bind=engine)
ScopedSession = scoped_session(SessionLocal)


def get_db():
    with SessionLocal() as db:
        yield db


def session_for_tests() -> Session:
    return Session(engine)
