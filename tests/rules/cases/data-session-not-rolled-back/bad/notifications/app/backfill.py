import logging
import os

import psycopg2

log = logging.getLogger(__name__)


def backfill(rows: list[tuple[int, str]]) -> None:
    conn = psycopg2.connect(os.environ["DATABASE_URL"])
    cur = conn.cursor()
    for order_id, email in rows:
        try:
            cur.execute("UPDATE deliveries SET email = %s WHERE order_id = %s", (email, order_id))
            conn.commit()
        except psycopg2.Error:  # expect: data-session-not-rolled-back
            log.error("order %s: update failed", order_id)
