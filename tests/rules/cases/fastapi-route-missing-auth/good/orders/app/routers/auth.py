from fastapi import APIRouter, Depends
from fastapi.security import OAuth2PasswordRequestForm

from app.auth import get_current_user
from app.db import SessionDep
from app.models import Token, User

router = APIRouter(prefix="/auth")


@router.post("/token")
def login(session: SessionDep, form: OAuth2PasswordRequestForm = Depends()) -> Token:
    return Token.issue(session, form.username, form.password)


@router.post("/signup")
def signup(session: SessionDep, form: OAuth2PasswordRequestForm = Depends()) -> User:
    return User.create(session, form.username, form.password)


@router.get("/me")
def whoami(user: User = Depends(get_current_user)) -> User:
    return user


@router.post("/logout")
def logout(session: SessionDep, user: User = Depends(get_current_user)) -> None:
    Token.revoke(session, user.id)


@router.post("/password")
def change_password(session: SessionDep, user: User = Depends(get_current_user)) -> None:
    User.reset_password(session, user.id)


@router.post("/password-recovery/{email}")
def recover_password(email: str, session: SessionDep) -> None:
    User.send_recovery(session, email)
