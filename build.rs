//! Writes the shipped scenarios as the browser bundles carry them (`src/view/shipped.rs`
//! includes them from here): each file's JSON without its guide's claims (`expect`, which only
//! the guide tests read) and without layout whitespace. A page then downloads the words of its
//! guides, not the checks behind them: about a third of the text, gzipped.

use std::path::Path;

fn main() {
    println!("cargo::rerun-if-changed=scenarios");
    let out = Path::new(&std::env::var("OUT_DIR").expect("cargo sets OUT_DIR")).join("scenarios");
    std::fs::create_dir_all(&out).expect("OUT_DIR is writable");
    let dir = Path::new("scenarios");
    let mut entries: Vec<_> = std::fs::read_dir(dir).expect("scenarios/ exists").filter_map(Result::ok).collect();
    entries.sort_by_key(|e| e.file_name());
    for entry in entries {
        let name = entry.file_name().to_string_lossy().into_owned();
        if !name.ends_with(".json") {
            continue;
        }
        let text = std::fs::read_to_string(entry.path()).expect("a scenario is UTF-8");
        // A file that does not parse is copied as it is: the scenario tests report it, by path.
        let shipped = match serde_json::from_str::<serde_json::Value>(&text) {
            Ok(mut value) => {
                if let Some(steps) = value.pointer_mut("/guide/steps").and_then(serde_json::Value::as_array_mut) {
                    for step in steps.iter_mut().filter_map(serde_json::Value::as_object_mut) {
                        step.remove("expect");
                    }
                }
                value.to_string()
            }
            Err(_) => text,
        };
        std::fs::write(out.join(&name), shipped).expect("OUT_DIR is writable");
    }
}
