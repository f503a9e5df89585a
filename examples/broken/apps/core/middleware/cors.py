"""CORS middleware."""


class CorsMiddleware:
    """Adds the CORS header for the allowed origins."""

    def __init__(self, allowed_origins: tuple[str, ...] = ("https://shop.example",)) -> None:
        self.allowed_origins = allowed_origins

    def headers_for(self, origin: str) -> dict[str, str]:
        if origin in self.allowed_origins:
            return {"Access-Control-Allow-Origin": origin}
        return {}
