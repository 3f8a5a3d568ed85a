"""Which address a request comes from, believing ``X-Forwarded-For`` only from trusted proxies.

Why: rate limits, login locks and the audit log key on the client's address. Behind a reverse proxy
every request arrives from the proxy, so all residents shared one budget; believing the header from
anyone would let a client pick a fresh address per request. ``[web] trusted_proxies`` lists the
proxies: only when the connecting peer is one of them is the header read, from the right (the hop the
proxy itself appended) leftwards, skipping further trusted proxies; the first other address is the
client. Anything unparsable stops the walk at the last address known to be real.
"""

from __future__ import annotations

import ipaddress
from functools import lru_cache

from starlette.requests import Request

Network = ipaddress.IPv4Network | ipaddress.IPv6Network


@lru_cache(maxsize=32)
def _networks(trusted: tuple[str, ...]) -> tuple[Network, ...]:
    return tuple(ipaddress.ip_network(n, strict=False) for n in trusted)


def _is_trusted(address: str, networks: tuple[Network, ...]) -> bool:
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return False
    return any(ip.version == n.version and ip in n for n in networks)


def client_address(peer: str, forwarded_for: str | None, trusted: tuple[str, ...]) -> str:
    """The client's address given the connecting ``peer``, its ``X-Forwarded-For`` header and the trusted proxies."""
    networks = _networks(tuple(trusted))
    if not networks or not forwarded_for or not _is_trusted(peer, networks):
        return peer
    client = peer
    for hop in reversed([h.strip() for h in forwarded_for.split(",")]):
        try:
            hop = str(ipaddress.ip_address(hop))
        except ValueError:
            break  # not an address: whatever is further left was written by the client, not by a proxy
        client = hop
        if not _is_trusted(hop, networks):
            break
    return client


def request_address(request: Request) -> str:
    peer = request.client.host if request.client else "unknown"
    app = request.scope.get("app")
    ctx = getattr(getattr(app, "state", None), "ctx", None)
    trusted = tuple(getattr(getattr(ctx, "settings", None), "trusted_proxies", ()) or ())
    return client_address(peer, request.headers.get("x-forwarded-for"), trusted)
