from fastapi import APIRouter, Depends

from app.auth import CurrentUser, get_current_user
from app.db import SessionDep
from app.models import Product, Review, User

router = APIRouter(prefix="/catalog")


# browsing is public, writing needs a user: the routes disagree, no convention to hold
@router.get("/products")
def products(session: SessionDep) -> list[Product]:
    return Product.all(session)


@router.get("/products/{product_id}")
def product(product_id: int, session: SessionDep) -> Product:
    return Product.get(session, product_id)


@router.post("/products/{product_id}/reviews")
def add_review(product_id: int, review: Review, user: CurrentUser, session: SessionDep) -> Review:
    return review.save(session, product_id, user.id)


@router.delete("/reviews/{review_id}")
def delete_review(review_id: int, session: SessionDep, user: User = Depends(get_current_user)) -> None:
    Review.delete(session, review_id, user.id)
