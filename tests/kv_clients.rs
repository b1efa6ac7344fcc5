//! The key-value clients Raft and Multi-Paxos share (the Raft paper, section 8), seen as a
//! person using the service sees them: how long they go without any answer while a majority
//! of the servers is connected and could serve them.
//!
//! The measure is client-visible unavailability ([`unavailability`]): the longest stretch of
//! time during which some client request was outstanding and none completed. In
//! `raft-partition-clients`, the leader S1 is cut off with S2 at 1500 ms and the majority
//! elects a leader soon after; clients that kept asking S1 and S2 (S2 hears S1's heartbeats
//! and redirects to it) saw nothing complete until the partition healed at 3000 ms.
#![cfg(not(target_arch = "wasm32"))]

use distlab::protocols::kv::{self, KvClient, Operation};
use distlab::protocols::paxos::multi::MultiPaxos;
use distlab::protocols::raft::Raft;
use distlab::scenario::Scenario;
use distlab::scenario::compare::counterpart;
use distlab::scenario::protocol::{ScenarioProtocol, setup};
use distlab::sim::{Engine, Micros, TraceMode, ms};

const FILE: &str = "raft-partition-clients.json";
/// The scenario's partition: S1 and S2 from S3, S4 and S5.
const PARTITION_US: Micros = ms(1500);
const HEAL_US: Micros = ms(3000);
/// The scenario's client timeout and slowest one-way message.
const CLIENT_TIMEOUT_US: Micros = ms(500);
const LATENCY_MAX_US: Micros = ms(30);

/// Client-visible unavailability over `[from_us, to_us]`: the longest stretch during which
/// some request in `ops` was outstanding (invoked, not yet completed) and no request completed,
/// as (start, end). A stretch with nothing outstanding is no unavailability: nobody asked.
fn unavailability(ops: &[Operation], from_us: Micros, to_us: Micros) -> (Micros, Micros) {
    let mut ends: Vec<Micros> = ops.iter().filter_map(|o| o.completed_us).filter(|&c| from_us < c && c < to_us).collect();
    ends.sort_unstable();
    ends.push(to_us);
    let mut longest = (from_us, from_us);
    let mut last = from_us;
    for end in ends {
        // Outstanding over (last, end): invoked before `end`, not completed before it.
        let waiting_since = ops.iter().filter(|o| o.invoked_us < end && o.completed_us.is_none_or(|c| c >= end)).map(|o| o.invoked_us).min();
        if let Some(since) = waiting_since {
            let start = since.max(last);
            if end - start > longest.1 - longest.0 {
                longest = (start, end);
            }
        }
        last = end;
    }
    longest
}

fn shipped() -> Scenario {
    let path = format!("{}/scenarios/{FILE}", env!("CARGO_MANIFEST_DIR"));
    Scenario::load(std::path::Path::new(&path)).unwrap_or_else(|e| panic!("{e}"))
}

/// The shipped scenario with the partition never healed, over `until_us`.
fn never_healed(until_us: Micros) -> Scenario {
    let path = format!("{}/scenarios/{FILE}", env!("CARGO_MANIFEST_DIR"));
    let mut v: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(path).expect("shipped")).expect("JSON");
    v.as_object_mut().expect("an object").remove("guide");
    v["schedule"].as_array_mut().expect("a schedule").retain(|e| e.get("heal").is_none());
    v["until_ms"] = (until_us / 1000).into();
    Scenario::parse(&v.to_string(), None).unwrap_or_else(|e| panic!("{e}"))
}

fn run<P: ScenarioProtocol<Client = KvClient>>(sc: &Scenario, seed: u64) -> Engine<P> {
    let mut e = Engine::new(setup::<P>(sc, seed, TraceMode::Off).unwrap_or_else(|e| panic!("{e}")));
    e.run_until(sc.until_us);
    e
}

fn history<P: ScenarioProtocol<Client = KvClient>>(e: &Engine<P>) -> Vec<Operation> {
    kv::history(e.clients().iter().map(|c| &c.state))
}

/// When the majority side elected its leader (the first leader after the partition).
fn raft_elected(e: &Engine<Raft>) -> Micros {
    e.checker().leaders.values().map(|&(_, at)| at).filter(|&at| at > PARTITION_US).min().expect("the majority elects a leader")
}

fn multipaxos_elected(e: &Engine<MultiPaxos>) -> Micros {
    e.checker().leaders().values().copied().filter(|&at| at > PARTITION_US).min().expect("the majority elects a leader")
}

/// What a client that follows section 8 needs: its timeout to notice (from the moment the
/// majority has a leader, or the partition if later, as a client turned away by a candidate
/// waits a whole timeout too), then a few message delays to ask around, be redirected, and
/// have its command committed and answered.
fn bound(elected_us: Micros) -> Micros {
    elected_us - PARTITION_US + CLIENT_TIMEOUT_US + 10 * LATENCY_MAX_US
}

fn check(protocol: &str, ops: &[Operation], elected_us: Micros, until_us: Micros) -> (Micros, Micros) {
    let (start, end) = unavailability(ops, PARTITION_US, until_us);
    let limit = bound(elected_us);
    eprintln!("{protocol}: longest wait {start}–{end} µs ({} µs), majority's leader at {elected_us} µs, bound {limit} µs", end - start);
    assert!(
        end - start <= limit,
        "{protocol}: no request completed from {start} to {end} µs ({} ms), with the majority's leader elected at {elected_us} µs: more than {} ms",
        (end - start) / 1000,
        limit / 1000
    );
    (start, end)
}

/// Section 8: a client that gets no answer tries another server, and trusts its own timeout
/// over a follower's hint that points back at the leader it could not reach. The shipped
/// scenario, as Raft: writes complete on the majority side within a timeout and a few message
/// delays of S3's election, long before the partition heals (before the fix, 1500–3199 ms).
#[test]
fn section_8_raft_clients_leave_a_leader_cut_off_in_a_minority() {
    let sc = shipped();
    let e = run::<Raft>(&sc, sc.seed);
    let ops = history(&e);
    let (start, end) = check("raft", &ops, raft_elected(&e), sc.until_us);
    assert!(end < HEAL_US, "a write completed during the partition");
    assert_eq!(start, PARTITION_US, "C2's request sent as the network split is the one that waits");
    assert!(ops.iter().all(|o| o.completed_us.is_some()), "every write is answered: {ops:?}");
}

/// The same run as Multi-Paxos (the same client, workload, faults and seed).
#[test]
fn section_8_multipaxos_clients_leave_a_leader_cut_off_in_a_minority() {
    let sc = counterpart(&shipped(), "multipaxos").unwrap_or_else(|e| panic!("{e}"));
    let e = run::<MultiPaxos>(&sc, sc.seed);
    let ops = history(&e);
    let (_, end) = check("multipaxos", &ops, multipaxos_elected(&e), sc.until_us);
    assert!(end < HEAL_US, "a write completed during the partition");
    assert!(ops.iter().all(|o| o.completed_us.is_some()), "every write is answered: {ops:?}");
}

/// Over many seeds and a partition that never heals, for both protocols: clients never wait
/// for the old leader's side to come back. Before the fix, they waited for the whole run.
#[test]
fn section_8_clients_reach_the_majority_whatever_the_seed() {
    let until = ms(6000);
    let sc = never_healed(until);
    let mp = counterpart(&sc, "multipaxos").unwrap_or_else(|e| panic!("{e}"));
    for seed in 1..=20 {
        let e = run::<Raft>(&sc, seed);
        check(&format!("raft, seed {seed}"), &history(&e), raft_elected(&e), until);
        let e = run::<MultiPaxos>(&mp, seed);
        check(&format!("multipaxos, seed {seed}"), &history(&e), multipaxos_elected(&e), until);
    }
}

/// The measure itself: only time with a request outstanding counts, and a completion ends a
/// stretch.
#[test]
fn unavailability_is_the_longest_wait_with_a_request_outstanding() {
    let op = |invoked_ms: u64, completed_ms: Option<u64>| Operation {
        client: 1,
        seq: 1,
        command: "get x".parse().unwrap(),
        f: "get",
        key: Some("x".into()),
        value: None,
        invoked_us: ms(invoked_ms),
        completed_us: completed_ms.map(ms),
        status: if completed_ms.is_some() { "ok" } else { "pending" },
        result: None,
    };
    // Busy from 100 to 300, idle until 600, then one request outstanding to the end.
    let ops = [op(100, Some(200)), op(150, Some(300)), op(600, None)];
    assert_eq!(unavailability(&ops, 0, ms(1000)), (ms(600), ms(1000)));
    assert_eq!(unavailability(&ops, 0, ms(500)), (ms(100), ms(200)), "nothing outstanding from 300 to 500");
    assert_eq!(unavailability(&ops[..2], ms(120), ms(250)), (ms(120), ms(200)), "a stretch starts no earlier than the window, and ends with it");
    assert_eq!(unavailability(&[], 0, ms(1000)), (0, 0));
}
