"""Order notifications, sent through a Redis-backed queue.

The queue client below is not installed: importing this module fails (a planted mistake).
"""

import redis_cluster_missing


def send_receipt(email: str, number: str) -> None:
    redis_cluster_missing.enqueue("receipts", {"email": email, "number": number})
