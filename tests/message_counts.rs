//! The message counts of `distlab run`'s report (`messages`), over every shipped scenario: they
//! add up (sent + duplicated = delivered + dropped + in flight, in total and per type), and they
//! are what the run's own typed events say, counted here apart from the engine: every `send`,
//! `deliver`, `drop` and `duplicate` the trace records, by the type the protocol names, and the
//! messages sent or copied that met no end.
#![cfg(all(not(target_arch = "wasm32"), feature = "report"))]

use std::collections::{BTreeMap, BTreeSet};

use distlab::scenario::{BuildOptions, Scenario};
use distlab::sim::network::DropReason;
use distlab::sim::{Event, TraceMode};
use serde_json::{Value, json};

/// How far a run is followed event by event.
const MAX_EVENTS: u64 = 200_000;

/// Per type: sent, delivered, dropped, duplicated, in flight.
type Tally = BTreeMap<String, [u64; 5]>;

fn shipped() -> Vec<(String, Scenario)> {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios");
    let mut names: Vec<String> =
        std::fs::read_dir(&dir).expect("scenarios/ exists").filter_map(|e| e.ok()).map(|e| e.file_name().to_string_lossy().into_owned()).filter(|n| n.ends_with(".json")).collect();
    names.sort();
    names.into_iter().map(|n| (n.clone(), Scenario::load(&dir.join(&n)).unwrap_or_else(|e| panic!("{e}")))).collect()
}

/// The report's `messages` as the same tally, checking its totals against its types.
fn reported(name: &str, messages: &Value) -> Tally {
    const FIELDS: [&str; 5] = ["sent", "delivered", "dropped", "duplicated", "in_flight"];
    let count = |v: &Value, f: &str| v[f].as_u64().unwrap_or_else(|| panic!("{name}: messages.{f} in {v}"));
    let by_type: Tally = messages["by_type"].as_object().unwrap_or_else(|| panic!("{name}: messages.by_type")).iter().map(|(kind, c)| (kind.clone(), FIELDS.map(|f| count(c, f)))).collect();
    for (i, f) in FIELDS.iter().enumerate() {
        assert_eq!(count(messages, f), by_type.values().map(|c| c[i]).sum::<u64>(), "{name}: messages.{f} is the sum of its types");
    }
    by_type
}

#[test]
fn every_shipped_runs_message_counts_add_up_and_match_its_events() {
    let mut protocols_seen = BTreeSet::new();
    let mut totals = json!({});
    for (name, sc) in shipped() {
        let mut built = sc.build(&BuildOptions { trace: TraceMode::Lines, ..Default::default() }).unwrap_or_else(|e| panic!("{name}: {e}"));
        let mut kind_of: BTreeMap<u64, String> = BTreeMap::new();
        let mut open: BTreeSet<u64> = BTreeSet::new();
        let mut tally = Tally::new();
        let bump = |tally: &mut Tally, kind: &str, i: usize| tally.entry(kind.to_string()).or_default()[i] += 1;
        // In slices of time, so that the kept lines never pile up; to the end, or as far as
        // MAX_EVENTS (balancer-load-5000 has 12 million events: the counts add up at every
        // moment, and a debug build takes minutes over all of them).
        let slices = 64;
        for k in 1..=slices {
            if built.run.events() >= MAX_EVENTS {
                break;
            }
            built.run.run_until(built.until_us * k / slices);
            for line in built.run.drain_trace() {
                match line.record {
                    Event::Send { id, kind, .. } => {
                        bump(&mut tally, kind, 0);
                        kind_of.insert(id, kind.to_string());
                        open.insert(id);
                    }
                    Event::Duplicate { copy, of, .. } => {
                        let kind = kind_of[&of].clone();
                        bump(&mut tally, &kind, 3);
                        kind_of.insert(copy, kind);
                        open.insert(copy);
                    }
                    Event::Deliver { id, .. } => {
                        assert!(open.remove(&id), "{name}: m{id} delivered while not on the wire");
                        bump(&mut tally, &kind_of[&id], 1);
                    }
                    Event::Drop { id, kind, reason, .. } => {
                        if reason == DropReason::SenderCrashed {
                            // Sent and lost at once: it never reached the wire.
                            bump(&mut tally, kind, 0);
                        } else {
                            assert!(open.remove(&id), "{name}: m{id} dropped while not on the wire");
                        }
                        bump(&mut tally, kind, 2);
                    }
                    _ => {}
                }
            }
        }
        for id in &open {
            bump(&mut tally, &kind_of[id], 4);
        }
        let report = built.run.report();
        let counted = reported(&name, &report["messages"]);
        assert_eq!(counted, tally, "{name}: the report's counts against the run's events");
        for (kind, [sent, delivered, dropped, duplicated, in_flight]) in &counted {
            assert_eq!(sent + duplicated, delivered + dropped + in_flight, "{name}: {kind}: every message sent or copied meets one end");
        }
        assert!(report["messages"]["sent"].as_u64() > Some(0), "{name}: a run that sends nothing tests nothing");
        protocols_seen.insert(report["protocol"].as_str().expect("a protocol").to_string());
        totals[&name] = report["messages"]["dropped"].clone();
    }
    assert_eq!(protocols_seen.into_iter().collect::<Vec<_>>(), ["2pc", "3pc", "balancer", "multipaxos", "paxos", "raft"]);
    // Not only the easy case: some shipped runs lose messages (crashes, partitions, loss).
    let lossy = totals.as_object().expect("an object").values().filter(|d| d.as_u64() > Some(0)).count();
    assert!(lossy >= 10, "{lossy} shipped runs drop messages: {totals}");
}

#[test]
fn counting_leaves_the_run_unchanged() {
    // The same scenario with the trace off (counted, not traced) and with lines kept ends in the
    // same state and the same counts.
    for name in ["raft-leader-crash.json", "2pc-coordinator-crash-after-commit.json", "balancer-health-check-failure.json"] {
        let sc = shipped().into_iter().find(|(n, _)| n == name).unwrap_or_else(|| panic!("{name} is shipped")).1;
        let mut off = sc.build(&BuildOptions { trace: TraceMode::Off, ..Default::default() }).expect("builds");
        let mut hashed = sc.build(&BuildOptions { trace: TraceMode::Hash, ..Default::default() }).expect("builds");
        off.run_to_end();
        hashed.run_to_end();
        let (a, b) = (off.run.report(), hashed.run.report());
        assert_eq!((&a["messages"], &a["nodes"], &a["events"]), (&b["messages"], &b["nodes"], &b["events"]), "{name}");
    }
}
