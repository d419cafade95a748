//! `spin.toml` (manifest version 2) loading and validation.
//!
//! Accepts the subset of Spin's manifest that edge-host implements and refuses,
//! naming the field, anything that would make the app behave differently here
//! than under `spin up` (remote sources, `files`, AI models, component
//! dependencies, Wagi, non-HTTP triggers, …). Pure metadata (`description`,
//! `authors`, `targets`, `[..tool]`, trigger `id`) is accepted and ignored.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use anyhow::{anyhow, bail, Context as _};
use serde::Deserialize;

use crate::variables::{validate_name, Template};

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
    pub name: String,
    pub version: Option<String>,
    pub description: Option<String>,
    pub authors: Vec<String>,
}

/// An application variable: exactly one of a default or `required = true`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Variable {
    /// `None` means the variable is required.
    pub default: Option<String>,
    /// Sensitive: never log its value.
    pub secret: bool,
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
    pub id: String,
    /// The Wasm file, resolved against the manifest directory.
    pub source: PathBuf,
    pub description: Option<String>,
    pub key_value_stores: Vec<String>,
    pub sqlite_databases: Vec<String>,
    /// Entries as written; they may contain `{{ variable }}` templates.
    pub allowed_outbound_hosts: Vec<String>,
    /// Component variable name → template over application variables.
    pub variables: BTreeMap<String, String>,
    /// WASI environment variables, passed literally.
    pub environment: BTreeMap<String, String>,
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

fn check_version(text: &str) -> anyhow::Result<()> {
    let table: toml::Table = toml::from_str(text)?;
    match table.get("spin_manifest_version") {
        Some(toml::Value::Integer(2)) => Ok(()),
        Some(other) => bail!(
            "spin_manifest_version = {other} is not supported: edge-host reads only `spin_manifest_version = 2` manifests"
        ),
        None if table.contains_key("spin_version") => bail!(
            "this is a version 1 manifest (`spin_version`): edge-host reads only `spin_manifest_version = 2` manifests"
        ),
        None => bail!("missing `spin_manifest_version = 2`"),
    }
}

// --- Raw TOML shape -----------------------------------------------------------
//
// `deny_unknown_fields` everywhere: a field Spin doesn't know is an error that
// names it (as in Spin). Fields Spin knows but edge-host doesn't implement are
// captured loosely and refused in `convert` with a specific message.

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawManifest {
    #[allow(dead_code)] // checked in `check_version`
    spin_manifest_version: toml::Value,
    application: RawApplication,
    #[serde(default)]
    variables: BTreeMap<String, RawVariable>,
    #[serde(default)]
    trigger: BTreeMap<String, toml::Value>,
    #[serde(default)]
    component: BTreeMap<String, RawComponent>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawApplication {
    name: String,
    #[serde(default)]
    version: Option<String>,
    #[serde(default)]
    description: Option<String>,
    #[serde(default)]
    authors: Vec<String>,
    #[serde(default)]
    #[allow(dead_code)] // deployment-target metadata, checked only by `spin build`
    targets: Option<toml::Value>,
    #[serde(default)]
    #[allow(dead_code)] // for third-party tools; Spin ignores it too
    tool: Option<toml::Value>,
    #[serde(default)]
    trigger: BTreeMap<String, toml::Table>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawVariable {
    #[serde(default)]
    default: Option<String>,
    #[serde(default)]
    required: bool,
    #[serde(default)]
    secret: bool,
    #[serde(default)]
    description: Option<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawHttpTrigger {
    #[serde(default)]
    #[allow(dead_code)] // an optional label; nothing refers to it here
    id: Option<String>,
    #[serde(default)]
    route: Option<toml::Value>,
    #[serde(default)]
    component: Option<toml::Value>,
    #[serde(default)]
    components: Option<toml::Value>,
    #[serde(default)]
    executor: Option<toml::Value>,
    #[serde(default)]
    static_response: Option<toml::Value>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawComponent {
    source: toml::Value,
    #[serde(default)]
    description: Option<String>,
    #[serde(default)]
    variables: BTreeMap<String, String>,
    #[serde(default)]
    environment: BTreeMap<String, String>,
    #[serde(default)]
    files: Vec<toml::Value>,
    #[serde(default)]
    exclude_files: Vec<toml::Value>,
    #[serde(default)]
    allowed_http_hosts: Vec<toml::Value>,
    #[serde(default)]
    allowed_outbound_hosts: Vec<String>,
    #[serde(default)]
    key_value_stores: Vec<String>,
    #[serde(default)]
    sqlite_databases: Vec<String>,
    #[serde(default)]
    ai_models: Vec<toml::Value>,
    #[serde(default)]
    build: Option<RawBuild>,
    #[serde(default)]
    #[allow(dead_code)] // for third-party tools; Spin ignores it too
    tool: Option<toml::Value>,
    #[serde(default)]
    dependencies_inherit_configuration: bool,
    #[serde(default)]
    dependencies: toml::Table,
    // Only consulted by `spin up --profile`; the default profile uses `source`,
    // which is all edge-host runs.
    #[serde(default)]
    #[allow(dead_code)]
    profile: Option<toml::Value>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawBuild {
    command: RawCommands,
    #[serde(default)]
    workdir: Option<String>,
    #[serde(default)]
    watch: Vec<String>,
}

#[derive(Deserialize)]
#[serde(untagged)]
enum RawCommands {
    One(String),
    Many(Vec<String>),
}

// --- Conversion and validation -------------------------------------------------

fn convert(raw: RawManifest, dir: &Path) -> anyhow::Result<Manifest> {
    check_app_triggers(&raw.application.trigger)?;
    let application = Application {
        name: raw.application.name,
        version: raw.application.version,
        description: raw.application.description,
        authors: raw.application.authors,
    };

    let mut variables = BTreeMap::new();
    for (name, var) in raw.variables {
        validate_name(&name).map_err(|reason| anyhow!("[variables] {name:?}: {reason}"))?;
        let default = match (var.required, var.default) {
            (true, Some(_)) => bail!(
                "[variables] {name:?}: `required = true` and `default` are mutually exclusive"
            ),
            (false, None) => {
                bail!("[variables] {name:?}: needs either `default = \"…\"` or `required = true`")
            }
            (_, default) => default,
        };
        variables.insert(
            name,
            Variable {
                default,
                secret: var.secret,
                description: var.description,
            },
        );
    }

    let mut components = BTreeMap::new();
    for (id, rc) in raw.component {
        let component = convert_component(&id, rc, dir, &variables)
            .with_context(|| format!("[component.{id}]"))?;
        components.insert(id, component);
    }

    let mut http_triggers = Vec::new();
    for (kind, value) in raw.trigger {
        if kind != "http" {
            bail!(
                "[[trigger.{kind}]]: only HTTP triggers are supported by edge-host; run this app with the Spin CLI"
            );
        }
        let toml::Value::Array(entries) = value else {
            bail!("`trigger.http` must be an array of tables: write `[[trigger.http]]`");
        };
        for (index, entry) in entries.into_iter().enumerate() {
            let trigger = convert_http_trigger(entry, &components)
                .with_context(|| format!("[[trigger.http]] #{}", index + 1))?;
            http_triggers.push(trigger);
        }
    }

    Ok(Manifest {
        dir: dir.to_path_buf(),
        application,
        variables,
        http_triggers,
        components,
    })
}

/// `[application.trigger.http] base`: Spin 3 accepts only the default `/` and
/// otherwise asks for the base to be folded into each route; so does edge-host.
fn check_app_triggers(triggers: &BTreeMap<String, toml::Table>) -> anyhow::Result<()> {
    for (kind, table) in triggers {
        if kind != "http" {
            bail!("[application.trigger.{kind}]: only HTTP triggers are supported by edge-host");
        }
        for (key, value) in table {
            match (key.as_str(), value) {
                ("base", toml::Value::String(base)) if base == "/" => {}
                ("base", toml::Value::String(_)) => bail!(
                    "[application.trigger.http] uses the deprecated `base` field; Spin 3 rejects a base other than \"/\": prepend it to each [[trigger.http]] route instead"
                ),
                ("base", _) => bail!("[application.trigger.http] `base` must be a string"),
                (other, _) => bail!("[application.trigger.http]: unknown field `{other}`"),
            }
        }
    }
    Ok(())
}

fn convert_http_trigger(
    entry: toml::Value,
    components: &BTreeMap<String, Component>,
) -> anyhow::Result<HttpTrigger> {
    let raw = RawHttpTrigger::deserialize(entry)?;
    if raw.static_response.is_some() {
        bail!("`static_response` is not supported by edge-host; serve it from a component");
    }
    if raw.components.as_ref().is_some_and(|c| !is_empty_value(c)) {
        bail!("`components` is not supported by edge-host");
    }
    if let Some(executor) = &raw.executor {
        check_executor(executor)?;
    }
    let route = match raw.route {
        Some(toml::Value::String(route)) => HttpRoute::Path(route),
        Some(toml::Value::Table(table)) => match table.get("private") {
            Some(toml::Value::Boolean(true)) if table.len() == 1 => HttpRoute::Private,
            _ => bail!("route must be a string pattern or `{{ private = true }}`"),
        },
        Some(_) => bail!("route must be a string pattern or `{{ private = true }}`"),
        None => bail!("missing `route`"),
    };
    let component = match raw.component {
        Some(toml::Value::String(id)) => id,
        Some(toml::Value::Table(_)) => bail!(
            "inline component tables are not supported by edge-host: declare [component.<id>] and write `component = \"<id>\"`"
        ),
        Some(_) => bail!("`component` must be a component id string"),
        None => bail!("missing `component`"),
    };
    if !components.contains_key(&component) {
        bail!("component {component:?} is not defined: add [component.{component}]");
    }
    Ok(HttpTrigger { route, component })
}

fn check_executor(executor: &toml::Value) -> anyhow::Result<()> {
    let toml::Value::Table(table) = executor else {
        bail!("`executor` must be a table such as `{{ type = \"spin\" }}`");
    };
    match table.get("type").and_then(toml::Value::as_str) {
        Some("spin" | "http") if table.len() == 1 => Ok(()),
        Some("spin" | "http") => bail!("`executor` of type \"spin\" takes no other fields"),
        Some("wagi") => bail!(
            "the Wagi executor is not supported by edge-host; use a Spin/wasi-http component or the Spin CLI"
        ),
        Some(other) => bail!("unknown executor type {other:?}"),
        None => bail!("`executor` needs a `type`"),
    }
}

fn convert_component(
    id: &str,
    rc: RawComponent,
    dir: &Path,
    variables: &BTreeMap<String, Variable>,
) -> anyhow::Result<Component> {
    check_id(id, '-').map_err(|reason| anyhow!("invalid component id {id:?}: {reason}"))?;

    let source = match rc.source {
        toml::Value::String(path) => dir.join(path),
        toml::Value::Table(t) if t.contains_key("url") => bail!(
            "`source = {{ url = … }}` is not supported by edge-host: download the file and use a path"
        ),
        toml::Value::Table(t) if t.contains_key("registry") || t.contains_key("package") => bail!(
            "registry sources are not supported by edge-host: fetch the component and use a path"
        ),
        _ => bail!("`source` must be a path to a .wasm file"),
    };

    refuse_non_empty(
        "files",
        !rc.files.is_empty(),
        "files are not mounted into components by edge-host",
    )?;
    refuse_non_empty(
        "exclude_files",
        !rc.exclude_files.is_empty(),
        "files are not mounted into components by edge-host",
    )?;
    refuse_non_empty(
        "allowed_http_hosts",
        !rc.allowed_http_hosts.is_empty(),
        "this deprecated field is not supported; use `allowed_outbound_hosts`",
    )?;
    refuse_non_empty(
        "ai_models",
        !rc.ai_models.is_empty(),
        "Serverless AI is not provided by edge-host",
    )?;
    refuse_non_empty(
        "dependencies",
        !rc.dependencies.is_empty(),
        "component dependencies are not composed by edge-host; compose the component first",
    )?;
    refuse_non_empty(
        "dependencies_inherit_configuration",
        rc.dependencies_inherit_configuration,
        "component dependencies are not composed by edge-host",
    )?;

    for label in rc.key_value_stores.iter().chain(&rc.sqlite_databases) {
        if check_id(label, '-').is_err() && check_id(label, '_').is_err() {
            bail!("store label {label:?} must be kebab-case or snake_case");
        }
    }

    for (name, template) in &rc.variables {
        validate_name(name).map_err(|reason| anyhow!("variable {name:?}: {reason}"))?;
        check_template(template, variables).with_context(|| format!("variable {name:?}"))?;
    }
    for host in &rc.allowed_outbound_hosts {
        check_template(host, variables)
            .with_context(|| format!("allowed_outbound_hosts entry {host:?}"))?;
    }

    let build = rc.build.map(|b| BuildConfig {
        commands: match b.command {
            RawCommands::One(c) => vec![c],
            RawCommands::Many(cs) => cs,
        },
        workdir: b.workdir.map(PathBuf::from),
        watch: b.watch,
    });

    Ok(Component {
        id: id.to_string(),
        source,
        description: rc.description,
        key_value_stores: rc.key_value_stores,
        sqlite_databases: rc.sqlite_databases,
        allowed_outbound_hosts: rc.allowed_outbound_hosts,
        variables: rc.variables,
        environment: rc.environment,
        build,
    })
}

fn refuse_non_empty(field: &str, present: bool, why: &str) -> anyhow::Result<()> {
    if present {
        bail!("`{field}` is not supported: {why}");
    }
    Ok(())
}

fn is_empty_value(value: &toml::Value) -> bool {
    match value {
        toml::Value::Table(t) => t.is_empty(),
        toml::Value::Array(a) => a.is_empty(),
        _ => false,
    }
}

fn check_template(text: &str, variables: &BTreeMap<String, Variable>) -> anyhow::Result<()> {
    let template = Template::parse(text)?;
    if let Some(unknown) = template.variables().find(|v| !variables.contains_key(*v)) {
        bail!("refers to {unknown:?}, which is not declared in [variables]");
    }
    Ok(())
}

/// Spin's id rule: `delim`-separated non-empty words of lower-case ASCII
/// letters and digits, the first word starting with a letter.
fn check_id(id: &str, delim: char) -> Result<(), String> {
    if id.is_empty() {
        return Err("empty".into());
    }
    let wrong = if delim == '-' { '_' } else { '-' };
    if id.contains(wrong) {
        return Err(format!(
            "words must be separated with {delim:?}, not {wrong:?}"
        ));
    }
    for (i, word) in id.split(delim).enumerate() {
        let mut chars = word.chars();
        let Some(first) = chars.next() else {
            return Err(format!("{delim:?}-separated words must not be empty"));
        };
        if !(first.is_ascii_lowercase() || (i > 0 && first.is_ascii_digit())) {
            return Err(format!(
                "words must start with a lower-case ASCII letter; got {first:?}"
            ));
        }
        if let Some(bad) = chars.find(|c| !(c.is_ascii_lowercase() || c.is_ascii_digit())) {
            return Err(format!(
                "only lower-case ASCII letters and digits are allowed; got {bad:?}"
            ));
        }
    }
    Ok(())
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    const BASE: &str = r#"
        spin_manifest_version = 2
        [application]
        name = "city"
        version = "0.1.0"
        authors = ["Ops <ops@example.org>"]
        description = "City platform"
        targets = ["spin-up:3.2"]
        [application.tool.lint]
        level = "strict"
        [variables]
        api_host = { default = "api.example.org", description = "API host" }
        db_key = { required = true, secret = true }
        [[trigger.http]]
        id = "health"
        route = "/api/v1/health"
        component = "api"
        executor = { type = "spin" }
        [[trigger.http]]
        route = { private = true }
        component = "worker"
        [component.api]
        source = "target/api.wasm"
        description = "Public API"
        key_value_stores = ["default", "rate-limits"]
        sqlite_databases = ["default"]
        allowed_outbound_hosts = ["https://{{ api_host }}", "https://*.example.org:443"]
        environment = { RUST_LOG = "info" }
        files = []
        [component.api.variables]
        upstream = "https://{{ api_host }}/v2"
        [component.api.build]
        command = "cargo build --target wasm32-wasip2"
        workdir = "functions/api"
        watch = ["src/**/*.rs"]
        [component.api.tool.clean]
        command = "cargo clean"
        [component.worker]
        source = "/abs/worker.wasm"
        build = { command = ["echo one", "echo two"] }
    "#;

    fn parse(text: &str) -> anyhow::Result<Manifest> {
        Manifest::parse(text, Path::new("/app"))
    }

    fn err(text: &str) -> String {
        format!("{:#}", parse(text).unwrap_err())
    }

    fn with(extra: &str) -> String {
        format!("{BASE}\n{extra}")
    }

    #[test]
    fn parses_a_full_manifest() {
        let m = parse(BASE).unwrap();
        assert_eq!(m.dir, Path::new("/app"));
        assert_eq!(m.application.name, "city");
        assert_eq!(m.application.version.as_deref(), Some("0.1.0"));
        assert!(m.variables["db_key"].is_required());
        assert!(m.variables["db_key"].secret);
        assert_eq!(
            m.variables["api_host"].default.as_deref(),
            Some("api.example.org")
        );
        let api = &m.components["api"];
        assert_eq!(api.source, Path::new("/app/target/api.wasm"));
        assert_eq!(api.key_value_stores, ["default", "rate-limits"]);
        assert_eq!(api.variables["upstream"], "https://{{ api_host }}/v2");
        assert_eq!(api.environment["RUST_LOG"], "info");
        let build = api.build.as_ref().unwrap();
        assert_eq!(build.commands, ["cargo build --target wasm32-wasip2"]);
        assert_eq!(build.workdir.as_deref(), Some(Path::new("functions/api")));
        assert_eq!(m.components["worker"].source, Path::new("/abs/worker.wasm"));
        assert_eq!(
            m.components["worker"].build.as_ref().unwrap().commands,
            ["echo one", "echo two"]
        );
        assert_eq!(m.http_triggers.len(), 2);
        assert_eq!(m.http_triggers[1].route, HttpRoute::Private);
    }

    #[test]
    fn http_routes_skip_private_triggers() {
        let m = parse(BASE).unwrap();
        assert_eq!(m.http_routes(), [("/api/v1/health", "api")]);
    }

    #[test]
    fn errors_without_manifest_version_2() {
        assert!(err("[application]\nname = \"x\"").contains("spin_manifest_version = 2"));
        assert!(
            err("spin_manifest_version = \"1\"\n[application]\nname = \"x\"")
                .contains("not supported")
        );
        assert!(err("spin_version = \"1\"\nname = \"x\"").contains("version 1 manifest"));
    }

    #[test]
    fn errors_on_unknown_top_level_table() {
        let e = err(&with("[redis]\naddress = \"x\""));
        assert!(e.contains("redis"), "{e}");
    }

    #[test]
    fn errors_on_unknown_component_field() {
        let text = BASE.replace("description = \"Public API\"", "descripton = \"typo\"");
        assert!(err(&text).contains("descripton"));
    }

    #[test]
    fn refuses_behaviour_changing_component_fields() {
        for (field, snippet) in [
            ("ai_models", "ai_models = [\"llama2-chat\"]"),
            ("files", "files = [\"assets/*\"]"),
            ("exclude_files", "exclude_files = [\"secret/*\"]"),
            (
                "allowed_http_hosts",
                "allowed_http_hosts = [\"example.org\"]",
            ),
            ("dependencies", "dependencies = { \"a:b/c\" = \"1.0.0\" }"),
            (
                "dependencies_inherit_configuration",
                "dependencies_inherit_configuration = true",
            ),
        ] {
            let text = with(&format!(
                "[component.extra]\nsource = \"x.wasm\"\n{snippet}"
            ));
            let e = err(&text);
            assert!(e.contains(field), "{field}: {e}");
            assert!(e.contains("not supported"), "{field}: {e}");
        }
    }

    #[test]
    fn refuses_remote_and_registry_sources() {
        let e = err(&with(
            "[component.extra]\nsource = { url = \"https://x/y.wasm\", digest = \"sha256:00\" }",
        ));
        assert!(e.contains("url"), "{e}");
        let e = err(&with("[component.extra]\nsource = { registry = \"ttl.sh\", package = \"a:b\", version = \"1\" }"));
        assert!(e.contains("registry"), "{e}");
    }

    #[test]
    fn refuses_inline_trigger_components() {
        let e = err(&with(
            "[[trigger.http]]\nroute = \"/x\"\ncomponent = { source = \"x.wasm\" }",
        ));
        assert!(e.contains("inline component"), "{e}");
    }

    #[test]
    fn refuses_wagi_executor() {
        let e = err(&with(
            "[[trigger.http]]\nroute = \"/x\"\ncomponent = \"api\"\nexecutor = { type = \"wagi\" }",
        ));
        assert!(e.contains("Wagi"), "{e}");
    }

    #[test]
    fn accepts_http_executor_alias() {
        parse(&with(
            "[[trigger.http]]\nroute = \"/x\"\ncomponent = \"api\"\nexecutor = { type = \"http\" }",
        ))
        .unwrap();
    }

    #[test]
    fn refuses_non_http_triggers() {
        let e = err(&with(
            "[[trigger.redis]]\nchannel = \"c\"\ncomponent = \"api\"",
        ));
        assert!(e.contains("trigger.redis"), "{e}");
    }

    #[test]
    fn errors_on_unknown_trigger_field() {
        let e = err(&with(
            "[[trigger.http]]\nroute = \"/x\"\ncomponent = \"api\"\nmethods = [\"GET\"]",
        ));
        assert!(e.contains("methods"), "{e}");
    }

    #[test]
    fn refuses_static_response() {
        let e = err(&with(
            "[[trigger.http]]\nroute = \"/x\"\nstatic_response = { body = \"hi\" }",
        ));
        assert!(e.contains("static_response"), "{e}");
    }

    #[test]
    fn errors_when_trigger_references_missing_component() {
        let e = err(&with(
            "[[trigger.http]]\nroute = \"/x\"\ncomponent = \"ghost\"",
        ));
        assert!(e.contains("\"ghost\" is not defined"), "{e}");
    }

    #[test]
    fn errors_on_private_false_route() {
        let e = err(&with(
            "[[trigger.http]]\nroute = { private = false }\ncomponent = \"api\"",
        ));
        assert!(e.contains("private = true"), "{e}");
    }

    #[test]
    fn errors_when_component_variable_refers_to_undeclared_variable() {
        let e = err(&with(
            "[component.extra]\nsource = \"x.wasm\"\nvariables = { url = \"{{ nope }}\" }",
        ));
        assert!(e.contains("\"nope\""), "{e}");
        assert!(e.contains("component.extra"), "{e}");
    }

    #[test]
    fn errors_when_outbound_host_template_refers_to_undeclared_variable() {
        let e = err(&with(
            "[component.extra]\nsource = \"x.wasm\"\nallowed_outbound_hosts = [\"{{ gateway }}\"]",
        ));
        assert!(e.contains("\"gateway\""), "{e}");
    }

    #[test]
    fn errors_on_unmatched_template_braces() {
        let e = err(&with(
            "[component.extra]\nsource = \"x.wasm\"\nvariables = { url = \"{{ api_host\" }",
        ));
        assert!(e.contains("unmatched"), "{e}");
    }

    #[test]
    fn variable_needs_exactly_one_of_default_or_required() {
        let both = BASE.replace(
            "db_key = { required = true, secret = true }",
            "db_key = { required = true, default = \"x\" }",
        );
        assert!(err(&both).contains("mutually exclusive"));
        let neither = BASE.replace(
            "db_key = { required = true, secret = true }",
            "db_key = { secret = true }",
        );
        assert!(err(&neither).contains("required = true"));
    }

    #[test]
    fn variable_names_must_be_lower_snake() {
        let bad = BASE.replace("api_host = {", "ApiHost = {");
        assert!(err(&bad).contains("ApiHost"));
        let e = err(&with(
            "[component.extra]\nsource = \"x.wasm\"\nvariables = { Bad = \"x\" }",
        ));
        assert!(e.contains("Bad"), "{e}");
    }

    #[test]
    fn component_ids_must_be_kebab_case() {
        for bad in ["Api", "my_api", "1api", "api-", "a--b"] {
            let e = err(&with(&format!(
                "[component.\"{bad}\"]\nsource = \"x.wasm\""
            )));
            assert!(e.contains("invalid component id"), "{bad}: {e}");
        }
        parse(&with("[component.api-v2]\nsource = \"x.wasm\"")).unwrap();
    }

    #[test]
    fn store_labels_may_be_kebab_or_snake() {
        parse(&with(
            "[component.extra]\nsource = \"x.wasm\"\nkey_value_stores = [\"a-b\", \"c_d\"]",
        ))
        .unwrap();
        let e = err(&with(
            "[component.extra]\nsource = \"x.wasm\"\nsqlite_databases = [\"b@d\"]",
        ));
        assert!(e.contains("b@d"), "{e}");
    }

    #[test]
    fn base_slash_is_accepted_and_other_bases_refused() {
        let ok = BASE.replace(
            "[application.tool.lint]",
            "[application.trigger.http]\nbase = \"/\"\n[application.tool.lint]",
        );
        parse(&ok).unwrap();
        let bad = BASE.replace(
            "[application.tool.lint]",
            "[application.trigger.http]\nbase = \"/city\"\n[application.tool.lint]",
        );
        assert!(err(&bad).contains("prepend it to each"));
    }

    #[test]
    fn unknown_build_field_is_an_error() {
        let e = err(&with(
            "[component.extra]\nsource = \"x.wasm\"\nbuild = { command = \"make\", env = \"x\" }",
        ));
        assert!(e.contains("env"), "{e}");
    }

    #[test]
    fn load_resolves_sources_against_manifest_directory() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("spin.toml"), BASE).unwrap();
        let m = Manifest::load(dir.path()).unwrap();
        assert_eq!(m.dir, dir.path());
        assert_eq!(
            m.components["api"].source,
            dir.path().join("target/api.wasm")
        );
        let m = Manifest::load(&dir.path().join("spin.toml")).unwrap();
        assert_eq!(m.dir, dir.path());
    }

    #[test]
    fn load_names_the_file_on_error() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("spin.toml");
        std::fs::write(&path, "spin_manifest_version = 2\n").unwrap();
        let e = format!("{:#}", Manifest::load(&path).unwrap_err());
        assert!(e.contains("spin.toml"), "{e}");
        assert!(e.contains("application"), "{e}");
    }
}
