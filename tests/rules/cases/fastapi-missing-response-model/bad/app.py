from typing import Any

from fastapi import APIRouter, Depends
from sqlalchemy.orm import Session

from .db import get_db
from .models import User

router = APIRouter(prefix="/users")


@router.get("/{user_id}")  # expect: fastapi-missing-response-model
def get_user(user_id: int, db: Session = Depends(get_db)):
    return db.get(User, user_id)


@router.get("/")  # expect: fastapi-missing-response-model
def list_users(db: Session = Depends(get_db)) -> dict[str, Any]:
    return {"items": db.query(User).all()}
