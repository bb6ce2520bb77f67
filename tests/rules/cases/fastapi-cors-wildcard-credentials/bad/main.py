from fastapi import FastAPI
from fastapi.middleware.cors import CORSMiddleware
from starlette.middleware import Middleware

ALL_ORIGINS = ["*"]

app = FastAPI()
app.add_middleware(
    CORSMiddleware,
    allow_origins=["*"],  # expect: fastapi-cors-wildcard-credentials
    allow_credentials=True,
    allow_methods=["*"],
    allow_headers=["*"],
)

admin = FastAPI(middleware=[
    Middleware(CORSMiddleware, allow_origins=ALL_ORIGINS, allow_credentials=True),  # expect: fastapi-cors-wildcard-credentials
])

partner = FastAPI()
partner.add_middleware(CORSMiddleware, allow_origin_regex="https?://.*", allow_credentials=True)  # expect: fastapi-cors-wildcard-credentials
