"""The signature receivers check: HMAC-SHA256 over "<timestamp>.<body>".

Headers sent with every delivery:
  X-Sladesk-Event: the event type
  X-Sladesk-Delivery: the delivery id (the same on every retry, for de-duplication)
  X-Sladesk-Timestamp: Unix seconds when this attempt was signed
  X-Sladesk-Signature: v1=<hex digest>

A receiver recomputes the digest with the shared secret, compares in constant time and
refuses timestamps older than a few minutes (replays).
"""

from __future__ import annotations

import hashlib
import hmac


def signature(secret: str, timestamp: int, body: bytes) -> str:
    message = str(timestamp).encode("ascii") + b"." + body
    return "v1=" + hmac.new(secret.encode("utf-8"), message, hashlib.sha256).hexdigest()


def verify(secret: str, timestamp: int, body: bytes, header: str) -> bool:
    return hmac.compare_digest(signature(secret, timestamp, body), header)
