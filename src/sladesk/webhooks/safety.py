"""Refuse webhook targets on private networks unless an administrator allowed it.

A webhook URL is typed by a person and fetched by the server: without this check it could
reach the server's own loopback services or the internal network (SSRF).
"""

from __future__ import annotations

import ipaddress
import socket
from urllib.parse import urlsplit


def _private(address: str) -> bool:
    ip = ipaddress.ip_address(address)
    return bool(
        ip.is_private
        or ip.is_loopback
        or ip.is_link_local
        or ip.is_reserved
        or ip.is_multicast
        or ip.is_unspecified
    )


def target_problem(url: str, *, allow_private: bool) -> str:
    """Why this URL may not be used as a webhook target ("" when it may)."""
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https"):
        return "use an http:// or https:// URL"
    host = parts.hostname
    if not host:
        return "the URL has no host"
    if parts.username or parts.password:
        return "put no credentials in the URL; the signature authenticates sladesk"
    if allow_private:
        return ""
    try:
        addresses = {info[4][0] for info in socket.getaddrinfo(host, parts.port or None)}
    except (socket.gaierror, UnicodeError):
        return f"cannot resolve {host}"
    for address in sorted(addresses):
        if _private(str(address).split("%", 1)[0]):
            return (
                f"{host} resolves to {address}, a private or loopback address; an "
                "administrator must allow private targets for this endpoint"
            )
    return ""
