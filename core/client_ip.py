"""The address of the person making a request, when the portal runs behind proxies.

Behind a reverse proxy every request comes from the proxy's address, so a rate
limit keyed on REMOTE_ADDR would count everyone as one client (one person's failed
logins would lock everybody out). The proxies append the address they received the
request from to X-Forwarded-For; with TRUSTED_PROXY_COUNT = n (the number of
proxies in front of the portal that we run ourselves), the client is the n-th
address from the right. Addresses further left were written by the client and are
not trusted. Alternatively TRUSTED_CLIENT_IP_HEADER names one header a trusted
proxy sets to the client's address (e.g. X-Real-IP).

allauth's rate limits use this answer (accounts.adapter). Each proxy counted must
append to X-Forwarded-For, not pass it on: otherwise the client chooses its address.
"""

import ipaddress

from django.conf import settings


def _clean(value: str | None) -> str | None:
    if not value:
        return None
    value = value.strip()
    if value.startswith("[") and "]" in value:  # [IPv6]:port
        value = value[1 : value.index("]")]
    elif value.count(":") == 1:  # IPv4:port
        value = value.split(":", 1)[0]
    try:
        return str(ipaddress.ip_address(value))
    except ValueError:
        return None


def client_ip(request) -> str | None:
    """The client's address, or None when it cannot be told (a malformed header)."""
    header = getattr(settings, "TRUSTED_CLIENT_IP_HEADER", "") or ""
    if header:
        return _clean(request.headers.get(header))
    count = getattr(settings, "TRUSTED_PROXY_COUNT", 0) or 0
    forwarded = request.headers.get("X-Forwarded-For", "")
    if count > 0 and forwarded:
        hops = [hop.strip() for hop in forwarded.split(",") if hop.strip()]
        # Fewer hops than trusted proxies: the request did not come through all of
        # them; the left-most hop is the best we know (it came from our first proxy).
        chosen = hops[-count] if len(hops) >= count else hops[0] if hops else None
        return _clean(chosen) or _clean(request.META.get("REMOTE_ADDR"))
    return _clean(request.META.get("REMOTE_ADDR"))
