//! `spin.toml` (manifest version 2) loading and validation.
//!
//! Accepts the subset of Spin's manifest that edge-host implements and refuses,
//! naming the field, anything that would make the app behave differently here
//! than under `spin up` (remote sources, `files`, AI models, component
//! dependencies, Wagi, non-HTTP triggers, …). Pure metadata (`description`,
//! `authors`, `targets`, `[..tool]`, trigger `id`) is accepted and ignored.
//!
//! This module holds the validated model; [`raw`] the TOML shape as written,
//! `convert` the raw → model step and `validate` the checks it runs.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use anyhow::Context as _;

mod convert;
mod raw;
#[cfg(test)]
mod tests;
mod validate;

use convert::convert;
use raw::RawManifest;
use validate::check_version;

/// A loaded, validated manifest.
#[derive(Debug, Clone, PartialEq)]
pub struct Manifest {
    /// Directory holding `spin.toml`; relative paths in the manifest resolve against it.
    pub dir: PathBuf,
    /// `[application]`.
    pub application: Application,
    /// `[variables]`, by name.
    pub variables: BTreeMap<String, Variable>,
    /// `[[trigger.http]]`, in manifest order.
    pub http_triggers: Vec<HttpTrigger>,
    /// `[component.<id>]`, by id.
    pub components: BTreeMap<String, Component>,
}

/// `[application]` metadata.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Application {
    /// `name`, required.
    pub name: String,
    /// `version`, free text.
    pub version: Option<String>,
    /// `description`.
    pub description: Option<String>,
    /// `authors`, as written.
    pub authors: Vec<String>,
}

/// An application variable: exactly one of a default or `required = true`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Variable {
    /// `None` means the variable is required.
    pub default: Option<String>,
    /// Sensitive: never log its value.
    pub secret: bool,
    /// `description`, for people reading the manifest.
    pub description: Option<String>,
}

impl Variable {
    /// True when a value must come from the environment.
    pub fn is_required(&self) -> bool {
        self.default.is_none()
    }
}

/// One `[[trigger.http]]` entry.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HttpTrigger {
    /// Where requests come from: a path pattern, or private.
    pub route: HttpRoute,
    /// Id of the handling component (exists in `Manifest::components`).
    pub component: String,
}

/// The `route` of an HTTP trigger.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum HttpRoute {
    /// A route pattern as written, e.g. `/api/v1/...`.
    Path(String),
    /// `route = { private = true }`: reachable only by service chaining.
    Private,
}

/// One `[component.<id>]`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Component {
    /// The `<id>` of `[component.<id>]` (kebab-case).
    pub id: String,
    /// The Wasm file, resolved against the manifest directory.
    pub source: PathBuf,
    /// `description`.
    pub description: Option<String>,
    /// Labels of the key-value stores it may open.
    pub key_value_stores: Vec<String>,
    /// Labels of the SQLite databases it may open.
    pub sqlite_databases: Vec<String>,
    /// Entries as written; they may contain `{{ variable }}` templates.
    pub allowed_outbound_hosts: Vec<String>,
    /// Component variable name → template over application variables.
    pub variables: BTreeMap<String, String>,
    /// WASI environment variables, passed literally.
    pub environment: BTreeMap<String, String>,
    /// `[component.<id>.build]`, for `edge-host build`.
    pub build: Option<BuildConfig>,
}

/// `[component.<id>.build]`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BuildConfig {
    /// Run in order through `sh -c`.
    pub commands: Vec<String>,
    /// Relative to the manifest directory; `None` means the manifest directory.
    pub workdir: Option<PathBuf>,
    /// Globs for `spin watch`; kept for completeness.
    pub watch: Vec<String>,
}

impl Manifest {
    /// Reads and validates a manifest file; a directory means its `spin.toml`.
    pub fn load(path: &Path) -> anyhow::Result<Manifest> {
        let path = if path.is_dir() {
            path.join("spin.toml")
        } else {
            path.to_path_buf()
        };
        // Absolute so that component sources keep working whatever the cwd later is.
        let path =
            std::path::absolute(&path).with_context(|| format!("resolving {}", path.display()))?;
        let text = std::fs::read_to_string(&path)
            .with_context(|| format!("reading manifest {}", path.display()))?;
        let dir = path.parent().map(Path::to_path_buf).unwrap_or_default();
        Manifest::parse(&text, &dir).with_context(|| format!("invalid manifest {}", path.display()))
    }

    /// Parses and validates manifest text whose relative paths resolve against `dir`.
    pub fn parse(text: &str, dir: &Path) -> anyhow::Result<Manifest> {
        check_version(text)?;
        let raw: RawManifest = toml::from_str(text)?;
        convert(raw, dir)
    }

    /// `(route, component id)` for every routable (non-private) HTTP trigger,
    /// in manifest order: the input of `router::Router::build`.
    pub fn http_routes(&self) -> Vec<(&str, &str)> {
        self.http_triggers
            .iter()
            .filter_map(|t| match &t.route {
                HttpRoute::Path(route) => Some((route.as_str(), t.component.as_str())),
                HttpRoute::Private => None,
            })
            .collect()
    }
}
