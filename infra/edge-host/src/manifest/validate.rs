//! The checks the conversion runs: the manifest version, what edge-host
//! refuses (and why), Spin's id rule and templates over declared variables.

use std::collections::BTreeMap;

use anyhow::{anyhow, bail, Context as _};

use super::raw::RawComponent;
use super::Variable;
use crate::variables::{validate_name, Template};

pub(super) fn check_version(text: &str) -> anyhow::Result<()> {
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

/// `[application.trigger.http] base`: Spin 3 accepts only the default `/` and
/// otherwise asks for the base to be folded into each route; so does edge-host.
pub(super) fn check_app_triggers(triggers: &BTreeMap<String, toml::Table>) -> anyhow::Result<()> {
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

pub(super) fn check_executor(executor: &toml::Value) -> anyhow::Result<()> {
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

/// The component fields edge-host does not implement are absent, store
/// labels are well-formed and every template names a declared variable.
pub(super) fn check_component_fields(
    rc: &RawComponent,
    variables: &BTreeMap<String, Variable>,
) -> anyhow::Result<()> {
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
    Ok(())
}

fn refuse_non_empty(field: &str, present: bool, why: &str) -> anyhow::Result<()> {
    if present {
        bail!("`{field}` is not supported: {why}");
    }
    Ok(())
}

pub(super) fn is_empty_value(value: &toml::Value) -> bool {
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
pub(super) fn check_id(id: &str, delim: char) -> Result<(), String> {
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
