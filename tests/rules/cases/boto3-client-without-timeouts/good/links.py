import os

import boto3
from fastapi import APIRouter

s3 = boto3.client("s3")
router = APIRouter()


@router.get("/files/{key}/link")
def link(key: str) -> dict:
    # presigning is computed locally: no request leaves the process
    return {"url": s3.generate_presigned_url("get_object", Params={"Bucket": os.environ["BUCKET"], "Key": key})}
