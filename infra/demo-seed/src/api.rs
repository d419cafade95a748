//! A small blocking client for the app's public HTTP API, as the seeder uses
//! it: wait for health, create things idempotently, read replies.

use std::time::{Duration, Instant};

use anyhow::{anyhow, bail, Context, Result};
use reqwest::blocking::{Client, RequestBuilder};
use serde_json::Value;

/// How often the health check is retried while the app starts.
const HEALTH_POLL: Duration = Duration::from_millis(250);

/// One request's time budget; the app answers in milliseconds when up.
const REQUEST_TIMEOUT: Duration = Duration::from_secs(15);

/// The app at `base`, with the admin token for `/api/v1/admin/…`.
pub struct Api {
    client: Client,
    base: String,
    admin_token: String,
}

/// A reply, read fully.
pub struct Reply {
    pub status: u16,
    /// `Null` when the body is empty or not JSON.
    pub body: Value,
}

impl Reply {
    /// The docs/api.md error code, or `""`.
    pub fn error_code(&self) -> &str {
        self.body["error"]["code"].as_str().unwrap_or_default()
    }

    /// `status code {fields}` for error messages. Error bodies carry only
    /// codes and client-safe field notes, never secrets.
    fn describe(&self) -> String {
        let fields = &self.body["error"]["fields"];
        match fields {
            Value::Null => format!("{} {}", self.status, self.error_code()),
            f => format!("{} {} {f}", self.status, self.error_code()),
        }
    }
}

/// What an idempotent create found.
pub enum Outcome {
    /// Made now (201); the reply body.
    Created(Value),
    /// Already exactly so (200): nothing changed.
    Unchanged,
    /// The code was taken (409): made by an earlier run.
    Exists,
}

impl Api {
    pub fn new(base: &str, admin_token: &str) -> Result<Api> {
        let client = Client::builder()
            .timeout(REQUEST_TIMEOUT)
            .build()
            .context("building the HTTP client")?;
        Ok(Api {
            client,
            base: base.trim_end_matches('/').to_owned(),
            admin_token: admin_token.to_owned(),
        })
    }

    /// The absolute URL of `path` (which starts with `/`).
    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    /// Polls `GET /api/v1/health` until it answers 200, for at most `within`.
    /// The app is another process that may still be compiling components, so
    /// polling against a deadline is the only signal there is.
    pub fn wait_healthy(&self, within: Duration) -> Result<()> {
        let deadline = Instant::now() + within;
        let url = self.url("/api/v1/health");
        loop {
            let last = match self.client.get(&url).send() {
                Ok(r) if r.status().as_u16() == 200 => return Ok(()),
                Ok(r) => format!("status {}", r.status().as_u16()),
                Err(e) => e.to_string(),
            };
            if Instant::now() >= deadline {
                bail!(
                    "{url} did not answer 200 within {} s (last: {last})",
                    within.as_secs()
                );
            }
            std::thread::sleep(HEALTH_POLL);
        }
    }

    /// `POST` an admin create: 201 → `Created`, 200 → `Unchanged`, 409 →
    /// `Exists`, anything else is an error.
    pub fn admin_create(&self, path: &str, body: &Value) -> Result<Outcome> {
        let reply = self.send(
            self.client
                .post(self.url(path))
                .bearer_auth(&self.admin_token)
                .json(body),
        )?;
        match reply.status {
            201 => Ok(Outcome::Created(reply.body)),
            200 => Ok(Outcome::Unchanged),
            409 => Ok(Outcome::Exists),
            _ => Err(anyhow!("POST {path}: {}", reply.describe())),
        }
    }

    /// `POST` JSON with the admin token; the reply as it is.
    pub fn admin_post(&self, path: &str, body: &Value) -> Result<Reply> {
        self.post(path, body, Some(self.admin_token.as_str()))
    }

    /// `POST` JSON, with a bearer token when given.
    pub fn post(&self, path: &str, body: &Value, bearer: Option<&str>) -> Result<Reply> {
        let mut rb = self.client.post(self.url(path)).json(body);
        if let Some(token) = bearer {
            rb = rb.bearer_auth(token);
        }
        self.send(rb)
    }

    pub fn get(&self, path: &str) -> Result<Reply> {
        self.send(self.client.get(self.url(path)))
    }

    fn send(&self, rb: RequestBuilder) -> Result<Reply> {
        let resp = rb.send().context("request to the app failed")?;
        let status = resp.status().as_u16();
        let bytes = resp.bytes().context("reading the app's reply")?;
        let body = serde_json::from_slice(&bytes).unwrap_or(Value::Null);
        Ok(Reply { status, body })
    }
}

/// Shortens an unexpected reply into an error.
pub fn unexpected(what: &str, reply: &Reply) -> anyhow::Error {
    anyhow!("{what}: {}", reply.describe())
}
