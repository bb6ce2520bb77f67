from fastapi import APIRouter
from sqlmodel import Session, create_engine, select

from .config import settings
from .models import User

router = APIRouter()
session = Session(create_engine(str(settings.DATABASE_URL)))  # expect: data-module-level-session


@router.get("/users")
def list_users() -> list[User]:
    return list(session.exec(select(User)))
