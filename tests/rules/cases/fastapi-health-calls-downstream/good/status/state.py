import os
import time

STARTED_AT = time.monotonic()


def process_info() -> dict[str, str]:
    return {"status": "alive", "pid": str(os.getpid()), "uptime": f"{time.monotonic() - STARTED_AT:.0f}s"}
