//! The demo data (docs/settings.md) and the steps that create it through the public
//! API. Each step is idempotent: a second run finds everything in place.
//!
//! To add demo data (documents, appointment slots…), write one more
//! `fn(&Seeder) -> Result<()>` and list it in [`STEPS`] after what it needs;
//! a step that needs the issuer's key reads it with [`Seeder::issuer_key`].

use std::io::Write;
use std::path::{Path, PathBuf};

use std::cell::RefCell;
use std::collections::HashMap;

use anyhow::{Context, Result};
use serde_json::json;

use crate::api::{unexpected, Api, Outcome};

/// Units: (code, name).
pub const UNITS: &[(&str, &str)] = &[
    ("ubnd-hai-chau", "UBND quận Hải Châu"),
    ("benh-vien-da-nang", "Bệnh viện Đà Nẵng"),
    ("so-tnmt", "Sở Tài nguyên và Môi trường"),
    ("so-gtvt", "Sở Giao thông Vận tải"),
    ("so-y-te", "Sở Y tế"),
    ("so-gd-dt", "Sở Giáo dục và Đào tạo"),
    ("trung-tam-hcc", "Trung tâm Hành chính công"),
];

/// A demo person who logs in with a one-time code.
pub struct Person {
    pub phone: &'static str,
    pub full_name: &'static str,
    /// The official's unit; `None` for the citizen.
    pub unit: Option<&'static str>,
}

pub const OFFICIALS: &[Person] = &[
    Person {
        phone: "+84905000001",
        full_name: "Trần Thị Bình",
        unit: Some("ubnd-hai-chau"),
    },
    Person {
        phone: "+84905000002",
        full_name: "Lê Văn Cường",
        unit: Some("benh-vien-da-nang"),
    },
    Person {
        phone: "+84905000003",
        full_name: "Phạm Thị Dung",
        unit: Some("trung-tam-hcc"),
    },
];

pub const CITIZEN: Person = Person {
    phone: "+84905123456",
    full_name: "Nguyễn Văn An",
    unit: None,
};

/// The demo issuer agency: (code, name).
pub const ISSUER: (&str, &str) = ("so-tu-phap", "Sở Tư pháp thành phố Đà Nẵng");

/// Where the demo issuer's key is kept, inside the state dir.
pub const ISSUER_KEY_FILE: &str = "demo-issuer-key";

/// Services: (code, name, kind, unit, address).
pub const SERVICES: &[(&str, &str, &str, &str, &str)] = &[
    (
        "kham-noi",
        "Khám nội tổng quát",
        "health",
        "benh-vien-da-nang",
        "124 Hải Phòng, Thạch Thang, Hải Châu, Đà Nẵng",
    ),
    (
        "cap-cccd",
        "Cấp, đổi thẻ Căn cước công dân",
        "public_service",
        "trung-tam-hcc",
        "24 Trần Phú, Thạch Thang, Hải Châu, Đà Nẵng",
    ),
];

/// The seven feedback categories of docs/feedback.md: (code, name, handling unit).
pub const CATEGORIES: &[(&str, &str, &str)] = &[
    ("environment", "Môi trường", "so-tnmt"),
    ("traffic", "Giao thông", "so-gtvt"),
    ("urban-order", "Trật tự đô thị", "ubnd-hai-chau"),
    ("public-services", "Dịch vụ công", "trung-tam-hcc"),
    ("health", "Y tế", "so-y-te"),
    ("education", "Giáo dục", "so-gd-dt"),
    ("other", "Khác", "trung-tam-hcc"),
];

/// What every step gets.
pub struct Seeder<'a> {
    pub api: &'a Api,
    pub state_dir: &'a Path,
    /// Officials' sessions, one per phone for the whole run: a second login
    /// of the same phone would hit the one-time code resend cooldown.
    sessions: RefCell<HashMap<String, String>>,
}

impl<'a> Seeder<'a> {
    pub fn new(api: &'a Api, state_dir: &'a Path) -> Self {
        Self {
            api,
            state_dir,
            sessions: RefCell::new(HashMap::new()),
        }
    }

    /// A session for `phone`, logging it in by one-time code through the dev
    /// outbox the first time. `None` (with a note naming `what`) when that
    /// cannot happen now: codes rate-limited for this phone, or login / the
    /// outbox not available.
    pub fn session(&self, phone: &str, what: &str) -> Result<Option<String>> {
        if let Some(token) = self.sessions.borrow().get(phone) {
            return Ok(Some(token.clone()));
        }
        let token = log_in(self, phone, what)?;
        if let Some(t) = &token {
            self.sessions
                .borrow_mut()
                .insert(phone.to_owned(), t.clone());
        }
        Ok(token)
    }

    /// Ends every session the run opened (best effort).
    pub fn log_out_all(&self) {
        for token in self.sessions.borrow_mut().drain().map(|(_, t)| t) {
            let _ = self
                .api
                .post("/api/v1/auth/logout", &json!({}), Some(&token));
        }
    }

    pub fn issuer_key_path(&self) -> PathBuf {
        self.state_dir.join(ISSUER_KEY_FILE)
    }

    /// The demo issuer's API key, if a run that created the issuer saved it.
    pub fn issuer_key(&self) -> Result<Option<String>> {
        match std::fs::read_to_string(self.issuer_key_path()) {
            Ok(k) => Ok(Some(k.trim().to_owned())),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
            Err(e) => Err(e).context("reading the demo issuer key"),
        }
    }
}

pub type Step = fn(&Seeder<'_>) -> Result<()>;

/// The steps, in dependency order.
pub const STEPS: &[(&str, Step)] = &[
    ("units", units),
    ("officials", officials),
    ("issuer", issuer),
    ("services", services),
    ("feedback categories", categories),
    ("appointment slots", crate::appointments::slots),
    ("demo citizen", citizen),
    ("demo documents", crate::documents::documents),
    ("flood alert", crate::alerts::flood),
];

fn report(what: &str, outcome: &Outcome) {
    let how = match outcome {
        Outcome::Created(_) => "created",
        Outcome::Unchanged | Outcome::Exists => "already there",
    };
    println!("  {what}: {how}");
}

fn units(s: &Seeder<'_>) -> Result<()> {
    for (code, name) in UNITS {
        let outcome = s
            .api
            .admin_create("/api/v1/admin/units", &json!({"code": code, "name": name}))?;
        report(&format!("unit {code}"), &outcome);
    }
    Ok(())
}

fn officials(s: &Seeder<'_>) -> Result<()> {
    for p in OFFICIALS {
        let body = json!({"phone": p.phone, "full_name": p.full_name, "unit": p.unit});
        let outcome = s.api.admin_create("/api/v1/admin/officials", &body)?;
        report(&format!("official {}", p.phone), &outcome);
    }
    Ok(())
}

fn issuer(s: &Seeder<'_>) -> Result<()> {
    let (code, name) = ISSUER;
    let path = s.issuer_key_path();
    // Asked for explicitly (it is also the default): the demo issuer pushes
    // documents and nothing else — no Open311 posting (docs/admin.md).
    let body = json!({"code": code, "name": name, "scopes": ["documents"]});
    match s.api.admin_create("/api/v1/admin/issuers", &body)? {
        Outcome::Created(body) => {
            let key = body["api_key"]
                .as_str()
                .context("the issuer reply has no api_key")?;
            write_secret(&path, key)?;
            // The key itself is never printed: only where it is.
            println!(
                "  issuer {code}: created, API key saved to {} (mode 0600)",
                path.display()
            );
        }
        Outcome::Unchanged | Outcome::Exists if path.exists() => {
            println!(
                "  issuer {code}: already there, API key in {}",
                path.display()
            );
        }
        Outcome::Unchanged | Outcome::Exists => {
            println!(
                "  issuer {code}: already there, but its key (shown once) is not in {}; \
                 start from a fresh state dir to get a new one",
                path.display()
            );
        }
    }
    Ok(())
}

/// Writes `secret` to `path` readable by the owner only, replacing any old
/// file in one rename so a reader never sees half a key.
fn write_secret(path: &Path, secret: &str) -> Result<()> {
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir).with_context(|| format!("creating {}", dir.display()))?;
    }
    let tmp = path.with_extension("tmp");
    let _ = std::fs::remove_file(&tmp);
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    let mut file = options
        .open(&tmp)
        .with_context(|| format!("creating {}", tmp.display()))?;
    file.write_all(format!("{secret}\n").as_bytes())
        .and_then(|()| file.sync_all())
        .with_context(|| format!("writing {}", tmp.display()))?;
    std::fs::rename(&tmp, path).with_context(|| format!("moving the key to {}", path.display()))
}

fn services(s: &Seeder<'_>) -> Result<()> {
    for (code, name, kind, unit, address) in SERVICES {
        let body =
            json!({"code": code, "name": name, "kind": kind, "unit": unit, "address": address});
        let outcome = s.api.admin_create("/api/v1/admin/services", &body)?;
        report(&format!("service {code}"), &outcome);
    }
    Ok(())
}

fn categories(s: &Seeder<'_>) -> Result<()> {
    for (code, name, unit) in CATEGORIES {
        let body = json!({"code": code, "name": name, "unit": unit});
        let outcome = s
            .api
            .admin_create("/api/v1/admin/feedback-categories", &body)?;
        report(&format!("feedback category {code}"), &outcome);
    }
    Ok(())
}

/// Signs the demo citizen up like a person would, reading the one-time code
/// from the development outbox (docs/settings.md). Skipped, not failed, while the
/// sign-up component or the outbox is not deployed, or when the phone's code
/// quota says a recent run already did it.
fn citizen(s: &Seeder<'_>) -> Result<()> {
    let p = &CITIZEN;
    let started = s.api.post(
        "/api/v1/signup",
        &json!({"phone": p.phone, "channel": "sms", "full_name": p.full_name}),
        None,
    )?;
    match started.status {
        202 => {}
        404 | 405 => {
            println!(
                "  citizen {}: skipped, sign-up is not deployed yet",
                p.phone
            );
            return Ok(());
        }
        429 => {
            println!(
                "  citizen {}: skipped, codes for this phone are rate limited (a recent run probably signed it up already)",
                p.phone
            );
            return Ok(());
        }
        _ => return Err(unexpected("POST /api/v1/signup", &started)),
    }
    let challenge_id = started.body["challenge_id"]
        .as_str()
        .context("sign-up reply has no challenge_id")?;

    let outbox = s.api.get(&outbox_path(p.phone))?;
    if outbox.status == 404 {
        println!(
            "  citizen {}: skipped, the dev outbox is not available (dev_mode off?)",
            p.phone
        );
        return Ok(());
    }
    if outbox.status != 200 {
        return Err(unexpected("GET /api/v1/dev/outbox", &outbox));
    }
    // Newest first: the code just sent.
    let code = outbox.body["items"][0]["code"]
        .as_str()
        .context("the dev outbox holds no code for the demo citizen")?;

    let verified = s.api.post(
        "/api/v1/signup/verify",
        &json!({"challenge_id": challenge_id, "code": code}),
        None,
    )?;
    if !(200..300).contains(&verified.status) {
        return Err(unexpected("POST /api/v1/signup/verify", &verified));
    }
    let level = verified.body["citizen"]["level"].as_str().unwrap_or("?");
    println!("  citizen {}: ready ({level})", p.phone);
    // The seeder needs no session: end the one sign-up opened (best effort,
    // `auth` may not be deployed yet).
    if let Some(token) = verified.body["session"]["token"].as_str() {
        crate::documents::fill_profile(s, token)?;
        crate::feedback::reports(s, token)?;
        let _ = s.api.post("/api/v1/auth/logout", &json!({}), Some(token));
    }
    Ok(())
}

/// `/api/v1/dev/outbox?phone=%2B84…` — the `+` must be escaped in a query.
pub fn outbox_path(phone: &str) -> String {
    format!("/api/v1/dev/outbox?phone={}", phone.replace('+', "%2B"))
}

/// Logs an official in by one-time code through the dev outbox. `None`
/// (with a note) when that cannot happen now: codes rate-limited for this
/// phone, or login / the outbox not available.
fn log_in(s: &Seeder<'_>, phone: &str, what: &str) -> Result<Option<String>> {
    let started = s.api.post(
        "/api/v1/auth/otp",
        &json!({"phone": phone, "channel": "sms"}),
        None,
    )?;
    match started.status {
        202 => {}
        429 => {
            println!("  {what}: skipped, codes for {phone} are rate limited; run again later");
            return Ok(None);
        }
        404 | 405 => {
            println!("  {what}: skipped, login is not deployed yet");
            return Ok(None);
        }
        _ => return Err(unexpected("POST /api/v1/auth/otp", &started)),
    }
    let challenge_id = started.body["challenge_id"]
        .as_str()
        .context("login reply has no challenge_id")?;
    let outbox = s.api.get(&outbox_path(phone))?;
    if outbox.status != 200 {
        println!("  {what}: skipped, the dev outbox is not available (dev_mode off?)");
        return Ok(None);
    }
    let code = outbox.body["items"][0]["code"]
        .as_str()
        .context("the dev outbox holds no code for the official")?;
    let verified = s.api.post(
        "/api/v1/auth/verify",
        &json!({"challenge_id": challenge_id, "code": code}),
        None,
    )?;
    if verified.status != 200 {
        return Err(unexpected("POST /api/v1/auth/verify", &verified));
    }
    let token = verified.body["token"]
        .as_str()
        .context("login reply has no token")?;
    Ok(Some(token.to_owned()))
}
