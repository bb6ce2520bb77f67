from fastapi import APIRouter

from app.auth import CurrentUser
from app.db import SessionDep
from app.models import Address, Profile

router = APIRouter(prefix="/me")


@router.get("/")
def me(user: CurrentUser) -> Profile:
    return user.profile


@router.put("/address")
def set_address(address: Address, user: CurrentUser, session: SessionDep) -> Profile:
    return user.profile.with_address(session, address)


@router.get("/addresses")
def addresses(user: CurrentUser, session: SessionDep) -> list[Address]:
    return user.profile.addresses(session)


@router.delete("/addresses/{address_id}")  # expect: fastapi-route-missing-auth
def delete_address(address_id: int, session: SessionDep) -> None:
    Address.delete(session, address_id)
