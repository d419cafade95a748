//! Assembles the OpenAPI document from `docs/openapi/base.json` and one
//! `docs/openapi/paths/<component>.json` per component, so each component's
//! team edits only its own file.

// A broken OpenAPI source must stop the build with its file named: panicking
// is how a build script fails.
#![allow(clippy::panic)]

use std::path::Path;

fn main() {
    let docs = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../docs/openapi");
    println!("cargo:rerun-if-changed={}", docs.display());
    let base = std::fs::read_to_string(docs.join("base.json")).expect("docs/openapi/base.json");
    let mut doc: serde_json::Value = serde_json::from_str(&base).expect("base.json is JSON");
    let mut files: Vec<_> = std::fs::read_dir(docs.join("paths"))
        .expect("docs/openapi/paths")
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "json"))
        .collect();
    files.sort();
    for file in files {
        println!("cargo:rerun-if-changed={}", file.display());
        let text = std::fs::read_to_string(&file).expect("read paths file");
        let paths: serde_json::Map<String, serde_json::Value> =
            serde_json::from_str(&text).unwrap_or_else(|e| panic!("{}: {e}", file.display()));
        for (path, item) in paths {
            let slot = &mut doc["paths"][&path];
            if !slot.is_null() {
                panic!("{} defines {path} again", file.display());
            }
            *slot = item;
        }
    }
    let out = Path::new(&std::env::var("OUT_DIR").expect("OUT_DIR")).join("openapi.json");
    std::fs::write(out, serde_json::to_string(&doc).expect("serialize"))
        .expect("write openapi.json");
}
