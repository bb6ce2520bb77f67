from fastapi import APIRouter
from sqlmodel import Session, create_engine, select

from .config import settings
from .models import User

router = APIRouter()


@router.get("/users")
def list_users() -> list[User]:
    engine = create_engine(str(settings.DATABASE_URL))  # expect: data-engine-per-request
    with Session(engine) as session:
        return list(session.exec(select(User)))
