//! The registry walked: every protocol it lists has every part a protocol needs (see
//! `docs/adding-a-protocol.md`): a scenario parser, shipped scenarios, a lab face, a page, the
//! CLI, and a golden digest. A protocol added to the registry without one of them fails here,
//! naming what is missing.

use std::process::Command;

use distlab::protocols::registry::{REGISTRY, Registered};
use distlab::scenario::Scenario;
use distlab::view::family::{FAMILIES, family_of};
use distlab::view::lab::LabRun;
use distlab::view::shipped::SHIPPED;

#[path = "support/golden.rs"]
mod golden;

/// The parts `r` lacks, in words (empty when it has them all).
fn missing_parts(r: &Registered) -> Vec<String> {
    let mut missing = Vec::new();
    let mut lack = |part: &str, why: String| missing.push(format!("{}: {part} ({why})", r.name));
    match distlab::scenario::protocol(r.name) {
        Some(kind) if kind.max_nodes() >= 1 => {}
        Some(_) => lack("scenario parser", "it runs no cluster size".into()),
        None => lack("scenario parser", "no ScenarioProtocol of this name in the build; is its NAME the registry's?".into()),
    }
    let shipped: Vec<_> = SHIPPED.iter().filter(|s| s.protocol == r.name).collect();
    let Some(first) = shipped.first() else {
        lack("shipped scenarios", "no entry in view::shipped::SHIPPED".into());
        return missing;
    };
    for s in &shipped {
        let path = format!("{}/scenarios/{}", env!("CARGO_MANIFEST_DIR"), s.name);
        match std::fs::read_to_string(&path).map_err(|e| e.to_string()).and_then(|t| Scenario::parse(&t, Some(s.name)).map_err(|e| e.to_string())) {
            Ok(sc) if sc.protocol == r.name => {}
            Ok(sc) => lack("shipped scenarios", format!("{} runs {}", s.name, sc.protocol)),
            Err(e) => lack("shipped scenarios", e),
        }
    }
    match LabRun::shipped(first.name) {
        Ok(run) => {
            if run.nodes().len() as u32 != run.node_count() || run.legend().is_empty() || run.invariants().is_empty() {
                lack("lab face", format!("{} shows {} of {} servers, {} legend entries, {} invariants", first.name, run.nodes().len(), run.node_count(), run.legend().len(), run.invariants().len()));
            }
            if let Err(e) = run.playground(3, 1) {
                lack("lab face", format!("no playground: {e}"));
            }
        }
        Err(e) => lack("lab face", e),
    }
    match family_of(r.name) {
        Some(f) if FAMILIES.iter().any(|g| g.id == r.family) && f.id == r.family => {}
        _ => lack("page", format!("no family \"{}\" in view::family::FAMILIES", r.family)),
    }
    let cli = Command::new(env!("CARGO_BIN_EXE_distlab")).args(["run", &format!("scenarios/{}", first.name)]).current_dir(env!("CARGO_MANIFEST_DIR")).output().expect("the CLI runs");
    let report: Option<serde_json::Value> = serde_json::from_slice(&cli.stdout).ok();
    if report.as_ref().and_then(|v| v["protocol"].as_str()) != Some(r.name) {
        lack("CLI", format!("`distlab run scenarios/{}` said: {}", first.name, String::from_utf8_lossy(&cli.stderr).trim()));
    }
    if !golden::GOLDEN.iter().any(|(name, text, ..)| shipped.iter().any(|s| s.name.trim_end_matches(".json") == *name) && text.contains(&format!("\"protocol\": \"{}\"", r.name))) {
        lack("golden digest", "no scenario of it in tests/support/golden.rs".into());
    }
    missing
}

#[test]
fn every_registered_protocol_has_every_part() {
    let missing: Vec<String> = REGISTRY.iter().flat_map(missing_parts).collect();
    assert!(missing.is_empty(), "{missing:#?}");
}

#[test]
fn a_protocol_registered_with_nothing_else_is_reported_part_by_part() {
    let bare = Registered { name: "zab", title: "Zab", family: "zookeeper" };
    let missing = missing_parts(&bare);
    assert!(missing.iter().any(|m| m.contains("scenario parser")), "{missing:#?}");
    assert!(missing.iter().any(|m| m.contains("shipped scenarios")), "{missing:#?}");

    // One with scenarios but in no family and without a golden digest: as if 2PC's line named
    // a family that does not exist.
    let stray = Registered { name: "2pc", title: "2PC", family: "zookeeper" };
    let missing = missing_parts(&stray);
    assert_eq!(missing.len(), 1, "{missing:#?}");
    assert!(missing[0].contains("page"), "{missing:#?}");
}

#[test]
fn every_golden_digest_is_of_a_shipped_scenario() {
    for (name, ..) in golden::GOLDEN {
        assert!(SHIPPED.iter().any(|s| s.name == format!("{name}.json")), "{name} is not shipped");
    }
}
