import os
import uuid

import boto3
from botocore.config import Config
from fastapi import APIRouter, UploadFile

BUCKET = os.environ["UPLOADS_BUCKET"]
s3 = boto3.client("s3", region_name=os.environ.get("AWS_REGION", "eu-west-1"))  # expect: boto3-client-without-timeouts
session = boto3.Session()
dynamo = session.resource("dynamodb", config=Config(region_name="eu-west-1"))  # expect: boto3-client-without-timeouts
router = APIRouter(prefix="/uploads")


def _record(key: str, name: str) -> None:
    dynamo.Table("uploads").put_item(Item={"key": key, "name": name})


@router.post("")
async def upload(file: UploadFile) -> dict:
    key = f"incoming/{uuid.uuid4()}"
    s3.upload_fileobj(file.file, BUCKET, key)
    _record(key, file.filename or "")
    return {"key": key}


@router.get("/{key}/link")
def link(key: str) -> dict:
    return {"url": s3.generate_presigned_url("get_object", Params={"Bucket": BUCKET, "Key": key})}


@router.get("/{key}/size")
def size(key: str) -> dict:
    sqs = boto3.client("sqs")  # expect: boto3-client-without-timeouts
    sqs.send_message(QueueUrl=os.environ["AUDIT_QUEUE"], MessageBody=key)
    return {"size": s3.head_object(Bucket=BUCKET, Key=key)["ContentLength"]}
