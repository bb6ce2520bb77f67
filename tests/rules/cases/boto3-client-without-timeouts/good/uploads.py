import os
import uuid

import boto3
from botocore.config import Config
from fastapi import APIRouter, UploadFile

BUCKET = os.environ["UPLOADS_BUCKET"]
AWS = Config(connect_timeout=2, read_timeout=10, retries={"max_attempts": 3, "mode": "standard"})
s3 = boto3.client("s3", config=AWS)
dynamo = boto3.resource("dynamodb", config=Config(read_timeout=3))
router = APIRouter(prefix="/uploads")


@router.post("")
async def upload(file: UploadFile) -> dict:
    key = f"incoming/{uuid.uuid4()}"
    s3.upload_fileobj(file.file, BUCKET, key)
    dynamo.Table("uploads").put_item(Item={"key": key})
    return {"key": key}
