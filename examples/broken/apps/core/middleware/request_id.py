"""Request-id middleware."""

import uuid


def add_request_id(request: dict[str, object]) -> dict[str, object]:
    request.setdefault("request_id", uuid.uuid4().hex)
    return request
