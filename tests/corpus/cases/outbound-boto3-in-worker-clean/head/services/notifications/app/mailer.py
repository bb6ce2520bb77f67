import json
import logging
import os

import boto3

log = logging.getLogger(__name__)
s3 = boto3.client("s3")


def send_receipt(email: str, order_id: int) -> None:
    s3.put_object(Bucket=os.environ["RECEIPTS_BUCKET"], Key=f"receipts/{order_id}.json",
                  Body=json.dumps({"email": email, "order_id": order_id}).encode())
    log.info("receipt for order %s sent to %s", order_id, email)
