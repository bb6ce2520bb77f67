from fastapi import APIRouter  # expect: api-route-removed

router = APIRouter(prefix="/admin")
