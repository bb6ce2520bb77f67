from fastapi import APIRouter, Depends, Response, status
from fastapi.responses import RedirectResponse
from pydantic import BaseModel
from sqlalchemy.orm import Session

from .db import get_db
from .models import User

router = APIRouter(prefix="/users")


class UserOut(BaseModel):
    id: int
    email: str


@router.get("/{user_id}", response_model=UserOut)
def get_user(user_id: int, db: Session = Depends(get_db)):
    return db.get(User, user_id)


@router.get("/")
def list_users(db: Session = Depends(get_db)) -> list[UserOut]:
    return db.query(User).all()


@router.delete("/{user_id}", status_code=status.HTTP_204_NO_CONTENT)
def delete_user(user_id: int, db: Session = Depends(get_db)):
    db.delete(db.get(User, user_id))
    db.commit()
    return Response(status_code=204)


@router.get("/{user_id}/avatar")
def avatar(user_id: int):
    return RedirectResponse(f"https://cdn.example.com/avatars/{user_id}.png")


@router.post("/{user_id}/touch")
def touch(user_id: int, db: Session = Depends(get_db)) -> None:
    db.get(User, user_id).touched = True
