//! The raw TOML shape of `spin.toml`, as serde reads it.
//!
//! `deny_unknown_fields` everywhere: a field Spin doesn't know is an error that
//! names it (as in Spin). Fields Spin knows but edge-host doesn't implement are
//! captured loosely and refused by `validate` or `convert` with a specific
//! message.

use std::collections::BTreeMap;

use serde::Deserialize;

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawManifest {
    #[allow(dead_code)] // checked in `check_version`
    pub(super) spin_manifest_version: toml::Value,
    pub(super) application: RawApplication,
    #[serde(default)]
    pub(super) variables: BTreeMap<String, RawVariable>,
    #[serde(default)]
    pub(super) trigger: BTreeMap<String, toml::Value>,
    #[serde(default)]
    pub(super) component: BTreeMap<String, RawComponent>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawApplication {
    pub(super) name: String,
    #[serde(default)]
    pub(super) version: Option<String>,
    #[serde(default)]
    pub(super) description: Option<String>,
    #[serde(default)]
    pub(super) authors: Vec<String>,
    #[serde(default)]
    #[allow(dead_code)] // deployment-target metadata, checked only by `spin build`
    pub(super) targets: Option<toml::Value>,
    #[serde(default)]
    #[allow(dead_code)] // for third-party tools; Spin ignores it too
    pub(super) tool: Option<toml::Value>,
    #[serde(default)]
    pub(super) trigger: BTreeMap<String, toml::Table>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawVariable {
    #[serde(default)]
    pub(super) default: Option<String>,
    #[serde(default)]
    pub(super) required: bool,
    #[serde(default)]
    pub(super) secret: bool,
    #[serde(default)]
    pub(super) description: Option<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawHttpTrigger {
    #[serde(default)]
    #[allow(dead_code)] // an optional label; nothing refers to it here
    pub(super) id: Option<String>,
    #[serde(default)]
    pub(super) route: Option<toml::Value>,
    #[serde(default)]
    pub(super) component: Option<toml::Value>,
    #[serde(default)]
    pub(super) components: Option<toml::Value>,
    #[serde(default)]
    pub(super) executor: Option<toml::Value>,
    #[serde(default)]
    pub(super) static_response: Option<toml::Value>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawComponent {
    pub(super) source: toml::Value,
    #[serde(default)]
    pub(super) description: Option<String>,
    #[serde(default)]
    pub(super) variables: BTreeMap<String, String>,
    #[serde(default)]
    pub(super) environment: BTreeMap<String, String>,
    #[serde(default)]
    pub(super) files: Vec<toml::Value>,
    #[serde(default)]
    pub(super) exclude_files: Vec<toml::Value>,
    #[serde(default)]
    pub(super) allowed_http_hosts: Vec<toml::Value>,
    #[serde(default)]
    pub(super) allowed_outbound_hosts: Vec<String>,
    #[serde(default)]
    pub(super) key_value_stores: Vec<String>,
    #[serde(default)]
    pub(super) sqlite_databases: Vec<String>,
    #[serde(default)]
    pub(super) ai_models: Vec<toml::Value>,
    #[serde(default)]
    pub(super) build: Option<RawBuild>,
    #[serde(default)]
    #[allow(dead_code)] // for third-party tools; Spin ignores it too
    pub(super) tool: Option<toml::Value>,
    #[serde(default)]
    pub(super) dependencies_inherit_configuration: bool,
    #[serde(default)]
    pub(super) dependencies: toml::Table,
    // Only consulted by `spin up --profile`; the default profile uses `source`,
    // which is all edge-host runs.
    #[serde(default)]
    #[allow(dead_code)]
    pub(super) profile: Option<toml::Value>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawBuild {
    pub(super) command: RawCommands,
    #[serde(default)]
    pub(super) workdir: Option<String>,
    #[serde(default)]
    pub(super) watch: Vec<String>,
}

#[derive(Deserialize)]
#[serde(untagged)]
pub(super) enum RawCommands {
    One(String),
    Many(Vec<String>),
}
