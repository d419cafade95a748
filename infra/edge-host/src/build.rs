//! Runs component build commands the way `spin build` does.
//!
//! Each command goes through `sh -c` in the component's `workdir` (relative to
//! the manifest directory, which is also the default), with the terminal's
//! stdin/stdout/stderr, one after another; the first failure stops the build.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use anyhow::{bail, Context as _};

use crate::manifest::{BuildConfig, Manifest};

/// Builds the components in `only` (all when empty), in id order. Unknown ids
/// are an error, as in `spin build -c`. Components without a build command
/// are skipped.
pub fn build(manifest: &Manifest, only: &[String]) -> anyhow::Result<()> {
    let unknown: Vec<&str> = only
        .iter()
        .filter(|id| !manifest.components.contains_key(*id))
        .map(String::as_str)
        .collect();
    if !unknown.is_empty() {
        bail!("Unknown component(s) {}", unknown.join(", "));
    }
    let selected = manifest
        .components
        .values()
        .filter(|c| only.is_empty() || only.contains(&c.id));
    let mut built_any = false;
    for component in selected {
        if let Some(build) = &component.build {
            run_build(&component.id, build, &manifest.dir)?;
            built_any = true;
        }
    }
    if !built_any {
        eprintln!("None of the selected components have a build command.");
    }
    Ok(())
}

fn run_build(id: &str, build: &BuildConfig, app_dir: &Path) -> anyhow::Result<()> {
    let workdir =
        workdir(app_dir, build.workdir.as_deref()).with_context(|| format!("component {id}"))?;
    let count = build.commands.len();
    for (index, command) in build.commands.iter().enumerate() {
        if count > 1 {
            eprintln!(
                "Running build step {}/{count} for component {id} with `{command}`",
                index + 1
            );
        } else {
            eprintln!("Building component {id} with `{command}`");
        }
        let status = Command::new("sh")
            .arg("-c")
            .arg(command)
            .current_dir(&workdir)
            .stdin(Stdio::inherit())
            .stdout(Stdio::inherit())
            .stderr(Stdio::inherit())
            .status()
            .with_context(|| {
                format!(
                    "Cannot spawn build process `{command}` for component {id} in {}",
                    workdir.display()
                )
            })?;
        if !status.success() {
            bail!("Build command for component {id} failed with status {status}");
        }
    }
    Ok(())
}

/// Spin refuses absolute workdirs: builds must stay inside the app.
fn workdir(app_dir: &Path, workdir: Option<&Path>) -> anyhow::Result<PathBuf> {
    match workdir {
        None => Ok(app_dir.to_path_buf()),
        Some(w) if w.has_root() => {
            bail!("The workdir specified in the application file must be relative.")
        }
        Some(w) => Ok(app_dir.join(w)),
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    fn manifest(dir: &Path, components: &str) -> Manifest {
        let text = format!("spin_manifest_version = 2\n[application]\nname = \"t\"\n{components}");
        Manifest::parse(&text, dir).unwrap()
    }

    #[test]
    fn runs_commands_in_order_in_workdir() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir(dir.path().join("sub")).unwrap();
        let m = manifest(
            dir.path(),
            "[component.a]\nsource = \"a.wasm\"\n[component.a.build]\ncommand = [\"echo one > out.txt\", \"echo two >> out.txt\"]\nworkdir = \"sub\"\n",
        );
        build(&m, &[]).unwrap();
        let out = std::fs::read_to_string(dir.path().join("sub/out.txt")).unwrap();
        assert_eq!(out, "one\ntwo\n");
    }

    #[test]
    fn default_workdir_is_manifest_dir() {
        let dir = tempfile::tempdir().unwrap();
        let m = manifest(
            dir.path(),
            "[component.a]\nsource = \"a.wasm\"\nbuild = { command = \"touch built\" }\n",
        );
        build(&m, &[]).unwrap();
        assert!(dir.path().join("built").exists());
    }

    #[test]
    fn failure_names_component_and_status() {
        let dir = tempfile::tempdir().unwrap();
        let m = manifest(
            dir.path(),
            "[component.bad]\nsource = \"a.wasm\"\nbuild = { command = [\"exit 3\", \"touch never\"] }\n",
        );
        let e = build(&m, &[]).unwrap_err().to_string();
        assert!(e.contains("bad") && e.contains('3'), "{e}");
        assert!(!dir.path().join("never").exists());
    }

    #[test]
    fn filter_builds_only_selected_components() {
        let dir = tempfile::tempdir().unwrap();
        let m = manifest(
            dir.path(),
            "[component.a]\nsource = \"a.wasm\"\nbuild = { command = \"touch a\" }\n[component.b]\nsource = \"b.wasm\"\nbuild = { command = \"touch b\" }\n",
        );
        build(&m, &["b".to_string()]).unwrap();
        assert!(!dir.path().join("a").exists());
        assert!(dir.path().join("b").exists());
    }

    #[test]
    fn errors_on_unknown_component_filter() {
        let dir = tempfile::tempdir().unwrap();
        let m = manifest(dir.path(), "[component.a]\nsource = \"a.wasm\"\n");
        let e = build(&m, &["ghost".to_string()]).unwrap_err().to_string();
        assert!(e.contains("ghost"), "{e}");
    }

    #[test]
    fn components_without_build_are_skipped() {
        let dir = tempfile::tempdir().unwrap();
        let m = manifest(dir.path(), "[component.a]\nsource = \"a.wasm\"\n");
        build(&m, &[]).unwrap();
    }

    #[test]
    fn absolute_workdir_is_refused() {
        let dir = tempfile::tempdir().unwrap();
        let m = manifest(dir.path(), "[component.a]\nsource = \"a.wasm\"\nbuild = { command = \"true\", workdir = \"/tmp\" }\n");
        let e = format!("{:#}", build(&m, &[]).unwrap_err());
        assert!(e.contains("must be relative"), "{e}");
    }
}
