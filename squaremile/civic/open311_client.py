"""A small Open311 GeoReport v2 client over the standard library (urllib): post a service request to a
body's endpoint and read back its status. JSON format; errors become `Open311Error` with the words
the server sent (the spec's `[{"code": ..., "description": ...}]`)."""

from __future__ import annotations

import json
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass

TIMEOUT_S = 20
USER_AGENT = "SquareMile-Open311/1.0"


class Open311Error(Exception):
    pass


@dataclass(frozen=True)
class RequestStatus:
    service_request_id: str
    status: str  # "open" | "closed"
    status_notes: str
    updated_datetime: str


def _url(endpoint: str, path: str, params: dict | None = None) -> str:
    base = endpoint if endpoint.endswith("/") else endpoint + "/"
    url = urllib.parse.urljoin(base, path)
    if params:
        url += "?" + urllib.parse.urlencode({k: v for k, v in params.items() if v not in (None, "")})
    return url


def _call(url: str, *, data: dict | None = None):
    if urllib.parse.urlsplit(url).scheme not in ("http", "https"):
        raise Open311Error("The endpoint is not an http(s) address.")
    body = urllib.parse.urlencode(data).encode() if data is not None else None
    headers = {"User-Agent": USER_AGENT, "Accept": "application/json"}
    req = urllib.request.Request(url, data=body, headers=headers)  # noqa: S310 - scheme checked above
    try:
        with urllib.request.urlopen(req, timeout=TIMEOUT_S) as resp:  # noqa: S310 - scheme checked above
            raw = resp.read(2_000_000)
    except urllib.error.HTTPError as exc:
        raw = exc.read(100_000)
        try:
            errors = json.loads(raw)
            words = "; ".join(f"{e.get('code')}: {e.get('description')}" for e in errors)
        except (ValueError, AttributeError, TypeError):
            words = raw[:200].decode("utf-8", "replace")
        raise Open311Error(f"HTTP {exc.code}: {words}") from exc
    except (urllib.error.URLError, TimeoutError, OSError) as exc:
        raise Open311Error(f"Could not reach the endpoint: {exc}") from exc
    try:
        return json.loads(raw)
    except ValueError as exc:
        raise Open311Error("The endpoint did not answer JSON.") from exc


def services(endpoint: str, *, jurisdiction_id: str = "") -> list[dict]:
    return _call(_url(endpoint, "services.json", {"jurisdiction_id": jurisdiction_id}))


def post_request(
    endpoint: str, *, api_key: str, service_code: str, lat: float, lng: float, description: str,
    jurisdiction_id: str = "", address: str = "", email: str = "", first_name: str = "", last_name: str = "",
    media_url: str = "", attributes: dict | None = None,
) -> str:  # fmt: skip
    """Send one service request; returns the server's `service_request_id` (or its token)."""
    data = {
        "api_key": api_key, "service_code": service_code, "lat": f"{lat:.6f}", "long": f"{lng:.6f}",
        "description": description, "jurisdiction_id": jurisdiction_id, "address_string": address,
        "email": email, "first_name": first_name, "last_name": last_name, "media_url": media_url,
    }  # fmt: skip
    for key, value in (attributes or {}).items():
        data[f"attribute[{key}]"] = value
    answer = _call(_url(endpoint, "requests.json"), data={k: v for k, v in data.items() if v not in (None, "")})
    if not isinstance(answer, list) or not answer or not isinstance(answer[0], dict):
        raise Open311Error("The endpoint's answer had no service request.")
    first = answer[0]
    found = first.get("service_request_id") or first.get("token")
    if not found:
        raise Open311Error("The endpoint's answer had no service_request_id.")
    return str(found)


def get_request(endpoint: str, request_id: str, *, jurisdiction_id: str = "") -> RequestStatus:
    path = f"requests/{urllib.parse.quote(str(request_id), safe='')}.json"
    answer = _call(_url(endpoint, path, {"jurisdiction_id": jurisdiction_id}))
    if not isinstance(answer, list) or not answer:
        raise Open311Error("The endpoint does not know this request.")
    row = answer[0]
    return RequestStatus(
        service_request_id=str(row.get("service_request_id", request_id)),
        status=str(row.get("status", "")),
        status_notes=str(row.get("status_notes") or ""),
        updated_datetime=str(row.get("updated_datetime") or ""),
    )
