import orders.app.main  # expect: boundary-cross-service-import


def order_routes() -> list[str]:
    return [r.path for r in orders.app.main.app.routes]
