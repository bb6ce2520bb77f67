import os

import boto3
from botocore.config import Config
from fastapi import APIRouter
from pydantic import BaseModel

router = APIRouter(prefix="/receipts")
BUCKET = os.environ["RECEIPTS_BUCKET"]
s3 = boto3.client("s3", config=Config(connect_timeout=2, read_timeout=5, retries={"max_attempts": 3, "mode": "standard"}))


class Receipt(BaseModel):
    order_id: int
    body: str


@router.get("/{order_id}", response_model=Receipt)
def receipt(order_id: int) -> Receipt:
    obj = s3.get_object(Bucket=BUCKET, Key=f"receipts/{order_id}.json")
    return Receipt(order_id=order_id, body=obj["Body"].read().decode())
