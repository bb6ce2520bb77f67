import os


def process_info() -> dict[str, str]:
    return {"status": "alive", "pid": str(os.getpid())}
