//! `GET`/`POST /sso/authorize`: the citizen's side of a login through the
//! platform — the phone and one-time-code pages (the identity rules of
//! docs/identity.md, through the same steps as `auth`), the consent page,
//! and the redirect back to the service with a code (docs/sso.md).

use cds_shared::audit::{action, Actor, Entry};
use cds_shared::component::Ctx;
use cds_shared::error::ApiError;
use cds_shared::http::{form_body, Response};
use cds_shared::identity::{authenticate, AuthError, Client, Principal, Purpose, StartRequest};
use cds_shared::lang::Lang;
use cds_shared::otp_flow::{self, send_code, verify_code};
use cds_shared::phone::Phone;
use cds_shared::sso::authorize::{
    form_token, form_token_matches, issue_code, parse_request, redirect_with, Approver,
    AuthRequest, Prompt, Refusal,
};
use cds_shared::sso::provider::Provider;
use cds_shared::sso::scope::ScopeSet;
use cds_shared::sso::store::consents;
use serde_json::json;

use crate::cookie;
use crate::html::{error_box, esc, hidden, page, t, who};
use crate::labels::scope_label;
use crate::pages::{error_page, html};

/// Who is logged in on this browser, if anyone.
struct Citizen {
    account_id: String,
    session_id: String,
    logged_in_at: i64,
    name: Option<String>,
    /// The account's phone, masked, for when it has no name yet.
    masked_phone: String,
}

/// The page's language: `lang` (the toggle), then the first of
/// `ui_locales` we speak, then `Accept-Language`.
fn lang_of(ctx: &Ctx<'_>, params: &[(String, String)]) -> Lang {
    let get = |name: &str| {
        params
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    };
    let pick = |tag: &str| match tag.split('-').next() {
        Some("vi") => Some(Lang::Vi),
        Some("en") => Some(Lang::En),
        _ => None,
    };
    get("lang")
        .and_then(pick)
        .or_else(|| get("ui_locales").and_then(|l| l.split(' ').find_map(pick)))
        .unwrap_or_else(|| ctx.req.lang())
}

/// Serves the endpoint for `GET` (a service sending the citizen here) and
/// `POST` (the forms of the pages).
pub fn authorize(ctx: &Ctx<'_>) -> Result<Response, ApiError> {
    let provider = Provider::from_settings(ctx.settings())?;
    let params = if ctx.req.method == "POST" {
        form_body(ctx.req)?
    } else {
        ctx.req.query.clone()
    };
    let lang = lang_of(ctx, &params);
    let req = match parse_request(ctx.sql()?, &params) {
        Ok(req) => req,
        Err(Refusal::Page(e)) => return Ok(error_page(ctx.req, lang, 400, &ApiError::from(e))),
        Err(Refusal::Redirect {
            redirect_uri,
            state,
            error,
            description,
        }) => {
            return Ok(back(
                &provider,
                &redirect_uri,
                state.as_deref(),
                &[("error", error), ("error_description", description)],
                ctx.req.method == "POST",
            ))
        }
        Err(Refusal::Store(e)) => return Err(e.into()),
    };
    let field = |name: &str| {
        params
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    };
    let flow = Flow {
        ctx,
        provider: &provider,
        req: &req,
        lang,
    };
    match (ctx.req.method.as_str(), field("step")) {
        ("GET", _) if field("challenge_id").is_some() => {
            flow.code_page_again(field("challenge_id").unwrap_or_default())
        }
        ("GET", _) => {
            let citizen = match req.prompt {
                Prompt::Login => None,
                _ => flow.citizen()?,
            };
            flow.proceed(citizen, false)
        }
        (_, Some("phone")) => flow.send(field("phone").unwrap_or_default(), field("channel")),
        (_, Some("code")) => flow.check_code(
            field("challenge_id").unwrap_or_default(),
            field("code").unwrap_or_default(),
        ),
        (_, Some("consent")) => flow.consent(field("form_token").unwrap_or_default(), true),
        (_, Some("deny")) => flow.consent(field("form_token").unwrap_or_default(), false),
        (_, Some("switch")) => flow.switch_account(),
        _ => Ok(flow.phone_page(200, None, "")),
    }
}

/// One authorization request on its way through the pages.
struct Flow<'a, 'c> {
    ctx: &'a Ctx<'c>,
    provider: &'a Provider,
    req: &'a AuthRequest,
    lang: Lang,
}

impl Flow<'_, '_> {
    /// The citizen of the browser's cookie, if the session is live.
    fn citizen(&self) -> Result<Option<Citizen>, ApiError> {
        let Some(token) = cookie::read(self.provider, self.ctx.req) else {
            return Ok(None);
        };
        let ports = self.ctx.ports()?;
        match authenticate(ports, token) {
            Ok(p) => Ok(Some(self.citizen_of(&p)?)),
            Err(AuthError::InvalidToken) => Ok(None),
            Err(e) => Err(e.into()),
        }
    }

    fn citizen_of(&self, p: &Principal) -> Result<Citizen, ApiError> {
        let account = cds_shared::identity::get_account(self.ctx.ports()?, &p.account_id)?;
        Ok(Citizen {
            account_id: p.account_id.clone(),
            session_id: p.session_id.clone(),
            logged_in_at: p.logged_in_at,
            masked_phone: account
                .as_ref()
                .map(|a| cds_shared::audit::mask_phone(&a.phone_e164))
                .unwrap_or_default(),
            name: account.and_then(|a| a.full_name),
        })
    }

    /// After login (or with a live session): the code straight away when
    /// the citizen already consented to everything asked, else the consent
    /// page. `prompt=none` never shows a page.
    fn proceed(&self, citizen: Option<Citizen>, fresh: bool) -> Result<Response, ApiError> {
        let Some(citizen) = citizen else {
            if self.req.prompt == Prompt::None {
                return Ok(self.refuse("login_required", "the citizen is not logged in", false));
            }
            return Ok(self.phone_page(200, None, ""));
        };
        let granted = consents::granted(self.ctx.sql()?, &citizen.account_id, &self.req.client.id)?;
        let missing = self.req.scopes.minus(&granted);
        let ask = !missing.is_empty() || self.req.prompt == Prompt::Consent;
        if !ask {
            return self.approve(&citizen, fresh);
        }
        if self.req.prompt == Prompt::None {
            return Ok(self.refuse("consent_required", "the citizen has not consented", false));
        }
        Ok(self.consent_page(&citizen, &granted))
    }

    /// Issues the code and sends the browser back to the service.
    fn approve(&self, citizen: &Citizen, posted: bool) -> Result<Response, ApiError> {
        let code = issue_code(
            self.ctx.ports()?,
            self.req,
            &Approver {
                account_id: &citizen.account_id,
                session_id: &citizen.session_id,
                auth_time: citizen.logged_in_at,
            },
        )?;
        Ok(back(
            self.provider,
            &self.req.redirect_uri,
            self.req.state.as_deref(),
            &[("code", &code)],
            posted,
        ))
    }

    fn refuse(&self, error: &str, description: &str, posted: bool) -> Response {
        back(
            self.provider,
            &self.req.redirect_uri,
            self.req.state.as_deref(),
            &[("error", error), ("error_description", description)],
            posted,
        )
    }

    /// The phone step's form was sent: a code goes out, the code page
    /// follows.
    fn send(&self, raw_phone: &str, channel: Option<&str>) -> Result<Response, ApiError> {
        let phone = match Phone::parse(raw_phone) {
            Ok(phone) => phone,
            Err(e) => {
                let e = ApiError::from(e);
                return Ok(self.phone_page(e.status(), Some(e.message(self.lang)), raw_phone));
            }
        };
        let channel = match channel {
            Some("zalo") => cds_shared::identity::Channel::Zalo,
            _ => cds_shared::identity::Channel::Sms,
        };
        let request = StartRequest {
            phone: phone.clone(),
            channel,
            purpose: Purpose::Login,
            client: Client::Web,
            origin: otp_flow::origin(self.ctx)?,
            full_name: None,
        };
        match send_code(self.ctx, &request) {
            Ok(started) => Ok(self.code_page(200, &started.challenge_id, &phone, None)),
            Err(e) if e.status() < 500 => {
                Ok(self.phone_page(e.status(), Some(e.message(self.lang)), raw_phone))
            }
            Err(e) => Err(e),
        }
    }

    /// The code step's form was sent: a correct code opens a platform
    /// session, kept in the cookie, and the flow goes on.
    fn check_code(&self, challenge_id: &str, code: &str) -> Result<Response, ApiError> {
        let done = match verify_code(self.ctx, challenge_id, code.trim()) {
            Ok(done) => done,
            Err(e) if e.status() < 500 => {
                let phone = cds_shared::identity::challenge_phone(self.ctx.ports()?, challenge_id)
                    .ok()
                    .flatten()
                    .and_then(|p| Phone::parse(&p).ok());
                // A challenge that can take no more tries sends the citizen
                // back to ask for a new code; a wrong guess stays here.
                return Ok(match (e.code(), phone) {
                    ("otp_invalid", Some(phone)) => {
                        let left = e.fields().get("attempts_left").and_then(|n| n.as_u64());
                        let text = match (left, self.lang) {
                            (Some(n), Lang::Vi) => {
                                format!("{} Bạn còn {n} lần thử.", e.message(self.lang))
                            }
                            (Some(n), Lang::En) => {
                                format!("{} {n} tries left.", e.message(self.lang))
                            }
                            (None, _) => e.message(self.lang).to_owned(),
                        };
                        self.code_page(e.status(), challenge_id, &phone, Some(&text))
                    }
                    _ => self.phone_page(e.status(), Some(e.message(self.lang)), ""),
                });
            }
            Err(e) => return Err(e),
        };
        let now = self.ctx.clock().now();
        let citizen = Citizen {
            account_id: done.account.id.clone(),
            session_id: done.session.id.clone(),
            logged_in_at: now,
            name: done.account.full_name.clone(),
            masked_phone: cds_shared::audit::mask_phone(&done.account.phone_e164),
        };
        let max_age = (done.session.absolute_expires_at - now).max(0);
        let resp = self.proceed(Some(citizen), true)?;
        Ok(cookie::set(
            self.provider,
            resp,
            &done.session.token,
            max_age,
        ))
    }

    /// The consent page's form: approve (consent remembered, code issued)
    /// or deny (`access_denied`). Either needs the live session and the
    /// form token of the page that session was shown.
    fn consent(&self, presented: &str, approve: bool) -> Result<Response, ApiError> {
        let Some(citizen) = self.citizen()? else {
            return Ok(self.phone_page(401, Some(self.expired_text()), ""));
        };
        if !form_token_matches(
            &self.provider.subject_secret,
            &citizen.session_id,
            self.req,
            presented,
        ) {
            let e = ApiError::Denied {
                code: "invalid_request",
            };
            return Ok(error_page(self.ctx.req, self.lang, 403, &e));
        }
        if !approve {
            return Ok(self.refuse("access_denied", "the citizen declined", true));
        }
        let ports = self.ctx.ports()?;
        consents::grant(
            ports.sql,
            &citizen.account_id,
            &self.req.client.id,
            &self.req.scopes,
            ports.clock.now(),
        )?;
        self.ctx.audit(
            Entry::new(
                Actor::Citizen(citizen.account_id.clone()),
                action::SSO_CONSENT_GIVEN,
            )
            .about(citizen.account_id.clone())
            .detail(json!({
                "client_id": self.req.client.id,
                "client_name": self.req.client.name,
                "scope": self.req.scopes.to_string(),
            })),
        );
        self.approve(&citizen, true)
    }

    /// "Not you?": ends the browser's session and asks for a phone again.
    fn switch_account(&self) -> Result<Response, ApiError> {
        if let Some(token) = cookie::read(self.provider, self.ctx.req) {
            cds_shared::identity::logout(self.ctx.ports()?, token)?;
        }
        Ok(cookie::clear(self.provider, self.phone_page(200, None, "")))
    }

    fn expired_text(&self) -> &'static str {
        t(
            self.lang,
            "Phiên đăng nhập đã hết hạn. Vui lòng đăng nhập lại.",
            "Your session has expired. Please log in again.",
        )
    }

    /// The code page of a challenge again (its language toggle is a link):
    /// only the masked phone is shown, and a challenge that is not a login
    /// or sign-up one, or unknown, gives the phone page.
    fn code_page_again(&self, challenge_id: &str) -> Result<Response, ApiError> {
        let phone = cds_shared::identity::challenge_phone(self.ctx.ports()?, challenge_id)?
            .and_then(|p| Phone::parse(&p).ok());
        Ok(match phone {
            Some(phone) => self.code_page(200, challenge_id, &phone, None),
            None => self.phone_page(200, None, ""),
        })
    }

    /// The authorize URL of this request in the other language.
    fn toggle(&self) -> String {
        self.toggle_with(&[])
    }

    /// [`Self::toggle`] with `extra` parameters.
    fn toggle_with(&self, extra: &[(&str, &str)]) -> String {
        let other = match self.lang {
            Lang::Vi => "en",
            Lang::En => "vi",
        };
        let params = self.req.params();
        let mut pairs: Vec<(&str, &str)> = params.iter().map(|(k, v)| (*k, v.as_str())).collect();
        pairs.extend_from_slice(extra);
        pairs.push(("lang", other));
        redirect_with("/sso/authorize", &pairs)
    }

    fn form_start(&self, step: &str) -> String {
        let mut fields = self.req.params();
        fields.push(("lang", crate::html::lang_code(self.lang).to_owned()));
        fields.push(("step", step.to_owned()));
        format!(
            "<form method=\"post\" action=\"/sso/authorize\">{}",
            hidden(&fields)
        )
    }

    fn heading(&self) -> String {
        let c = &self.req.client;
        who(&c.name, c.logo_uri.as_deref(), c.client_uri.as_deref())
    }

    fn phone_page(&self, status: u16, error: Option<&str>, phone: &str) -> Response {
        let l = self.lang;
        let body = format!(
            "{who}<h1>{title}</h1>{error}<p class=\"note\">{why}</p>{form}\
<label for=\"phone\">{phone_label}</label><p class=\"hint\" id=\"phone-hint\">{example}</p>\
<input id=\"phone\" name=\"phone\" type=\"tel\" inputmode=\"tel\" autocomplete=\"tel\" required value=\"{phone}\" aria-describedby=\"phone-hint\">\
<fieldset class=\"choices\"><legend>{channel}</legend>\
<label><input type=\"radio\" name=\"channel\" value=\"sms\" checked> SMS</label>\
<label><input type=\"radio\" name=\"channel\" value=\"zalo\"> Zalo</label></fieldset>\
<button type=\"submit\">{send}</button></form>",
            who = self.heading(),
            title = t(l, "Đăng nhập bằng Công dân số", "Log in with Digital Citizen"),
            error = error_box(error),
            why = t(
                l,
                "Dịch vụ này dùng tài khoản Công dân số của bạn. Nhập số điện thoại để nhận mã xác thực dùng một lần.",
                "This service uses your Digital Citizen account. Enter your phone number to get a one-time code.",
            ),
            form = self.form_start("phone"),
            phone_label = t(l, "Số điện thoại", "Phone number"),
            example = t(l, "Ví dụ: 0912 345 678", "For example: 0912 345 678"),
            phone = esc(phone),
            channel = t(l, "Nhận mã qua", "Get the code by"),
            send = t(l, "Gửi mã", "Send code"),
        );
        html(
            status,
            page(l, t(l, "Đăng nhập", "Log in"), &self.toggle(), &body),
        )
    }

    fn code_page(
        &self,
        status: u16,
        challenge_id: &str,
        phone: &Phone,
        error: Option<&str>,
    ) -> Response {
        let l = self.lang;
        let masked = cds_shared::audit::mask_phone(phone.as_e164());
        let body = format!(
            "{who}<h1>{title}</h1>{error}<p class=\"note\">{sent} <strong>{masked}</strong>.</p>{form}\
<input type=\"hidden\" name=\"challenge_id\" value=\"{challenge}\">\
<label for=\"code\">{code_label}</label>\
<input id=\"code\" name=\"code\" type=\"text\" inputmode=\"numeric\" autocomplete=\"one-time-code\" pattern=\"[0-9]*\" maxlength=\"6\" required autofocus>\
<button type=\"submit\">{go}</button></form>",
            who = self.heading(),
            title = t(l, "Nhập mã xác thực", "Enter your code"),
            error = error_box(error),
            sent = t(l, "Mã gồm 6 chữ số đã được gửi đến", "A 6-digit code was sent to"),
            masked = esc(&masked),
            form = self.form_start("code"),
            challenge = esc(challenge_id),
            code_label = t(l, "Mã xác thực", "Code"),
            go = t(l, "Tiếp tục", "Continue"),
        );
        html(
            status,
            page(
                l,
                t(l, "Nhập mã", "Enter code"),
                &self.toggle_with(&[("challenge_id", challenge_id)]),
                &body,
            ),
        )
    }

    fn consent_page(&self, citizen: &Citizen, granted: &ScopeSet) -> Response {
        let l = self.lang;
        let token = form_token(&self.provider.subject_secret, &citizen.session_id, self.req);
        let items: String = self
            .req
            .scopes
            .iter()
            .filter_map(|s| {
                let label = scope_label(l, s)?;
                let remembered = if granted.contains(s) {
                    t(l, " (đã đồng ý trước đây)", " (agreed before)")
                } else {
                    ""
                };
                Some(format!(
                    "<li data-scope=\"{}\">{}{remembered}</li>",
                    esc(&s.to_string()),
                    esc(&label)
                ))
            })
            .collect();
        let items = if items.is_empty() {
            format!(
                "<li data-scope=\"openid\">{}</li>",
                t(
                    l,
                    "Chỉ xác nhận bạn là ai (không kèm thông tin cá nhân)",
                    "Only who you are (no personal details)"
                )
            )
        } else {
            items
        };
        // Who is logged in: by name when the account has one (a fresh
        // account has none yet), else only that someone is.
        let logged_as = match citizen.name.as_deref() {
            Some(n) => format!(
                "{} <strong>{}</strong>.",
                t(l, "Bạn đang đăng nhập là", "You are logged in as"),
                esc(n)
            ),
            None if !citizen.masked_phone.is_empty() => format!(
                "{} <strong>{}</strong>.",
                t(
                    l,
                    "Bạn đang đăng nhập bằng số điện thoại",
                    "You are logged in with the phone number"
                ),
                esc(&citizen.masked_phone)
            ),
            None => t(
                l,
                "Bạn đang đăng nhập Công dân số trên trình duyệt này.",
                "You are logged in to Digital Citizen in this browser.",
            )
            .to_owned(),
        };
        let body = format!(
            "{who}<h1>{title}</h1>\
<p>{asks}</p><ul class=\"claims\">{items}</ul>\
<p class=\"note\"><strong>{why_label}</strong> {purpose}</p>\
<p class=\"note\">{revoke}</p>\
<div class=\"actions\">{form_ok}<input type=\"hidden\" name=\"form_token\" value=\"{token}\"><button type=\"submit\">{allow}</button></form>\
{form_no}<input type=\"hidden\" name=\"form_token\" value=\"{token}\"><button type=\"submit\" class=\"secondary\">{deny}</button></form></div>\
<p class=\"note\">{logged_as}</p>{form_switch}<button type=\"submit\" class=\"secondary\">{switch}</button></form>",
            who = self.heading(),
            title = t(l, "Cho phép chia sẻ thông tin?", "Share your information?"),
            asks = t(
                l,
                "Dịch vụ này muốn dùng tài khoản Công dân số của bạn để đăng nhập và xem:",
                "This service wants to log you in with your Digital Citizen account and see:",
            ),
            why_label = t(l, "Mục đích:", "Why:"),
            purpose = esc(&self.req.client.purpose),
            revoke = t(
                l,
                "Bạn có thể xem và thu hồi quyền này bất cứ lúc nào trong mục Kết nối dịch vụ. Mỗi lần dịch vụ lấy thông tin đều được ghi vào nhật ký truy cập của bạn.",
                "You can see and withdraw this at any time under Connected services. Every time the service reads your information it appears in your access log.",
            ),
            form_ok = self.form_start("consent"),
            form_no = self.form_start("deny"),
            form_switch = self.form_start("switch"),
            token = esc(&token),
            allow = t(l, "Đồng ý", "Allow"),
            deny = t(l, "Từ chối", "Deny"),
            switch = t(l, "Không phải bạn? Đăng nhập tài khoản khác", "Not you? Use another account"),
        );
        html(
            200,
            page(
                l,
                t(l, "Chia sẻ thông tin", "Consent"),
                &self.toggle(),
                &body,
            ),
        )
    }
}

/// The redirect back to the service: 303 after a form, 302 otherwise, with
/// `state` and `iss` (RFC 9207).
fn back(
    provider: &Provider,
    redirect_uri: &str,
    state: Option<&str>,
    params: &[(&str, &str)],
    posted: bool,
) -> Response {
    let mut all: Vec<(&str, &str)> = params.to_vec();
    if let Some(state) = state {
        all.push(("state", state));
    }
    all.push(("iss", &provider.issuer));
    let location = redirect_with(redirect_uri, &all);
    Response::bytes(
        if posted { 303 } else { 302 },
        "text/plain; charset=utf-8",
        Vec::new(),
    )
    .with_header("location", &location)
    .no_store()
}
