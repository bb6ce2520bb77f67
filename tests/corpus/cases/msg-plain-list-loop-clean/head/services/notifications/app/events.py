from app.mailer import send_receipt


def send_all(messages: list[dict]) -> None:
    for message in messages:
        send_receipt(message["email"], message["order_id"])
