"""The alerts' CAP 1.2 documents checked by a validator no one here wrote
(issue 17, "Official alerts").

An admin makes an official and grants them the `alerts` role, the official
publishes alerts through the API (text with markup characters and
Vietnamese, two areas, an update, a cancel), and then, as another city
system would, this test reads the RSS index `GET /api/v1/alerts.cap.xml`,
follows each item to its CAP document, and:

- validates it with capvalidator (`check_schema`: the OASIS CAP 1.2 XML
  schema the package carries; `validate_cap_message(strict=False)`: the
  same, signatures not required);
- parses it back and compares every CAP field with the alert the JSON API
  shows (`GET /api/v1/alerts/{id}`): identifier, sender, sent, status,
  msgType, scope, references, category, event, urgency, severity,
  certainty, effective, expires, headline, description, instruction, areas;
- checks that a broken copy is refused, so the validator is really
  validating.

Run by scripts/cap-test, which starts the app in dev mode and sets
CAP_BASE_URL and CAP_ADMIN_TOKEN. The first failure ends the run; exit
status 0 only if every check passed.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import sys
import traceback
import urllib.error
import urllib.parse
import urllib.request

import capvalidator
from importlib.resources import files
from lxml import etree

BASE = os.environ["CAP_BASE_URL"].rstrip("/")
ADMIN_TOKEN = os.environ["CAP_ADMIN_TOKEN"]
CAP = "urn:oasis:names:tc:emergency:cap:1.2"
NS = {"cap": CAP}
OFFICIAL_PHONE = "0905600001"


def call(method, path, body=None, token=None, expect=(200, 201, 202)):
    data = None if body is None else json.dumps(body).encode()
    req = urllib.request.Request(BASE + path, data=data, method=method)
    if body is not None:
        req.add_header("content-type", "application/json")
    if token:
        req.add_header("authorization", "Bearer " + token)
    try:
        with urllib.request.urlopen(req, timeout=30) as resp:
            status, raw, ctype = resp.status, resp.read(), resp.headers.get("content-type", "")
    except urllib.error.HTTPError as err:
        status, raw, ctype = err.code, err.read(), err.headers.get("content-type", "")
    if status not in expect:
        raise AssertionError(f"{method} {path}: {status} {raw[:400]!r}")
    return status, raw, ctype


def call_json(method, path, body=None, token=None, expect=(200, 201, 202)):
    return json.loads(call(method, path, body, token, expect)[1] or b"null")


def login(phone):
    started = call_json("POST", "/api/v1/auth/otp", {"phone": phone, "channel": "sms"})
    e164 = "+84" + phone[1:]
    outbox = call_json("GET", "/api/v1/dev/outbox?phone=" + urllib.parse.quote(e164))
    code = outbox["items"][0]["code"]
    verified = call_json(
        "POST", "/api/v1/auth/verify", {"challenge_id": started["challenge_id"], "code": code}
    )
    return verified["token"]


def in_hours(hours):
    t = dt.datetime.now(dt.timezone(dt.timedelta(hours=7))) + dt.timedelta(hours=hours)
    return t.replace(microsecond=0).isoformat()


def schema():
    xsd = files("capvalidator").joinpath("static/CAP-v1.2-schema.xsd").read_bytes()
    return etree.XMLSchema(etree.XML(xsd))


def validate(doc: bytes, what: str):
    """capvalidator's verdicts, and lxml's reasons when they fail."""
    result = capvalidator.check_schema(doc)
    if not result.passed:
        s = schema()
        s.validate(etree.fromstring(doc))
        raise AssertionError(f"{what}: {result.message} {s.error_log}\n{doc.decode()}")
    total = capvalidator.validate_cap_message(doc, strict=False)
    assert total.passed, f"{what}: {total.message}"


def text(node, path):
    found = node.find(path, NS)
    return None if found is None else found.text


def compare(doc: bytes, alert: dict, chain_json: dict):
    """The CAP document says what the JSON API says."""
    root = etree.fromstring(doc)
    assert root.tag == f"{{{CAP}}}alert", root.tag
    want = {
        "cap:identifier": alert["identifier"],
        "cap:sender": alert["sender"],
        "cap:sent": alert["sent"],
        "cap:status": alert["status"],
        "cap:msgType": alert["msg_type"],
        "cap:scope": "Public",
        "cap:incidents": alert["id"],
        "cap:info/cap:category": alert["category"],
        "cap:info/cap:event": alert["event"],
        "cap:info/cap:urgency": alert["urgency"],
        "cap:info/cap:severity": alert["severity"],
        "cap:info/cap:certainty": alert["certainty"],
        "cap:info/cap:effective": alert["effective"],
        "cap:info/cap:expires": alert["expires"],
        "cap:info/cap:headline": alert["headline"],
        "cap:info/cap:description": alert["description"],
        "cap:info/cap:instruction": alert["instruction"],
        "cap:info/cap:language": "vi-VN",
        "cap:info/cap:web": f"{BASE}/api/v1/alerts/{alert['id']}",
    }
    for path, value in want.items():
        got = text(root, path)
        assert got == value, f"{path}: {got!r} != {value!r}"
    # references: every earlier message as sender,identifier,sent.
    earlier = [h for h in chain_json["history"] if h["identifier"] != alert["identifier"]]
    refs = text(root, "cap:references")
    if earlier:
        want_refs = " ".join(f"{alert['sender']},{h['identifier']},{h['sent']}" for h in earlier)
        assert refs == want_refs, f"references: {refs!r} != {want_refs!r}"
        assert alert["references"] == earlier[-1]["identifier"]
    else:
        assert refs is None, refs
    # areas: one <area> per area, its code as a geocode, its name in areaDesc.
    areas = root.findall("cap:info/cap:area", NS)
    assert len(areas) == len(alert["areas"]), (len(areas), alert["areas"])
    for node, area in zip(areas, alert["areas"]):
        codes = {
            text(g, "cap:valueName"): text(g, "cap:value") for g in node.findall("cap:geocode", NS)
        }
        assert codes.get("cds:area") == area["code"], codes
        desc = text(node, "cap:areaDesc")
        assert area["name"] in desc and desc.endswith("Thành phố Đà Nẵng"), desc
    # sent/effective/expires in CAP's form, with the city's offset.
    for path in ("cap:sent", "cap:info/cap:effective", "cap:info/cap:expires"):
        value = text(root, path)
        assert value.endswith("+07:00") and len(value) == 25, value
        dt.datetime.fromisoformat(value)


def main():
    admin = ADMIN_TOKEN
    call("POST", "/api/v1/admin/units", {"code": "pctt", "name": "Ban Chỉ huy PCTT"}, admin)
    call(
        "POST",
        "/api/v1/admin/officials",
        {"phone": OFFICIAL_PHONE, "full_name": "Lê Văn Cường", "unit": "pctt"},
        admin,
    )
    call("POST", "/api/v1/admin/alert-publishers", {"phone": OFFICIAL_PHONE}, admin)
    official = login(OFFICIAL_PHONE)
    print("ok: an official with the alerts role logged in")

    flood = {
        "category": "Met",
        "event": "Ngập lụt",
        "urgency": "Immediate",
        "severity": "Severe",
        "certainty": "Likely",
        "expires": in_hours(24),
        "headline": 'Lũ <khẩn cấp> & "ngập sâu" ở Hải Châu',
        "description": "Mưa lớn kéo dài;\nnước sông Hàn dâng cao > 2 m.",
        "instruction": "Di chuyển xe & tài sản lên cao; gọi 112 khi cần.",
        "areas": ["hai-chau", "thach-thang"],
    }
    first = call_json("POST", "/api/v1/officials/alerts", flood, official)
    updated = call_json(
        "POST",
        f"/api/v1/officials/alerts/{first['id']}/update",
        {"severity": "Extreme", "headline": "Ngập sâu 1 m ở Hải Châu"},
        official,
    )
    other = call_json(
        "POST",
        "/api/v1/officials/alerts",
        dict(
            flood,
            category="Geo",
            event="Sạt lở đất",
            severity="Moderate",
            certainty="Possible",
            urgency="Expected",
            areas=["hoa-bac"],
            headline="Nguy cơ sạt lở ở Hòa Bắc",
        ),
        official,
    )
    print(f"ok: published {first['id']} (then updated) and {other['id']}")

    status, raw, ctype = call("GET", "/api/v1/alerts.cap.xml")
    assert ctype.startswith("application/rss+xml"), ctype
    index = etree.fromstring(raw)
    links = [i.findtext("link") for i in index.findall("channel/item")]
    want_links = {f"{BASE}/api/v1/alerts/{a['id']}.cap.xml" for a in (first, other)}
    assert set(links) == want_links, (links, want_links)
    print(f"ok: the index lists {len(links)} CAP documents")

    for link in links:
        status, doc, ctype = call("GET", link[len(BASE):])
        assert ctype.startswith("application/cap+xml"), ctype
        validate(doc, link)
        alert_id = link.rsplit("/", 1)[1].removesuffix(".cap.xml")
        chain_json = call_json("GET", f"/api/v1/alerts/{alert_id}")
        compare(doc, chain_json, chain_json)
        print(f"ok: {link} is valid CAP 1.2 and parses back to the alert")
    assert updated["version"] == 2

    cancelled = call_json(
        "POST", f"/api/v1/officials/alerts/{first['id']}/cancel", {"reason": "Nước đã rút."}, official
    )
    status, doc, _ = call("GET", f"/api/v1/alerts/{first['id']}.cap.xml")
    validate(doc, "the cancel")
    chain_json = call_json("GET", f"/api/v1/alerts/{first['id']}")
    compare(doc, chain_json, chain_json)
    assert chain_json["identifier"] == cancelled["identifier"]
    assert text(etree.fromstring(doc), "cap:msgType") == "Cancel"
    status, raw, _ = call("GET", "/api/v1/alerts.cap.xml")
    links = [i.findtext("link") for i in etree.fromstring(raw).findall("channel/item")]
    assert links == [f"{BASE}/api/v1/alerts/{other['id']}.cap.xml"], links
    print("ok: the cancel is valid CAP 1.2, references both earlier messages, leaves the index")

    # The validator refuses what breaks the schema.
    broken = [
        doc.replace(b"<severity>Extreme</severity>", b"<severity>Catastrophic</severity>"),
        doc.replace(b"+07:00</sent>", b"</sent>"),
        doc.replace(b"<scope>Public</scope>", b""),
    ]
    for bad in broken:
        assert bad != doc
        assert not capvalidator.check_schema(bad).passed, bad.decode()
    print("ok: broken copies are refused by the validator")


if __name__ == "__main__":
    try:
        main()
    except Exception:  # noqa: BLE001 - the run's verdict
        traceback.print_exc()
        print("cap-test: FAILED", file=sys.stderr)
        sys.exit(1)
    print("cap-test: every check passed")
