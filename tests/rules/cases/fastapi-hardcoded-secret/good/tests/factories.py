# test data lives under tests/: literal secrets here never reach production
SECRET_KEY = "test-only-secret-key-1234567890"


def login_form(password: str = "correct-horse-battery") -> dict[str, str]:
    return {"username": "alice", "password": password}
