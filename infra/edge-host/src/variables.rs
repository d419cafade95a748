//! Application and component variables, resolved the way Spin's default
//! (environment) provider resolves them.
//!
//! An application variable takes its value from `SPIN_VARIABLE_<NAME>` (name
//! upper-cased) or, failing that, from its `default`; a `required` variable with
//! neither stops the start. Component variables are templates over application
//! variables (`"https://{{ api_host }}/v1"`); they are what a component reads
//! through the `fermyon:spin/variables` interface.
//!
//! Values are resolved once, at start, as Spin's prepared resolver does; the
//! environment lookup is injected so tests never touch the process environment.

use std::collections::{BTreeMap, HashMap};
use std::fmt;
use std::path::Path;

use anyhow::{bail, Context as _};

use crate::manifest::Manifest;

/// What Spin's environment provider puts before the upper-cased variable name.
pub const ENV_PREFIX: &str = "SPIN_VARIABLE_";

/// The environment variable that supplies application variable `name`.
pub fn env_var_name(name: &str) -> String {
    format!("{ENV_PREFIX}{}", name.to_ascii_uppercase())
}

/// Errors of `fermyon:spin/variables.get`, one for one with the WIT `error` variants.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum VarError {
    /// `invalid-name`: not a lower-case snake name.
    InvalidName(String),
    /// `undefined`: the component declares no such variable.
    Undefined(String),
    /// `provider`: a value source failed.
    Provider(String),
    /// `other`.
    Other(String),
}

impl fmt::Display for VarError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            VarError::InvalidName(m) => write!(f, "invalid variable name: {m}"),
            VarError::Undefined(m) => write!(f, "undefined variable: {m}"),
            VarError::Provider(m) => write!(f, "provider error: {m}"),
            VarError::Other(m) => write!(f, "{m}"),
        }
    }
}

impl std::error::Error for VarError {}

/// Checks a variable name with Spin's rules: lower-case ASCII letters, digits
/// and single underscores, starting with a letter and not ending with `_`.
/// Returns the reason on failure.
pub fn validate_name(name: &str) -> Result<(), String> {
    let Some(first) = name.chars().next() else {
        return Err("must not be empty".into());
    };
    if let Some(bad) = name
        .chars()
        .find(|c| !(c.is_ascii_lowercase() || c.is_ascii_digit() || *c == '_'))
    {
        return Err(format!(
            "invalid character {bad:?}. Variable names may contain only lower-case letters, numbers, and underscores."
        ));
    }
    if !first.is_ascii_lowercase() {
        return Err("must start with a lowercase ASCII letter".into());
    }
    if name.ends_with('_') {
        return Err("must end with a lowercase ASCII letter or digit".into());
    }
    if name.contains("__") {
        return Err("must not contain multiple consecutive underscores".into());
    }
    Ok(())
}

/// A string with `{{ name }}` expressions, parsed as Spin's `Template` is:
/// whatever sits between `{{` and the next `}}`, trimmed, is a variable name.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Template {
    parts: Vec<Part>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum Part {
    Lit(String),
    Expr(String),
}

impl Template {
    /// Parses a template; an opening `{{` without a closing `}}` is an error.
    pub fn parse(template: &str) -> anyhow::Result<Template> {
        let mut parts = Vec::new();
        let mut rest = template;
        while !rest.is_empty() {
            if let Some(after_open) = rest.strip_prefix("{{") {
                let Some((expr, after)) = after_open.split_once("}}") else {
                    bail!("invalid template {template:?}: unmatched '{{{{'");
                };
                parts.push(Part::Expr(expr.trim().to_string()));
                rest = after;
            } else {
                let end = rest.find("{{").unwrap_or(rest.len());
                parts.push(Part::Lit(rest[..end].to_string()));
                rest = &rest[end..];
            }
        }
        Ok(Template { parts })
    }

    /// The variable names the template refers to, in order of appearance.
    pub fn variables(&self) -> impl Iterator<Item = &str> {
        self.parts.iter().filter_map(|p| match p {
            Part::Expr(name) => Some(name.as_str()),
            Part::Lit(_) => None,
        })
    }

    /// Renders with `values`; on a missing name returns that name.
    fn render(&self, values: &HashMap<String, String>) -> Result<String, &str> {
        let mut out = String::new();
        for part in &self.parts {
            match part {
                Part::Lit(lit) => out.push_str(lit),
                Part::Expr(name) => out.push_str(values.get(name).ok_or(name.as_str())?),
            }
        }
        Ok(out)
    }
}

/// Resolved application variables plus each component's variable templates.
#[derive(Debug, Clone)]
pub struct Resolver {
    values: HashMap<String, String>,
    components: HashMap<String, BTreeMap<String, Template>>,
}

impl Resolver {
    /// Resolves every application variable of `manifest`, looking each one up
    /// as `env("SPIN_VARIABLE_<NAME>")` before falling back to its default.
    ///
    /// Fails, naming all of them, when required variables have no value, and
    /// when a component template refers to an undeclared variable.
    pub fn new(manifest: &Manifest, env: impl Fn(&str) -> Option<String>) -> anyhow::Result<Self> {
        let mut values = HashMap::new();
        let mut missing = Vec::new();
        for (name, variable) in &manifest.variables {
            match env(&env_var_name(name)).or_else(|| variable.default.clone()) {
                Some(value) => {
                    values.insert(name.clone(), value);
                }
                None => missing.push(name.as_str()),
            }
        }
        if !missing.is_empty() {
            let hints: Vec<String> = missing
                .iter()
                .map(|name| format!("{name:?} (set {})", env_var_name(name)))
                .collect();
            bail!(
                "required application variable(s) have no value: {}",
                hints.join(", ")
            );
        }

        let mut components = HashMap::new();
        for (id, component) in &manifest.components {
            let mut templates = BTreeMap::new();
            for (key, text) in &component.variables {
                let template = Template::parse(text)
                    .with_context(|| format!("component {id:?}, variable {key:?}"))?;
                if let Some(unknown) = template.variables().find(|v| !values.contains_key(*v)) {
                    bail!(
                        "component {id:?}, variable {key:?}: unknown application variable {unknown:?}"
                    );
                }
                templates.insert(key.clone(), template);
            }
            components.insert(id.clone(), templates);
        }
        Ok(Resolver { values, components })
    }

    /// The value of component variable `name` for `component_id`, as
    /// `fermyon:spin/variables.get` returns it.
    pub fn resolve_component(&self, component_id: &str, name: &str) -> Result<String, VarError> {
        validate_name(name)
            .map_err(|reason| VarError::InvalidName(format!("{name:?}: {reason}")))?;
        let templates = self.components.get(component_id).ok_or_else(|| {
            VarError::Undefined(format!("no variable for component {component_id:?}"))
        })?;
        let template = templates.get(name).ok_or_else(|| {
            VarError::Undefined(format!("no variable for {component_id:?}.{name:?}"))
        })?;
        template
            .render(&self.values)
            // `new` checked every reference, so this only guards against misuse.
            .map_err(|v| VarError::Other(format!("unresolved application variable {v:?}")))
    }

    /// Expands `{{ name }}` in `template` with application variables, e.g. an
    /// `allowed_outbound_hosts` entry such as `"{{ sms_gateway_url }}"`.
    pub fn expand(&self, template: &str) -> anyhow::Result<String> {
        let parsed = Template::parse(template)?;
        parsed
            .render(&self.values)
            .map_err(|v| anyhow::anyhow!("{template:?}: unknown application variable {v:?}"))
    }
}

/// Reads a `.env` file the way Spin's environment provider merges one in
/// (Spin reads `.env` from the working directory; the process environment
/// wins over it). A missing file gives an empty map.
///
/// Supported: `KEY=value`, `export KEY=value`, `#` comments, single-quoted
/// (literal) and double-quoted (`\n`, `\"`, `\\` escapes) values. `${VAR}`
/// substitution is not supported.
pub fn read_dotenv(path: &Path) -> anyhow::Result<HashMap<String, String>> {
    let text = match std::fs::read_to_string(path) {
        Ok(text) => text,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(HashMap::new()),
        Err(e) => return Err(e).with_context(|| format!("reading {}", path.display())),
    };
    parse_dotenv(&text).with_context(|| format!("parsing {}", path.display()))
}

fn parse_dotenv(text: &str) -> anyhow::Result<HashMap<String, String>> {
    let mut map = HashMap::new();
    for (index, line) in text.lines().enumerate() {
        let line = line.trim();
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        let line = line.strip_prefix("export ").unwrap_or(line);
        let Some((key, raw)) = line.split_once('=') else {
            bail!("line {}: expected KEY=VALUE", index + 1);
        };
        let key = key.trim();
        if key.is_empty() {
            bail!("line {}: empty key", index + 1);
        }
        let raw = raw.trim();
        let value = if let Some(quoted) = raw.strip_prefix('\'') {
            let Some((value, _)) = quoted.split_once('\'') else {
                bail!("line {}: unterminated single quote", index + 1);
            };
            value.to_string()
        } else if let Some(quoted) = raw.strip_prefix('"') {
            unescape_double_quoted(quoted)
                .with_context(|| format!("line {}: unterminated double quote", index + 1))?
        } else {
            // An unquoted value ends at an inline comment.
            match raw.find(" #") {
                Some(end) => raw[..end].trim_end().to_string(),
                None => raw.to_string(),
            }
        };
        map.insert(key.to_string(), value);
    }
    Ok(map)
}

fn unescape_double_quoted(s: &str) -> anyhow::Result<String> {
    let mut out = String::new();
    let mut chars = s.chars();
    while let Some(c) = chars.next() {
        match c {
            '"' => return Ok(out),
            '\\' => match chars.next() {
                Some('n') => out.push('\n'),
                Some('t') => out.push('\t'),
                Some(other) => out.push(other),
                None => break,
            },
            other => out.push(other),
        }
    }
    bail!("missing closing '\"'")
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use std::path::PathBuf;

    fn manifest(text: &str) -> Manifest {
        Manifest::parse(text, &PathBuf::from("/app")).unwrap()
    }

    const APP: &str = r#"
        spin_manifest_version = 2
        [application]
        name = "city"
        [variables]
        api_host = { default = "api.example.org" }
        sms_gateway_url = { default = "https://sms.example.org" }
        token = { required = true, secret = true }
        [[trigger.http]]
        route = "/..."
        component = "web"
        [component.web]
        source = "web.wasm"
        allowed_outbound_hosts = ["{{ sms_gateway_url }}"]
        [component.web.variables]
        users_url = "https://{{ api_host }}/users"
        bare = "{{api_host}}"
        twice = "{{ api_host }}-{{  token  }}"
        literal = "no templates here"
        api_token = "{{ token }}"
    "#;

    fn env(pairs: &'static [(&'static str, &'static str)]) -> impl Fn(&str) -> Option<String> {
        move |k| {
            pairs
                .iter()
                .find(|(n, _)| *n == k)
                .map(|(_, v)| v.to_string())
        }
    }

    #[test]
    fn env_name_is_prefixed_and_upper_cased() {
        assert_eq!(env_var_name("api_host"), "SPIN_VARIABLE_API_HOST");
    }

    #[test]
    fn environment_value_beats_default() {
        let m = manifest(APP);
        let r = Resolver::new(
            &m,
            env(&[
                ("SPIN_VARIABLE_API_HOST", "localhost:9"),
                ("SPIN_VARIABLE_TOKEN", "t"),
            ]),
        )
        .unwrap();
        assert_eq!(
            r.resolve_component("web", "users_url").unwrap(),
            "https://localhost:9/users"
        );
    }

    #[test]
    fn default_is_used_when_environment_is_silent() {
        let r = Resolver::new(&manifest(APP), env(&[("SPIN_VARIABLE_TOKEN", "t")])).unwrap();
        assert_eq!(
            r.resolve_component("web", "users_url").unwrap(),
            "https://api.example.org/users"
        );
    }

    #[test]
    fn empty_environment_value_counts_as_a_value() {
        let r = Resolver::new(&manifest(APP), env(&[("SPIN_VARIABLE_TOKEN", "")])).unwrap();
        assert_eq!(r.resolve_component("web", "api_token").unwrap(), "");
    }

    #[test]
    fn errors_when_required_variable_is_missing() {
        let err = Resolver::new(&manifest(APP), env(&[]))
            .unwrap_err()
            .to_string();
        assert!(err.contains("\"token\""), "{err}");
        assert!(err.contains("SPIN_VARIABLE_TOKEN"), "{err}");
    }

    #[test]
    fn template_whitespace_is_tolerated_and_literals_kept() {
        let r = Resolver::new(&manifest(APP), env(&[("SPIN_VARIABLE_TOKEN", "s3")])).unwrap();
        assert_eq!(
            r.resolve_component("web", "bare").unwrap(),
            "api.example.org"
        );
        assert_eq!(
            r.resolve_component("web", "twice").unwrap(),
            "api.example.org-s3"
        );
        assert_eq!(
            r.resolve_component("web", "literal").unwrap(),
            "no templates here"
        );
    }

    #[test]
    fn invalid_name_is_reported_as_invalid_name() {
        let r = Resolver::new(&manifest(APP), env(&[("SPIN_VARIABLE_TOKEN", "t")])).unwrap();
        for bad in ["", "Users_url", "users-url", "1abc", "_x", "x_", "a__b"] {
            assert!(
                matches!(
                    r.resolve_component("web", bad),
                    Err(VarError::InvalidName(_))
                ),
                "{bad:?}"
            );
        }
    }

    #[test]
    fn unknown_variable_or_component_is_undefined() {
        let r = Resolver::new(&manifest(APP), env(&[("SPIN_VARIABLE_TOKEN", "t")])).unwrap();
        assert_eq!(
            r.resolve_component("web", "nope"),
            Err(VarError::Undefined(
                "no variable for \"web\".\"nope\"".into()
            ))
        );
        assert!(matches!(
            r.resolve_component("ghost", "bare"),
            Err(VarError::Undefined(_))
        ));
    }

    #[test]
    fn app_variables_are_not_visible_to_components_directly() {
        let r = Resolver::new(&manifest(APP), env(&[("SPIN_VARIABLE_TOKEN", "t")])).unwrap();
        assert!(matches!(
            r.resolve_component("web", "api_host"),
            Err(VarError::Undefined(_))
        ));
    }

    #[test]
    fn expand_substitutes_outbound_host_templates() {
        let r = Resolver::new(&manifest(APP), env(&[("SPIN_VARIABLE_TOKEN", "t")])).unwrap();
        assert_eq!(
            r.expand("{{ sms_gateway_url }}").unwrap(),
            "https://sms.example.org"
        );
        assert_eq!(
            r.expand("https://*.example.org").unwrap(),
            "https://*.example.org"
        );
        assert!(r.expand("{{ nope }}").is_err());
        assert!(r.expand("{{ api_host").is_err());
    }

    #[test]
    fn template_parse_splits_literals_and_expressions() {
        let t = Template::parse("a-{{ x }}-b{{y}}").unwrap();
        assert_eq!(t.variables().collect::<Vec<_>>(), ["x", "y"]);
        assert!(Template::parse("{{ ok }} {{ unmatched").is_err());
        assert_eq!(Template::parse("").unwrap().variables().count(), 0);
        // A lone closing brace pair is literal text, as in Spin.
        assert_eq!(Template::parse("a }} b").unwrap().variables().count(), 0);
    }

    #[test]
    fn names_follow_spin_key_rules() {
        for good in ["a", "abc", "a1b2c3", "a_1", "a_1_b_3"] {
            assert!(validate_name(good).is_ok(), "{good}");
        }
        for bad in ["", "aX", "1bc", "_x", "x.y", "x_", "a__b", "x-y"] {
            assert!(validate_name(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn dotenv_parses_common_forms() {
        let map = parse_dotenv(
            "# comment\nSPIN_VARIABLE_A=plain # note\nexport SPIN_VARIABLE_B='lit #x'\nSPIN_VARIABLE_C=\"q\\n\\\"x\\\"\"\n\nSPIN_VARIABLE_D=\n",
        )
        .unwrap();
        assert_eq!(map["SPIN_VARIABLE_A"], "plain");
        assert_eq!(map["SPIN_VARIABLE_B"], "lit #x");
        assert_eq!(map["SPIN_VARIABLE_C"], "q\n\"x\"");
        assert_eq!(map["SPIN_VARIABLE_D"], "");
        assert!(parse_dotenv("NOEQUALS\n").is_err());
        assert!(parse_dotenv("A=\"open\n").is_err());
    }

    #[test]
    fn missing_dotenv_file_is_empty() {
        let map = read_dotenv(Path::new("/definitely/not/here/.env")).unwrap();
        assert!(map.is_empty());
    }
}
