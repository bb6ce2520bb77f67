import os

import boto3
from fastapi import APIRouter
from pydantic import BaseModel

router = APIRouter(prefix="/receipts")
BUCKET = os.environ["RECEIPTS_BUCKET"]
s3 = boto3.client("s3", region_name=os.environ.get("AWS_REGION", "eu-west-1"))


class Receipt(BaseModel):
    order_id: int
    body: str


@router.get("/{order_id}", response_model=Receipt)
def receipt(order_id: int) -> Receipt:
    obj = s3.get_object(Bucket=BUCKET, Key=f"receipts/{order_id}.json")
    return Receipt(order_id=order_id, body=obj["Body"].read().decode())
