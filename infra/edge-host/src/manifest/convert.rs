//! Raw TOML shape → validated [`Manifest`]: each part is checked (`validate`)
//! as it is converted; the first error stops the load and names its table.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use anyhow::{anyhow, bail, Context as _};
use serde::Deserialize;

use super::raw::{RawCommands, RawComponent, RawHttpTrigger, RawManifest};
use super::validate::{
    check_app_triggers, check_component_fields, check_executor, check_id, is_empty_value,
};
use super::{Application, BuildConfig, Component, HttpRoute, HttpTrigger, Manifest, Variable};
use crate::variables::validate_name;

pub(super) fn convert(raw: RawManifest, dir: &Path) -> anyhow::Result<Manifest> {
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

fn convert_component(
    id: &str,
    rc: RawComponent,
    dir: &Path,
    variables: &BTreeMap<String, Variable>,
) -> anyhow::Result<Component> {
    check_id(id, '-').map_err(|reason| anyhow!("invalid component id {id:?}: {reason}"))?;

    let source = match &rc.source {
        toml::Value::String(path) => dir.join(path),
        toml::Value::Table(t) if t.contains_key("url") => bail!(
            "`source = {{ url = … }}` is not supported by edge-host: download the file and use a path"
        ),
        toml::Value::Table(t) if t.contains_key("registry") || t.contains_key("package") => bail!(
            "registry sources are not supported by edge-host: fetch the component and use a path"
        ),
        _ => bail!("`source` must be a path to a .wasm file"),
    };

    check_component_fields(&rc, variables)?;

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
