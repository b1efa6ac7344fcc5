//! Same scenario + same seed = the same trace, byte for byte, natively and in wasm: both
//! targets run this file against the same golden digests (scripts/test.sh runs it in Node.js
//! through wasm-bindgen-test-runner). A digest changes only when behaviour changes; if that is
//! intended, update the constant and say why in the commit.

use distlab::scenario::{BuildOptions, Scenario};
use distlab::sim::TraceMode;

fn digest(text: &str, name: &str, seed: Option<u64>) -> (String, u64) {
    let sc = Scenario::parse(text, Some(name)).unwrap_or_else(|e| panic!("{e}"));
    let mut built = sc.build(&BuildOptions { seed, until_us: None, trace: TraceMode::Hash }).unwrap_or_else(|e| panic!("{e}"));
    built.run_to_end();
    (built.run.trace_hash(), built.run.events())
}

#[path = "support/golden.rs"]
mod golden;
use golden::{GOLDEN, MULTIPAXOS, PAXOS_BACKOFF, TOUR};

#[cfg_attr(target_arch = "wasm32", wasm_bindgen_test::wasm_bindgen_test)]
#[cfg_attr(not(target_arch = "wasm32"), test)]
fn traces_match_the_golden_digests() {
    let mut got = Vec::new();
    for (name, text, seed, _, _) in GOLDEN {
        got.push(digest(text, name, *seed));
    }
    let want: Vec<(String, u64)> = GOLDEN.iter().map(|g| (g.3.to_string(), g.4)).collect();
    assert_eq!(got, want);
}

#[cfg_attr(target_arch = "wasm32", wasm_bindgen_test::wasm_bindgen_test)]
#[cfg_attr(not(target_arch = "wasm32"), test)]
fn same_seed_repeats_and_another_seed_differs() {
    let a = digest(TOUR, "raft-tour", Some(5));
    assert_eq!(a, digest(TOUR, "raft-tour", Some(5)));
    assert_ne!(a.0, digest(TOUR, "raft-tour", Some(6)).0);
    for (name, text) in [("paxos-dueling-backoff", PAXOS_BACKOFF), ("multipaxos-leader-change", MULTIPAXOS)] {
        let a = digest(text, name, Some(5));
        assert_eq!(a, digest(text, name, Some(5)), "{name}");
        assert_ne!(a.0, digest(text, name, Some(6)).0, "{name}");
    }
}
