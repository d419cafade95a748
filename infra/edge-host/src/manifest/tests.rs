//! `spin.toml` parsing, conversion and validation through [`Manifest::parse`]
//! and [`Manifest::load`].
#![allow(clippy::unwrap_used)]

use std::path::Path;

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
        err("spin_manifest_version = \"1\"\n[application]\nname = \"x\"").contains("not supported")
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
    let e = err(&with(
        "[component.extra]\nsource = { registry = \"ttl.sh\", package = \"a:b\", version = \"1\" }",
    ));
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
