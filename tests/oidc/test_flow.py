"""The OpenID Connect provider driven end to end by Authlib (issue 16, item 6).

A citizen and four city services go through the provider the way a real
deployment would: each service talks through Authlib's
`OAuth2Session` (discovery, PKCE S256, `state`, `nonce`, the token request
with its client authentication, refresh, revocation), the citizen's browser
is a `requests.Session` that keeps the provider's login cookie and submits
the server-rendered login and consent forms as a person would (the one-time
code is read from the dev outbox), and ID tokens are validated by Authlib's
own OpenID Connect rules (`authlib.oidc.core.CodeIDToken`: `iss`, `aud`,
`exp`, `iat`, `nonce`, `azp`, `at_hash`) over a signature checked by joserfc
— the JOSE library Authlib 1.9 itself verifies ID tokens with — against the
JWKS named by discovery. What each step proves is said where it is checked.

The four services, one per token-endpoint authentication method:
- portal: confidential, `client_secret_basic`; phone and a document type.
- hospital: confidential, `client_secret_post`; profile and phone. The
  second service in the same browser: single sign-on, its own consent page.
- ward: public, PKCE only (`none`); profile.
- tax: confidential, `private_key_jwt` with an EC P-256 key made here.

One place where the provider and Authlib's checks disagree is bridged here:
discovery offers ES256 only, as the platform signs with ES256 alone
(docs/sso.md), where OIDC Discovery §3 wants RS256 listed too; that one
metadata rule is left out.

Run by scripts/oidc-test, which starts the app in dev mode and sets
OIDC_BASE_URL (the app's origin, also its `public_base_url`) and
OIDC_ADMIN_TOKEN. Steps run in order, each building on the ones before; the
first failure ends the run. Exit status 0 only if every step passed.
"""

from __future__ import annotations

import base64
import hashlib
import os
import sys
import time
import traceback
from dataclasses import dataclass, field
from html.parser import HTMLParser
from urllib.parse import parse_qs, urljoin, urlsplit

# The provider runs on loopback over plain http in dev mode; Authlib refuses
# http endpoints unless told this is intended.
os.environ["AUTHLIB_INSECURE_TRANSPORT"] = "1"

import requests  # noqa: E402
from authlib.common.security import generate_token  # noqa: E402
from authlib.common.urls import add_params_to_uri  # noqa: E402
from authlib.integrations.requests_client import OAuth2Session, OAuthError  # noqa: E402
from authlib.oauth2.rfc7523 import PrivateKeyJWT  # noqa: E402
from authlib.oidc import discovery, rpinitiated  # noqa: E402
from authlib.oidc.core import CodeIDToken  # noqa: E402
from joserfc import jwt  # noqa: E402
from joserfc.jwk import ECKey, KeySet  # noqa: E402

BASE = os.environ["OIDC_BASE_URL"].rstrip("/")
ADMIN_TOKEN = os.environ["OIDC_ADMIN_TOKEN"]
TIMEOUT = 30

# The citizen: the phone as typed on the login page and as the provider
# reports it, and the profile given once through the platform's API.
PHONE_TYPED = "0905 111 222"
PHONE = "+84905111222"
PROFILE = {
    "full_name": "Nguyễn Thị Hoa",
    "date_of_birth": "1991-04-12",
    "gender": "female",
    "address": "12 Lê Duẩn, Hải Châu, Đà Nẵng",
}
DOC_TYPE = "birth_certificate"
DOC_TITLE = "Giấy khai sinh — Nguyễn Thị Hoa"


def tiny_pdf() -> bytes:
    """A one-page PDF with a correct cross-reference table."""
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 200 200] >>",
    ]
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n%s\nendobj\n" % (number, body)
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    for offset in offsets:
        out += b"%010d 00000 n \n" % offset
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref)
    return bytes(out)


PDF = tiny_pdf()


class Failed(Exception):
    """A check did not hold."""


def expect(condition: object, message: str) -> None:
    if not condition:
        raise Failed(message)


def oauth_error(call) -> OAuthError:
    """The OAuthError `call` raises (a success is a failure of the check)."""
    try:
        result = call()
    except OAuthError as err:
        return err
    raise Failed(f"expected an OAuth error, got a success: {result!r}")


# --- the JSON API a person's app and the admin use ---------------------------


def api(method: str, path: str, want: int | set[int], token: str | None = None, **kw) -> dict:
    headers = kw.pop("headers", {})
    if token:
        headers["authorization"] = f"Bearer {token}"
    resp = requests.request(method, BASE + path, headers=headers, timeout=TIMEOUT, **kw)
    wanted = {want} if isinstance(want, int) else want
    if resp.status_code not in wanted:
        raise Failed(f"{method} {path} answered {resp.status_code}, wanted {sorted(wanted)}: {resp.text[:500]}")
    return resp.json() if resp.content else {}


def outbox(phone: str) -> list[dict]:
    """The codes the dev outbox holds for `phone`, newest first."""
    return api("GET", "/api/v1/dev/outbox", 200, params={"phone": phone})["items"]


# --- the citizen's browser -----------------------------------------------------


class Forms(HTMLParser):
    """The forms of a page (action, method, inputs) and its consent list."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.forms: list[dict] = []
        self.scopes: list[str] = []
        self.text: list[str] = []
        self._form: dict | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v or "" for k, v in attrs}
        if tag == "form":
            self._form = {"action": a.get("action", ""), "method": a.get("method", "get").lower(), "inputs": []}
            self.forms.append(self._form)
        elif tag == "input" and self._form is not None and a.get("name"):
            self._form["inputs"].append(
                {"name": a["name"], "value": a.get("value", ""), "type": a.get("type", "text").lower(), "checked": "checked" in a}
            )
        elif tag == "li" and "data-scope" in a:
            self.scopes.append(a["data-scope"])

    def handle_endtag(self, tag: str) -> None:
        if tag == "form":
            self._form = None

    def handle_data(self, data: str) -> None:
        self.text.append(data)


@dataclass
class Page:
    """One HTML answer of the provider, parsed."""

    resp: requests.Response
    parsed: Forms = field(init=False)

    def __post_init__(self) -> None:
        expect(
            self.resp.headers.get("content-type", "").startswith("text/html"),
            f"{self.resp.url} answered {self.resp.status_code} {self.resp.headers.get('content-type')}, not a page",
        )
        self.parsed = Forms()
        self.parsed.feed(self.resp.text)

    @property
    def text(self) -> str:
        return " ".join(" ".join(self.parsed.text).split())

    def form(self, step: str) -> dict | None:
        """The form whose hidden `step` field is `step`."""
        for f in self.parsed.forms:
            if any(i["name"] == "step" and i["value"] == step and i["type"] == "hidden" for i in f["inputs"]):
                return f
        return None

    def hidden(self, step: str) -> dict[str, str]:
        f = self.form(step)
        expect(f is not None, f"no {step} form on the page: {self.text[:300]}")
        return {i["name"]: i["value"] for i in f["inputs"] if i["type"] == "hidden"}


class Browser:
    """The citizen's browser: one cookie jar, forms submitted as shown."""

    def __init__(self) -> None:
        self.http = requests.Session()

    def get(self, url: str) -> requests.Response:
        return self.http.get(url, allow_redirects=False, timeout=TIMEOUT)

    def submit(self, page: Page, step: str, **typed: str) -> requests.Response:
        """Submits the page's `step` form: its hidden fields and checked
        radio buttons as the page has them, plus what the person typed."""
        form = page.form(step)
        expect(form is not None, f"no {step} form on the page: {page.text[:300]}")
        expect(form["method"] == "post", f"the {step} form is not a POST form")
        data: list[tuple[str, str]] = []
        for i in form["inputs"]:
            if i["name"] in typed:
                continue
            if i["type"] == "hidden" or (i["type"] in ("radio", "checkbox") and i["checked"]):
                data.append((i["name"], i["value"]))
        data.extend(typed.items())
        return self.http.post(urljoin(page.resp.url, form["action"]), data=data, allow_redirects=False, timeout=TIMEOUT)

    def has_login_cookie(self) -> bool:
        return any(c.name == "cds_sso" and c.value for c in self.http.cookies)


# --- the services --------------------------------------------------------------

@dataclass
class Service:
    """A registered city service: its registration and how it authenticates."""

    key: str
    name: str
    kind: str
    scopes: str
    auth_method: str
    client_id: str = ""
    client_secret: str | None = None
    private_key: ECKey | None = None

    @property
    def redirect_uri(self) -> str:
        # Nothing listens there: the browser's redirect is read, not followed.
        return f"http://127.0.0.1:9/{self.key}/callback"

    @property
    def logout_uri(self) -> str:
        return f"http://127.0.0.1:9/{self.key}/logged-out"

    def register(self) -> None:
        body = {
            "name": self.name,
            "kind": self.kind,
            "redirect_uris": [self.redirect_uri],
            "post_logout_redirect_uris": [self.logout_uri],
            "scopes": self.scopes,
            "purpose": f"Kiểm thử {self.name}",
            "client_uri": f"https://{self.key}.example.vn",
        }
        if self.auth_method == "private_key_jwt":
            self.private_key = ECKey.generate_key("P-256", private=True)
            body["jwk"] = self.private_key.as_dict(private=False)
        made = api("POST", "/api/v1/admin/clients", 201, ADMIN_TOKEN, json=body)
        self.client_id = made["client_id"]
        self.client_secret = made.get("client_secret")
        expect(made["kind"] == self.kind, f"registered as {made['kind']}, not {self.kind}")
        expect((self.client_secret is not None) == (self.kind == "confidential"), "a client secret iff confidential")

    def session(self, scope: str | None = None, secret: str | None = None) -> OAuth2Session:
        """An Authlib session for this service, authenticating as registered
        (`secret` overrides the registered secret)."""
        common = dict(
            scope=scope,
            redirect_uri=self.redirect_uri,
            code_challenge_method="S256",
            token_endpoint=META["token_endpoint"],
            default_timeout=TIMEOUT,
        )
        if self.auth_method == "private_key_jwt":
            rp = OAuth2Session(
                self.client_id,
                self.private_key,
                token_endpoint_auth_method="private_key_jwt",
                revocation_endpoint_auth_method="private_key_jwt",
                **common,
            )
            rp.register_client_auth_method(PrivateKeyJWT(META["token_endpoint"], alg="ES256"))
            return rp
        if self.auth_method == "none":
            return OAuth2Session(
                self.client_id, token_endpoint_auth_method="none", revocation_endpoint_auth_method="none", **common
            )
        return OAuth2Session(
            self.client_id,
            secret or self.client_secret,
            token_endpoint_auth_method=self.auth_method,
            revocation_endpoint_auth_method=self.auth_method,
            **common,
        )


@dataclass
class Login:
    """One authorization request of a service, from URL to tokens."""

    service: Service
    scope: str
    rp: OAuth2Session
    url: str
    state: str
    verifier: str
    nonce: str
    redirect: str = ""
    token: dict = field(default_factory=dict)
    claims: dict = field(default_factory=dict)


def start(service: Service, scope: str) -> Login:
    """The authorization URL, made by Authlib with PKCE S256, state, nonce."""
    rp = service.session(scope)
    verifier = generate_token(48)
    nonce = generate_token(20)
    url, state = rp.create_authorization_url(META["authorization_endpoint"], code_verifier=verifier, nonce=nonce)
    q = parse_qs(urlsplit(url).query)
    expect(q.get("code_challenge_method") == ["S256"], f"Authlib did not ask for S256: {url}")
    expect(q.get("nonce") == [nonce] and q.get("state") == [state], "nonce and state not in the URL")
    return Login(service, scope, rp, url, state, verifier, nonce)


def redirect_params(login: Login, resp: requests.Response) -> dict[str, str]:
    """The redirect back to the service: where it goes and what it carries."""
    expect(resp.status_code in (302, 303), f"expected a redirect back, got {resp.status_code}: {resp.text[:300]}")
    location = resp.headers["location"]
    expect(
        location.startswith(login.service.redirect_uri + "?"),
        f"redirected to {location}, not to the registered {login.service.redirect_uri}",
    )
    params = {k: v[0] for k, v in parse_qs(urlsplit(location).query).items()}
    # RFC 9207: the response names its issuer, as discovery promised.
    expect(params.get("iss") == META["issuer"], f"iss {params.get('iss')!r} in the response, not the issuer")
    login.redirect = location
    return params


def consent_page(login: Login, page: Page) -> None:
    """The consent page names this service and lists exactly what it asks."""
    asked = sorted(set(login.scope.split()) - {"openid"}) or ["openid"]
    expect(sorted(page.parsed.scopes) == asked, f"consent page lists {page.parsed.scopes}, the service asked {asked}")
    expect(login.service.name in page.text, f"consent page does not name {login.service.name}: {page.text[:300]}")
    expect(page.form("consent") is not None and page.form("deny") is not None, "no allow and deny forms")


def exchange(login: Login) -> dict:
    """Authlib parses the redirect (checking `state`) and redeems the code."""
    token = login.rp.fetch_token(
        META["token_endpoint"],
        authorization_response=login.redirect,
        state=login.state,
        code_verifier=login.verifier,
    )
    for name in ("access_token", "id_token", "refresh_token", "expires_in"):
        expect(name in token, f"no {name} in the token response: {sorted(token)}")
    expect(token["token_type"].lower() == "bearer", f"token_type {token['token_type']}")
    expect(set(token["scope"].split()) == set(login.scope.split()), f"granted {token['scope']}, asked {login.scope}")
    login.token = dict(token)
    return token


def id_token_claims(service: Service, token: dict, nonce: str | None) -> dict:
    """Validates the ID token as Authlib's OpenID client does
    (`OpenIDMixin.parse_id_token`): the signature against the JWKS named by
    discovery, ES256 only, then `CodeIDToken`'s checks, with `aud` also held
    to this client."""
    keys = KeySet.import_key_set(JWKS)
    decoded = jwt.decode(token["id_token"], keys, algorithms=["ES256"])
    expect(decoded.header.get("alg") == "ES256", f"ID token alg {decoded.header.get('alg')}")
    expect(decoded.header.get("kid") in {k["kid"] for k in JWKS["keys"]}, "ID token kid is not in the JWKS")
    params = {"client_id": service.client_id, "access_token": token["access_token"]}
    if nonce is not None:
        params["nonce"] = nonce
    claims = CodeIDToken(
        decoded.claims,
        decoded.header,
        {
            "iss": {"essential": True, "value": META["issuer"]},
            "aud": {"essential": True, "value": service.client_id},
        },
        params,
    )
    claims.validate(leeway=5)
    now = time.time()
    expect(claims["exp"] > now and claims["iat"] <= now + 5, f"ID token times iat={claims['iat']} exp={claims['exp']}")
    if nonce is not None:
        expect(claims.get("nonce") == nonce, "nonce not echoed")
    return dict(claims)


def userinfo(login: Login) -> requests.Response:
    return login.rp.get(META["userinfo_endpoint"])


# --- the scenario --------------------------------------------------------------

META: dict = {}
JWKS: dict = {}
S: dict = {}  # what later steps need from earlier ones

PORTAL = Service(
    "portal",
    "Cổng dịch vụ công Đà Nẵng",
    "confidential",
    "openid profile phone address level documents:birth_certificate documents:health_insurance",
    "client_secret_basic",
)
HOSPITAL = Service("hospital", "Bệnh viện Đà Nẵng", "confidential", "openid profile phone", "client_secret_post")
WARD = Service("ward", "Phường Hải Châu", "public", "openid profile", "none")
TAX = Service("tax", "Chi cục Thuế", "confidential", "openid phone level", "private_key_jwt")
SERVICES = (PORTAL, HOSPITAL, WARD, TAX)
BROWSER = Browser()


def step_discovery() -> None:
    """Discovery through Authlib's metadata models; every endpoint below is
    the one it names."""
    rp = OAuth2Session(default_timeout=TIMEOUT)
    url = discovery.get_well_known_url(BASE, external=True)
    resp = rp.get(url, withhold_token=True)
    expect(resp.status_code == 200, f"discovery answered {resp.status_code}")
    meta = discovery.OpenIDProviderMetadata(resp.json())
    # Every rule of Authlib's validator (OpenIDProviderMetadata.validate runs
    # this loop) but one: OIDC Discovery 1.0 §3 says RS256 MUST be among
    # id_token_signing_alg_values_supported, and the provider signs with
    # ES256 only, as issue 16 asks. That one deviation is asserted below,
    # so it stays visible.
    for key in meta.REGISTRY_KEYS:
        if key != "id_token_signing_alg_values_supported":
            getattr(meta, f"validate_{key}")()
    rpinitiated.OpenIDProviderMetadata(meta).validate_end_session_endpoint()
    expect(meta["issuer"] == BASE, f"issuer {meta['issuer']}, the app's public_base_url is {BASE}")
    expect("S256" in meta["code_challenge_methods_supported"], "S256 not offered")
    expect(meta["id_token_signing_alg_values_supported"] == ["ES256"], "ID tokens not ES256")
    for method in ("client_secret_basic", "client_secret_post", "private_key_jwt", "none"):
        expect(method in meta["token_endpoint_auth_methods_supported"], f"{method} not offered")
    META.update(meta)
    jwks = rp.get(meta["jwks_uri"], withhold_token=True)
    expect(jwks.status_code == 200, f"JWKS answered {jwks.status_code}")
    JWKS.update(jwks.json())
    KeySet.import_key_set(JWKS)
    for key in JWKS["keys"]:
        expect(key["kty"] == "EC" and key["crv"] == "P-256" and "d" not in key, f"JWKS holds {key}")


def step_setup() -> None:
    """The citizen logs in through the JSON API (a bearer token for the
    access log later) and gives a profile; an agency pushes a birth
    certificate into their vault; the admin registers the four services."""
    started = api("POST", "/api/v1/auth/otp", 202, json={"phone": PHONE, "channel": "sms"})
    code = outbox(PHONE)[0]["code"]
    done = api("POST", "/api/v1/auth/verify", 200, json={"challenge_id": started["challenge_id"], "code": code})
    S["citizen_token"] = done["token"]
    api("PATCH", "/api/v1/me", 200, S["citizen_token"], json=PROFILE)

    issuer = api("POST", "/api/v1/admin/issuers", 201, ADMIN_TOKEN, json={"code": "hcc-dn", "name": "Trung tâm Hành chính công"})
    pushed = api(
        "POST",
        "/api/v1/issuer/documents",
        201,
        issuer["api_key"],
        json={
            "citizen": {"phone": PHONE},
            "type": DOC_TYPE,
            "title": DOC_TITLE,
            "content_base64": base64.b64encode(PDF).decode(),
            "content_type": "application/pdf",
            "issued_at": "2024-03-01",
            "external_id": "KS-2024-000123",
        },
    )
    S["document_id"] = pushed["id"]
    for service in SERVICES:
        service.register()


def step_portal_login() -> None:
    """The portal (client_secret_basic) sends the browser to the provider:
    the phone page, the code page, the consent page, the redirect back."""
    login = start(PORTAL, f"openid phone documents:{DOC_TYPE}")
    phone_page = Page(BROWSER.get(login.url))
    expect(phone_page.resp.status_code == 200, f"authorize answered {phone_page.resp.status_code}")
    carried = phone_page.hidden("phone")
    for name in ("client_id", "redirect_uri", "state", "nonce", "code_challenge", "code_challenge_method", "scope"):
        expect(name in carried, f"the phone form does not carry {name}")
    expect(carried["state"] == login.state and carried["nonce"] == login.nonce, "the form changed state or nonce")
    code_page = Page(BROWSER.submit(phone_page, "phone", phone=PHONE_TYPED, channel="sms"))
    expect(code_page.resp.status_code == 200, f"the phone step answered {code_page.resp.status_code}: {code_page.text[:300]}")
    expect("challenge_id" in code_page.hidden("code"), "no challenge on the code page")
    sent = outbox(PHONE)
    S["codes_sent"] = len(sent)
    consent = Page(BROWSER.submit(code_page, "code", code=sent[0]["code"]))
    expect(consent.resp.status_code == 200, f"the code step answered {consent.resp.status_code}: {consent.text[:300]}")
    expect(BROWSER.has_login_cookie(), "no login cookie after a correct code")
    consent_page(login, consent)
    expect(PROFILE["full_name"] in consent.text, "the consent page does not say who is logged in")
    params = redirect_params(login, BROWSER.submit(consent, "consent"))
    expect(params.get("state") == login.state and "code" in params, f"redirect carries {sorted(params)}")
    S["portal"] = login


def step_portal_tokens() -> None:
    """Authlib redeems the code (client_secret_basic, PKCE verifier) and the
    ID token validates; the access token is an ES256 `at+jwt` for the
    portal."""
    login: Login = S["portal"]
    token = exchange(login)
    login.claims = id_token_claims(PORTAL, token, login.nonce)
    expect(login.claims.get("auth_time"), "no auth_time")
    access = jwt.decode(token["access_token"], KeySet.import_key_set(JWKS), algorithms=["ES256"])
    expect(access.header.get("typ") == "at+jwt", f"access token typ {access.header.get('typ')}")
    expect(access.claims.get("client_id") == PORTAL.client_id, "access token for another client")
    S["portal_first_token"] = dict(token)


def step_portal_userinfo() -> None:
    """UserInfo releases what was consented — the phone used to log in —
    and nothing of the profile, which the portal did not ask for."""
    login: Login = S["portal"]
    resp = userinfo(login)
    expect(resp.status_code == 200, f"userinfo answered {resp.status_code}: {resp.text[:300]}")
    info = resp.json()
    expect(info["sub"] == login.claims["sub"], "userinfo sub differs from the ID token's")
    expect(info.get("phone_number") == PHONE and info.get("phone_number_verified") is True, f"phone claims {info}")
    for absent in ("name", "birthdate", "gender", "address", "id_number", "level"):
        expect(absent not in info, f"{absent} released without being asked: {info}")


def step_portal_documents() -> None:
    """The consented document type is pulled with its bytes; a type the
    citizen did not consent to is 403 insufficient_scope."""
    login: Login = S["portal"]
    resp = login.rp.get(META["issuer"] + "/sso/documents", params={"type": DOC_TYPE})
    expect(resp.status_code == 200, f"document pull answered {resp.status_code}: {resp.text[:300]}")
    items = resp.json()["items"]
    expect([d["id"] for d in items] == [S["document_id"]], f"pulled {[d['id'] for d in items]}")
    doc = items[0]
    expect(doc["type"] == DOC_TYPE and doc["title"] == DOC_TITLE, f"document {doc['type']} {doc['title']}")
    expect(doc["content_type"] == "application/pdf" and doc["size"] == len(PDF), f"{doc['content_type']} {doc['size']}")
    expect(doc["sha256"] == hashlib.sha256(PDF).hexdigest(), "sha256 differs from the pushed bytes'")
    expect(base64.b64decode(doc["content_base64"]) == PDF, "content differs from the pushed bytes")
    expect(doc["issuer"]["name"] == "Trung tâm Hành chính công", f"issuer {doc['issuer']}")
    # Allowed for the portal, but not asked for in this login: no consent.
    refused = login.rp.get(META["issuer"] + "/sso/documents", params={"type": "health_insurance"})
    expect(refused.status_code == 403, f"an unconsented type answered {refused.status_code}")
    expect(refused.json().get("error") == "insufficient_scope", f"error {refused.text[:200]}")
    expect('error="insufficient_scope"' in refused.headers.get("www-authenticate", ""), "no WWW-Authenticate error")


def step_portal_refresh() -> None:
    """A wrong client secret is invalid_client; Authlib's refresh rotates
    the refresh token and the new tokens work."""
    login: Login = S["portal"]
    old = login.token["refresh_token"]
    wrong = PORTAL.session(login.scope, secret="not-the-secret")
    err = oauth_error(lambda: wrong.refresh_token(META["token_endpoint"], refresh_token=old))
    expect(err.error == "invalid_client", f"a wrong secret gave {err.error}")
    new = login.rp.refresh_token(META["token_endpoint"])
    expect(new["refresh_token"] != old, "the refresh token was not rotated")
    expect(new["access_token"] != login.token["access_token"], "no new access token")
    # OIDC Core §12.2: a refreshed ID token keeps iss, sub, aud, azp and the
    # original auth_time.
    claims = id_token_claims(PORTAL, new, None)
    for name in ("iss", "sub", "aud", "azp", "auth_time"):
        expect(claims.get(name) == login.claims.get(name), f"refreshed ID token's {name} changed")
    login.token = dict(new)
    resp = userinfo(login)
    expect(resp.status_code == 200, f"userinfo with the refreshed token answered {resp.status_code}")


def step_hospital_single_sign_on() -> None:
    """A second service in the same browser: no login page and no new code,
    but its own consent page; client_secret_post; its profile claims; a
    `sub` of its own (pairwise)."""
    login = start(HOSPITAL, "openid profile phone")
    consent = Page(BROWSER.get(login.url))
    expect(consent.resp.status_code == 200, f"authorize answered {consent.resp.status_code}")
    expect(consent.form("phone") is None and consent.form("code") is None, "asked to log in again")
    consent_page(login, consent)
    redirect_params(login, BROWSER.submit(consent, "consent"))
    expect(len(outbox(PHONE)) == S["codes_sent"], "a new one-time code was sent")
    token = exchange(login)
    login.claims = id_token_claims(HOSPITAL, token, login.nonce)
    expect(login.claims["sub"] != S["portal"].claims["sub"], "two services see the same sub")
    info = userinfo(login).json()
    expected = {
        "name": PROFILE["full_name"],
        "birthdate": PROFILE["date_of_birth"],
        "gender": PROFILE["gender"],
        "phone_number": PHONE,
    }
    for claim, value in expected.items():
        expect(info.get(claim) == value, f"{claim} is {info.get(claim)!r}, want {value!r}")
    expect("address" not in info, "address released without being asked")
    S["hospital"] = login


def step_hospital_code_replay() -> None:
    """The same code again is invalid_grant, and what the first exchange
    issued stops working."""
    login: Login = S["hospital"]
    err = oauth_error(
        lambda: login.rp.fetch_token(
            META["token_endpoint"],
            authorization_response=login.redirect,
            state=login.state,
            code_verifier=login.verifier,
        )
    )
    expect(err.error == "invalid_grant", f"a replayed code gave {err.error}")
    login.rp.token = login.token
    resp = userinfo(login)
    expect(resp.status_code == 401, f"the first exchange's access token still answers {resp.status_code}")


def step_ward_public_client() -> None:
    """A public client proves itself by PKCE alone."""
    login = start(WARD, "openid profile")
    consent = Page(BROWSER.get(login.url))
    consent_page(login, consent)
    redirect_params(login, BROWSER.submit(consent, "consent"))
    token = exchange(login)
    login.claims = id_token_claims(WARD, token, login.nonce)
    info = userinfo(login).json()
    expect(info.get("name") == PROFILE["full_name"], f"name {info.get('name')!r}")
    expect("phone_number" not in info, "phone released without being asked")
    S["ward"] = login


def step_tax_private_key_jwt() -> None:
    """private_key_jwt with an EC key whose public half was registered;
    `level` comes as the ID token's `acr`."""
    login = start(TAX, "openid phone level")
    consent = Page(BROWSER.get(login.url))
    consent_page(login, consent)
    redirect_params(login, BROWSER.submit(consent, "consent"))
    token = exchange(login)
    login.claims = id_token_claims(TAX, token, login.nonce)
    expect(login.claims.get("acr") == "provisional", f"acr {login.claims.get('acr')!r}")
    info = userinfo(login).json()
    expect(info.get("level") == "provisional" and info.get("phone_number") == PHONE, f"userinfo {info}")
    S["tax"] = login


def step_tax_refresh_reuse() -> None:
    """Refresh-token reuse: the used token is invalid_grant, and then so is
    the newest one — the whole family is revoked."""
    login: Login = S["tax"]
    first = login.token["refresh_token"]
    second = login.rp.refresh_token(META["token_endpoint"])["refresh_token"]
    expect(second != first, "the refresh token was not rotated")
    err = oauth_error(lambda: login.rp.refresh_token(META["token_endpoint"], refresh_token=first))
    expect(err.error == "invalid_grant", f"reusing a refresh token gave {err.error}")
    err = oauth_error(lambda: login.rp.refresh_token(META["token_endpoint"], refresh_token=second))
    expect(err.error == "invalid_grant", f"the newest refresh token after a reuse gave {err.error}")
    resp = userinfo(login)
    expect(resp.status_code == 401, f"the revoked family's access token still answers {resp.status_code}")


def step_portal_revocation() -> None:
    """RFC 7009 through Authlib: a revoked access token is refused by
    UserInfo; a revoked refresh token can no longer refresh."""
    login: Login = S["portal"]
    resp = login.rp.revoke_token(META["revocation_endpoint"], token=login.token["access_token"], token_type_hint="access_token")
    expect(resp.status_code == 200, f"revocation answered {resp.status_code}: {resp.text[:200]}")
    after = userinfo(login)
    expect(after.status_code == 401, f"userinfo after revocation answered {after.status_code}")
    expect('error="invalid_token"' in after.headers.get("www-authenticate", ""), "no invalid_token challenge")
    rt = login.token["refresh_token"]
    resp = login.rp.revoke_token(META["revocation_endpoint"], token=rt, token_type_hint="refresh_token")
    expect(resp.status_code == 200, f"refresh-token revocation answered {resp.status_code}")
    err = oauth_error(lambda: login.rp.refresh_token(META["token_endpoint"], refresh_token=rt))
    expect(err.error == "invalid_grant", f"a revoked refresh token gave {err.error}")


def step_logout() -> None:
    """While logged in, the portal gets a code straight away (consent
    remembered); RP-initiated logout with the ID token as hint returns to
    the registered URI with `state`; afterwards the same request shows the
    login page again."""
    again = start(PORTAL, S["portal"].scope)
    redirect_params(again, BROWSER.get(again.url))
    state = generate_token(16)
    url = add_params_to_uri(
        META["end_session_endpoint"],
        {
            "id_token_hint": S["portal_first_token"]["id_token"],
            "post_logout_redirect_uri": PORTAL.logout_uri,
            "state": state,
        },
    )
    resp = BROWSER.get(url)
    expect(resp.status_code == 302, f"logout answered {resp.status_code}: {resp.text[:300]}")
    expect(resp.headers["location"] == f"{PORTAL.logout_uri}?state={state}", f"logout went to {resp.headers['location']}")
    expect(not BROWSER.has_login_cookie(), "the login cookie survived logout")
    after = start(PORTAL, S["portal"].scope)
    page = Page(BROWSER.get(after.url))
    expect(page.resp.status_code == 200, f"authorize after logout answered {page.resp.status_code}")
    expect(page.form("phone") is not None, f"no login page after logout: {page.text[:300]}")


def step_connections() -> None:
    """The citizen sees the four services they let in."""
    items = api("GET", "/api/v1/me/connections", 200, S["citizen_token"])["items"]
    names = {c["client_id"]: c["name"] for c in items}
    for service in SERVICES:
        expect(names.get(service.client_id) == service.name, f"{service.name} not among connections {names}")


def step_access_log() -> None:
    """The citizen's access log shows every token issued, claim released
    and document pulled, with the service's name."""
    items: list[dict] = []
    cursor = None
    for _ in range(20):
        params = {"limit": 100}
        if cursor:
            params["cursor"] = cursor
        page = api("GET", "/api/v1/me/access-log", 200, S["citizen_token"], params=params)
        items.extend(page["items"])
        cursor = page.get("next_cursor")
        if not cursor:
            break
    def of(service: Service, event: str) -> list[dict]:
        return [
            i
            for i in items
            if i.get("event") == event
            and i.get("by", {}).get("kind") == "service"
            and i["by"].get("client_id") == service.client_id
        ]
    seen = sorted({i.get("event") for i in items})
    for service in SERVICES:
        issued = of(service, "sso_token_issued")
        expect(issued, f"no sso_token_issued by {service.name}; events seen: {seen}")
        expect(all(i["by"].get("name") == service.name for i in issued), f"token entries name {issued[0]['by']}")
    # The portal: the code exchange and one refresh.
    portal_tokens = of(PORTAL, "sso_token_issued")
    expect(len(portal_tokens) == 2, f"portal token entries: {portal_tokens}")
    expect(
        all(set((i.get("scope") or "").split()) == set(S["portal"].scope.split()) for i in portal_tokens),
        f"portal token entries' scopes: {[i.get('scope') for i in portal_tokens]}",
    )
    portal_claims = of(PORTAL, "sso_claims_released")
    expect(portal_claims, f"no sso_claims_released by the portal; events seen: {seen}")
    expect(
        set(portal_claims[-1].get("claims") or []) == {"phone_number", "phone_number_verified"},
        f"portal claims entry {portal_claims[-1]}",
    )
    hospital_claims = of(HOSPITAL, "sso_claims_released")
    expect(hospital_claims, f"no sso_claims_released by the hospital; events seen: {seen}")
    expect({"name", "birthdate", "gender", "phone_number"} <= set(hospital_claims[0].get("claims") or []), f"{hospital_claims[0]}")
    pulled = of(PORTAL, "sso_document_pulled")
    expect(len(pulled) == 1, f"document pulls by the portal: {pulled}; events seen: {seen}")
    expect(pulled[0]["by"].get("name") == PORTAL.name, f"pull entry names {pulled[0]['by']}")
    expect(
        (pulled[0].get("document") or {}).get("id") == S["document_id"]
        and pulled[0]["document"].get("title") == DOC_TITLE,
        f"pull entry document {pulled[0].get('document')}",
    )


STEPS = [
    step_discovery,
    step_setup,
    step_portal_login,
    step_portal_tokens,
    step_portal_userinfo,
    step_portal_documents,
    step_portal_refresh,
    step_hospital_single_sign_on,
    step_hospital_code_replay,
    step_ward_public_client,
    step_tax_private_key_jwt,
    step_tax_refresh_reuse,
    step_portal_revocation,
    step_logout,
    step_connections,
    step_access_log,
]


def main() -> int:
    passed = 0
    began = time.monotonic()
    for number, step in enumerate(STEPS):
        name = step.__name__.removeprefix("step_")
        t0 = time.monotonic()
        try:
            step()
        except Exception as err:  # noqa: BLE001 - any exception fails the step
            summary = " ".join((step.__doc__ or "").split("\n\n")[0].split())
            print(f"FAIL {name}: {summary}", flush=True)
            if isinstance(err, Failed):
                print(f"     {err}", flush=True)
            else:
                traceback.print_exc()
            left = len(STEPS) - number - 1
            if left:
                print(f"     ({left} later steps not run: each builds on the ones before)")
            print(f"oidc: {passed} passed, 1 failed")
            return 1
        passed += 1
        print(f"ok   {name} ({time.monotonic() - t0:.2f}s)", flush=True)
    print(f"all {passed} steps in {time.monotonic() - began:.1f}s")
    print(f"oidc: {passed} passed, 0 failed")
    return 0


if __name__ == "__main__":
    sys.exit(main())
