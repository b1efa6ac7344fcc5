//! The golden digests: for each, a shipped scenario, a seed override, and the trace digest and
//! event count its run must give, natively and in wasm (`tests/determinism.rs`). Every protocol
//! of the registry has at least one (`tests/registry.rs` checks). A digest changes only when
//! behaviour changes; if that is intended, update it and say why in the commit.

pub const TOUR: &str = include_str!("../../scenarios/raft-tour.json");
const FIGURE_7: &str = include_str!("../../scenarios/raft-figure7.json");
const FIGURE_8_BUG: &str = include_str!("../../scenarios/raft-figure8-planted-bug.json");
pub const PAXOS_BACKOFF: &str = include_str!("../../scenarios/paxos-dueling-backoff.json");
const PAXOS_UNANNOUNCED: &str = include_str!("../../scenarios/paxos-chosen-unannounced.json");
// A learner's catch-up timer, its questions and the answers.
const PAXOS_CATCH_UP: &str = include_str!("../../scenarios/paxos-learner-catch-up.json");
pub const MULTIPAXOS: &str = include_str!("../../scenarios/multipaxos-leader-change.json");
// Clients leaving a leader cut off in a minority: the key-value client's retry rules.
const RAFT_PARTITION_CLIENTS: &str = include_str!("../../scenarios/raft-partition-clients.json");
// Exponential service times, Poisson gaps and a Zipf table: the balancer's reproducible ln/exp.
const BALANCER_HEALTH: &str = include_str!("../../scenarios/balancer-health-check-failure.json");
const BALANCER_ZIPF: &str = include_str!("../../scenarios/balancer-zipf-bounded-load.json");
// Concurrent transactions with a crash, and 3PC's partition flaw (a violation, then more).
const TWO_PC_CONCURRENT: &str = include_str!("../../scenarios/2pc-concurrent.json");
const THREE_PC_FLAW: &str = include_str!("../../scenarios/3pc-partition-flaw.json");

/// (scenario, its text, seed override, trace_hash, events).
pub const GOLDEN: &[(&str, &str, Option<u64>, &str, u64)] = &[
    ("raft-tour", TOUR, None, "e4ded07e015ecddd", 789),
    ("raft-tour", TOUR, Some(99), "a2a6b1d209a52f2c", 796),
    ("raft-figure7", FIGURE_7, None, "bc425b41f11f77d9", 313),
    ("raft-figure8-planted-bug", FIGURE_8_BUG, None, "9f9c69f37ea74ae7", 181),
    ("raft-partition-clients", RAFT_PARTITION_CLIENTS, None, "82e3fa32aa7b14fe", 1038),
    ("paxos-dueling-backoff", PAXOS_BACKOFF, None, "da0293d34f800809", 84),
    ("paxos-chosen-unannounced", PAXOS_UNANNOUNCED, None, "df63f58648467e73", 58),
    ("paxos-learner-catch-up", PAXOS_CATCH_UP, None, "aa183b98c0ddce7e", 39),
    ("multipaxos-leader-change", MULTIPAXOS, None, "4553ff475c1d17bd", 311),
    ("multipaxos-leader-change", MULTIPAXOS, Some(99), "ddfee10d681521e7", 302),
    ("balancer-health-check-failure", BALANCER_HEALTH, None, "af797c6a2a41930a", 5238),
    ("balancer-zipf-bounded-load", BALANCER_ZIPF, None, "892b8d5cbb186d13", 12194),
    ("2pc-concurrent", TWO_PC_CONCURRENT, None, "191fa886cc03103f", 230),
    ("3pc-partition-flaw", THREE_PC_FLAW, None, "331a36937bf2b42d", 35),
];
