"""The client's address as the login limits see it.

Behind a reverse proxy every request comes from the proxy's address. The proxy's X-Forwarded-For header is
believed only when the request really comes from a proxy named in settings.TRUSTED_PROXIES; anyone can send
that header, so without the setting it is ignored. Limits then count an address range, not one address: an
IPv6 phone owns a whole /64 and can pick a new address in it for every request.
"""

import ipaddress
import logging

from django.conf import settings

logger = logging.getLogger(__name__)

IPV4_PREFIX = 24
IPV6_PREFIX = 64


def _parse(value: str):
    try:
        address = ipaddress.ip_address(value.strip())
    except ValueError:
        return None
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped:
        return address.ipv4_mapped
    return address


def trusted_proxies() -> list:
    """settings.TRUSTED_PROXIES (addresses or networks) as networks; a bad entry is a settings error."""
    return [ipaddress.ip_network(entry, strict=False) for entry in settings.TRUSTED_PROXIES]


def _is_trusted(address, networks) -> bool:
    return any(address.version == net.version and address in net for net in networks)


def client_address(meta) -> str:
    """REMOTE_ADDR, or, when that is a trusted proxy, the nearest address in X-Forwarded-For that is not one.

    The header is read from the right: each trusted proxy appends the address it saw, so the rightmost
    untrusted entry is the first one no trusted party vouches for beyond."""
    remote = meta.get("REMOTE_ADDR", "")
    networks = trusted_proxies()
    parsed = _parse(remote)
    if not networks or parsed is None or not _is_trusted(parsed, networks):
        return remote
    forwarded = [_parse(part) for part in meta.get("HTTP_X_FORWARDED_FOR", "").split(",") if part.strip()]
    client = parsed
    for hop in reversed(forwarded):
        if hop is None:  # a garbled entry: nothing left of it can be believed
            break
        client = hop
        if not _is_trusted(hop, networks):
            break
    return str(client)


def address_range(address: str) -> str:
    """The /24 or /64 network an address belongs to, as text; an unreadable address is its own range."""
    parsed = _parse(address or "")
    if parsed is None:
        return f"?{(address or '')[:48]}"
    prefix = IPV4_PREFIX if parsed.version == 4 else IPV6_PREFIX
    return str(ipaddress.ip_network(f"{parsed}/{prefix}", strict=False))
