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

const TOUR: &str = include_str!("../scenarios/raft-tour.json");
const FIGURE_7: &str = include_str!("../scenarios/raft-figure7.json");
const FIGURE_8_BUG: &str = include_str!("../scenarios/raft-figure8-planted-bug.json");
const PAXOS_BACKOFF: &str = include_str!("../scenarios/paxos-dueling-backoff.json");
const PAXOS_UNANNOUNCED: &str = include_str!("../scenarios/paxos-chosen-unannounced.json");
const MULTIPAXOS: &str = include_str!("../scenarios/multipaxos-leader-change.json");
// Exponential service times, Poisson gaps and a Zipf table: the balancer's reproducible ln/exp.
const BALANCER_HEALTH: &str = include_str!("../scenarios/balancer-health-check-failure.json");
const BALANCER_ZIPF: &str = include_str!("../scenarios/balancer-zipf-bounded-load.json");

/// The golden digests: (scenario, seed override, trace_hash, events).
const GOLDEN: &[(&str, &str, Option<u64>, &str, u64)] = &[
    ("raft-tour", TOUR, None, "a35059866889ab69", 789),
    ("raft-tour", TOUR, Some(99), "6e33ec94b230089a", 796),
    ("raft-figure7", FIGURE_7, None, "bc425b41f11f77d9", 313),
    ("raft-figure8-planted-bug", FIGURE_8_BUG, None, "9f9c69f37ea74ae7", 181),
    ("paxos-dueling-backoff", PAXOS_BACKOFF, None, "da0293d34f800809", 84),
    ("paxos-chosen-unannounced", PAXOS_UNANNOUNCED, None, "df63f58648467e73", 58),
    ("multipaxos-leader-change", MULTIPAXOS, None, "473e333d415bca5a", 340),
    ("multipaxos-leader-change", MULTIPAXOS, Some(99), "52784e6670ab7cbe", 325),
    ("balancer-health-check-failure", BALANCER_HEALTH, None, "af797c6a2a41930a", 5238),
    ("balancer-zipf-bounded-load", BALANCER_ZIPF, None, "892b8d5cbb186d13", 12194),
];

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
