//! Tests of scenario files: parsing, error messages, writing back, building runs.

use serde_json::json;

use super::*;
use crate::sim::{Action, Target, When};

/// Every shipped scenario file, by name.
fn shipped() -> Vec<(String, String)> {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios");
    let mut files: Vec<(String, String)> = std::fs::read_dir(&dir)
        .expect("scenarios/ exists")
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|x| x == "json"))
        .map(|p| (format!("scenarios/{}", p.file_name().unwrap().to_string_lossy()), std::fs::read_to_string(&p).unwrap()))
        .collect();
    files.sort();
    files
}

fn parse(v: serde_json::Value) -> Result<Scenario, ScenarioError> {
    Scenario::parse(&v.to_string(), Some("scenarios/x.json"))
}

fn err(v: serde_json::Value) -> String {
    parse(v).map(|_| ()).unwrap_err().to_string()
}

#[test]
fn every_shipped_scenario_parses_builds_and_round_trips() {
    let files = shipped();
    for name in ["raft-election.json", "raft-leader-crash.json", "raft-partition.json", "raft-tour.json"] {
        assert!(files.iter().any(|(f, _)| f.ends_with(name)), "scenarios/{name} is missing");
    }
    for (file, text) in files {
        let sc = Scenario::parse(&text, Some(&file)).unwrap_or_else(|e| panic!("{e}"));
        let written = sc.to_json();
        let back = Scenario::parse(&written, Some(&file)).unwrap_or_else(|e| panic!("{file} written back: {e}\n{written}"));
        assert_eq!(back, sc, "{file} round trip:\n{written}");
        let mut built = sc.build(&BuildOptions::default()).unwrap();
        built.run_to_end();
        assert_eq!(built.run.now(), sc.until_us);
    }
}

#[test]
fn the_tour_maps_every_field() {
    let text = include_str!("../../scenarios/raft-tour.json");
    let sc = Scenario::parse(text, None).unwrap();
    assert_eq!((sc.protocol.as_str(), sc.nodes, sc.seed, sc.until_us), ("raft", 5, 7, 5_000_000));
    assert_eq!(sc.links, vec![(1, 2, LinkProfile { latency_us_min: 50_000, latency_us_max: 80_000, loss_ppm: 100_000, duplicate_ppm: 0 })]);
    assert_eq!(sc.initial.len(), 1);
    assert_eq!(sc.schedule.len(), 18);
    assert_eq!(sc.schedule[0], Scheduled { when: When::At(0), action: Action::Timeout(Target::Node(1)) });
    assert_eq!(sc.schedule[2].action, Action::Client { request: json!("set y 1"), to: Some(Target::Node(3)), client: 1 });
    assert_eq!(sc.schedule[3].action, Action::Crash(Target::Leader));
    assert_eq!(sc.schedule[5].action, Action::Partition(vec![vec![1, 2], vec![3, 4, 5]]));
    assert_eq!(sc.schedule[10].action, Action::Loss(100_000));
    assert_eq!(sc.schedule[16].action, Action::Latency(5_000, 50_000));
    assert_eq!(sc.schedule[17].when, When::Sends { node: 1, kind: "AppendEntries".into() });
}

#[test]
fn defaults_fill_every_optional_field() {
    let sc = parse(json!({"protocol": "raft", "nodes": 3})).unwrap();
    assert_eq!(sc.seed, 1);
    assert_eq!(sc.until_us, 5_000_000);
    assert_eq!(sc.network, LinkProfile::default());
    assert!(sc.schedule.is_empty() && sc.initial.is_empty() && sc.links.is_empty());
    assert_eq!(Scenario { file: None, ..sc }, Scenario::new("raft", 3));
}

#[test]
fn errors_name_the_file_and_the_path() {
    let base = || json!({"protocol": "raft", "nodes": 5});
    let with = |k: &str, v: serde_json::Value| {
        let mut b = base();
        b[k] = v;
        b
    };
    let cases = [
        (json!({"protocol": "raft"}), "scenarios/x.json: missing field \"nodes\""),
        (json!({"nodes": 3}), "scenarios/x.json: missing field \"protocol\""),
        (json!({"protocol": "rafts", "nodes": 3}), "scenarios/x.json: protocol: unknown protocol \"rafts\" (expected one of: raft, 2pc, 3pc, paxos, multipaxos, balancer)"),
        (json!({"protocol": "raft", "nodes": 16}), "scenarios/x.json: nodes: 16 is out of range 1..=15 for raft"),
        (json!({"protocol": "raft", "nodes": 0}), "scenarios/x.json: nodes: 0 is out of range 1..=15 for raft"),
        (
            json!({"protocol": "raft", "nodes": 3, "sed": 2}),
            "scenarios/x.json: unknown field \"sed\" (expected one of: protocol, nodes, seed, description, description_zh, guide, network, config, initial, schedule, until_ms; did you mean \"seed\"?)",
        ),
        (json!([1]), "scenarios/x.json: expected an object, found an array"),
        (with("seed", json!(-1)), "scenarios/x.json: seed: expected a non-negative integer, found -1"),
        (
            with("schedule", json!([{"at_ms": 1, "crash": 1}, {"at_ms": 2, "crash": 1}, {"at_ms": 3, "crsh": 1}])),
            "scenarios/x.json: schedule[2]: unknown action \"crsh\" (expected one of: crash, restart, pause, resume, timeout, partition, isolate, reconnect, heal, cut, repair, hold, release, loss, duplicate, latency_ms, link, client, begin, drop, delay, to, client_id; did you mean \"crash\"?)",
        ),
        (
            with("schedule", json!([{"at_ms": 1, "crash": 1}, {"at_ms": 2, "crash": 1}, {"at_ms": 3, "heal": true}, {"at_ms": 4, "crash": 7}])),
            "scenarios/x.json: schedule[3].crash: node 7 is out of range 1..=5",
        ),
        (with("schedule", json!([{"at_ms": 1, "client": "sett x 1"}])), "scenarios/x.json: schedule[0].client: \"sett x 1\" is not a command (expected \"set KEY VALUE\", \"get KEY\" or \"del KEY\")"),
        (with("schedule", json!([{"at_ms": 1, "client": 5}])), "scenarios/x.json: schedule[0].client: expected a string, found 5"),
        (
            with("schedule", json!([{"when": {"node": 1, "sends": "AppendEntry"}, "crash": 1}])),
            "scenarios/x.json: schedule[0].when.sends: unknown message type \"AppendEntry\" (expected one of: RequestVote, RequestVoteReply, AppendEntries, AppendEntriesReply, ClientReply; did you mean \"AppendEntries\"?)",
        ),
        (with("network", json!({"latency_ms": [30, 10]})), "scenarios/x.json: network.latency_ms: the range is empty: 30 > 10"),
        (with("network", json!({"links": [{"from": 1, "to": 9}]})), "scenarios/x.json: network.links[0].to: node 9 is out of range 1..=5"),
        (with("network", json!({"los": 0.1})), "scenarios/x.json: network: unknown field \"los\" (expected one of: latency_ms, loss, duplicate, links; did you mean \"loss\"?)"),
        (with("config", json!({"heartbeat_ms": "50"})), "scenarios/x.json: config.heartbeat_ms: expected a number, found the string \"50\""),
        (with("config", json!([])), "scenarios/x.json: config: expected an object, found an array"),
        (with("initial", json!([{"node": 6}])), "scenarios/x.json: initial[0].node: node 6 is out of range 1..=5"),
        (with("initial", json!([{"node": 2}, {"node": 2}])), "scenarios/x.json: initial[1].node: node 2 already has an initial state (initial[0])"),
        (with("initial", json!([{"node": 2, "term": 1, "log": [{"term": 2, "command": "set x 1"}]}])), "scenarios/x.json: initial[0].log[0].term: term 2 is higher than the node's term 1"),
        (
            with("initial", json!([{"node": 2, "term": 3, "log": [{"term": 2, "command": "set x 1"}, {"term": 1, "command": "get x"}]}])),
            "scenarios/x.json: initial[0].log[1].term: term 1 is lower than the previous entry's term 2",
        ),
        (with("initial", json!([{"node": 2, "term": 3, "log": [{"term": 2, "cmd": "set x 1"}]}])), "scenarios/x.json: initial[0].log[0]: missing field \"command\""),
        (with("initial", json!([{"node": 2, "trem": 3}])), "scenarios/x.json: initial[0]: unknown field \"trem\" (expected one of: node, term, voted_for, log; did you mean \"term\"?)"),
        (with("until_ms", json!(true)), "scenarios/x.json: until_ms: expected a number, found true"),
    ];
    for (v, want) in cases {
        assert_eq!(err(v.clone()), want, "{v}");
    }
}

#[test]
fn json_syntax_errors_give_line_and_column() {
    let e = Scenario::parse("{\n  \"protocol\": \"raft\",\n  \"nodes\": 5,,\n}", Some("scenarios/bad.json")).unwrap_err();
    assert_eq!(e.line_col, Some((3, 14)));
    assert!(e.to_string().starts_with("scenarios/bad.json:3:14: invalid JSON: "), "{e}");
    let e = Scenario::parse("", Some("f.json")).unwrap_err();
    assert!(e.to_string().starts_with("f.json:1:0: invalid JSON: EOF"), "{e}");
}

#[test]
fn build_overrides_seed_and_until() {
    let sc = Scenario::parse(include_str!("../../scenarios/raft-election.json"), None).unwrap();
    let opts = BuildOptions { seed: Some(99), until_us: Some(700_000), trace: TraceMode::Hash };
    let mut b = sc.build(&opts).unwrap();
    assert_eq!((b.seed, b.until_us, b.run.seed()), (99, 700_000, 99));
    b.run_to_end();
    assert_eq!(b.run.now(), 700_000);
    let hash = b.run.trace_hash();
    let mut again = sc.build(&opts).unwrap();
    again.run_to_end();
    assert_eq!(again.run.trace_hash(), hash, "same seed, same trace");
    let mut other = sc.build(&BuildOptions::default()).unwrap();
    other.run_to_end();
    assert_ne!(other.run.trace_hash(), hash);
}

#[test]
fn any_run_acts_and_snapshots() {
    let sc = Scenario::parse(include_str!("../../scenarios/raft-election.json"), None).unwrap();
    let mut b = sc.build(&BuildOptions { trace: TraceMode::Lines, ..Default::default() }).unwrap();
    b.run.run_until(500_000);
    let snap = b.run.snapshot();
    let events = b.run.events();
    b.run.act(&json!({"crash": "leader"})).unwrap();
    b.run.act(&json!({"client": "set z 9", "to": 2})).unwrap();
    assert_eq!(b.run.events(), events + 2);
    assert_eq!(snap.events(), events);
    let e = b.run.act(&json!({"crash": 9})).unwrap_err();
    assert_eq!(e.to_string(), "crash: node 9 is out of range 1..=5");
    let e = b.run.act(&json!({"client": "nope"})).unwrap_err();
    assert!(e.to_string().starts_with("client: \"nope\" is not a command"), "{e}");
    let lines = b.run.drain_trace();
    assert!(lines.iter().any(|l| l.text.contains("crash")), "{lines:?}");
}

#[test]
fn fuzz_scenarios_round_trip_and_replay() {
    let mut spec = FuzzSpec::new("raft", 5);
    spec.until_us = 3_000_000;
    let mut g = spec.generator().unwrap();
    for seed in 1..=20 {
        let sc = g.scenario(seed);
        assert_eq!(sc, g.scenario(seed), "generation is deterministic");
        let text = sc.to_json();
        let back = Scenario::parse(&text, None).unwrap_or_else(|e| panic!("seed {seed}: {e}\n{text}"));
        assert_eq!(back, sc, "seed {seed}:\n{text}");
        let mut fast = sc.build(&BuildOptions { trace: TraceMode::Off, ..Default::default() }).unwrap();
        let broke = fast.run.run_until_violation(sc.until_us);
        let mut slow = back.build(&BuildOptions::default()).unwrap();
        slow.run_to_end();
        assert_eq!(broke, slow.run.first_violation().is_some());
        if !broke {
            assert_eq!(fast.run.events(), slow.run.events(), "trace mode does not change the run");
        }
    }
}

#[test]
fn fuzz_specs_are_checked() {
    let mut spec = FuzzSpec::new("raft", 16);
    assert_eq!(spec.generator().err().unwrap().to_string(), "nodes: 16 is out of range 1..=15 for raft");
    spec.nodes = 3;
    spec.config = json!({"heartbeat_ms": -1});
    assert_eq!(spec.generator().err().unwrap().to_string(), "config.heartbeat_ms: -1 ms is negative");
    assert!(FuzzSpec::new("zab", 3).generator().is_err());
    assert_eq!(Faults::parse("crash,loss").unwrap().kinds(), vec![FaultKind::Crash, FaultKind::Loss]);
    assert_eq!(Faults::parse("all").unwrap(), Faults::ALL);
    assert_eq!(Faults::parse("crash,loss").unwrap().to_string(), "crash,loss");
    assert!(Faults::parse("crash,flood").unwrap_err().contains("\"flood\""));
    // One server: no partitions, still runs.
    let mut one = FuzzSpec::new("raft", 1).generator().unwrap();
    let sc = one.scenario(3);
    assert!(sc.schedule.iter().all(|s| !matches!(s.action, Action::Partition(_) | Action::Cut(..) | Action::Isolate(_))));
}

/// What the parser says of a counter past [`json::MAX_COUNTER`] at `path`.
fn past_the_limit(path: &str, v: u64) -> String {
    format!("scenarios/x.json: {path}: {v} is above the limit 9007199254740992 (2^53), past which counting on from it could overflow")
}

const LIMIT: u64 = json::MAX_COUNTER;

#[test]
fn raft_terms_stop_at_2_to_the_53() {
    // issue 22: an initial term of 2^64 - 1 made S1 the leader of term 0.
    let initial = |term: u64, log_term: u64| json!({"protocol": "raft", "nodes": 3, "initial": [{"node": 1, "term": term, "log": [{"term": log_term, "command": "set x 1"}]}]});
    assert_eq!(err(initial(u64::MAX, 1)), past_the_limit("initial[0].term", u64::MAX));
    assert_eq!(err(initial(LIMIT + 1, 1)), past_the_limit("initial[0].term", LIMIT + 1));
    // A log entry's term is checked against the limit before the node's term.
    assert_eq!(err(initial(LIMIT, LIMIT + 1)), past_the_limit("initial[0].log[0].term", LIMIT + 1));
    // At the limit, a run elects, counts on and commits.
    let sc = parse(json!({"protocol": "raft", "nodes": 3, "initial": [{"node": 1, "term": LIMIT}], "schedule": [{"at_ms": 0, "timeout": 1}, {"at_ms": 100, "client": "set x 1"}], "until_ms": 1000}))
        .unwrap();
    let mut built = sc.build(&BuildOptions { trace: TraceMode::Lines, ..Default::default() }).unwrap();
    assert!(!built.run_to_end(), "{:?}", built.run.first_violation());
    let lines: Vec<String> = built.run.drain_trace().into_iter().map(|l| l.text).collect();
    let leader = format!("S1 leader term={}", LIMIT + 1);
    assert!(lines.iter().any(|l| l.ends_with(&leader)), "no \"{leader}\" in the trace");
    assert!(lines.iter().any(|l| l.ends_with("S1 commit index=1")), "nothing committed");
}

#[test]
fn paxos_rounds_stop_at_2_to_the_53() {
    // issue 22: a round of 2^64 - 1 wrapped to 0 and a value was chosen in it.
    let initial = |entry: serde_json::Value| json!({"protocol": "paxos", "nodes": 3, "initial": [entry]});
    assert_eq!(err(initial(json!({"node": 1, "round": u64::MAX}))), past_the_limit("initial[0].round", u64::MAX));
    assert_eq!(err(initial(json!({"node": 1, "round": LIMIT + 1}))), past_the_limit("initial[0].round", LIMIT + 1));
    assert_eq!(err(initial(json!({"node": 2, "promised": [LIMIT + 1, 1]}))), past_the_limit("initial[0].promised[0]", LIMIT + 1));
    assert_eq!(err(initial(json!({"node": 2, "accepted": {"ballot": [LIMIT + 1, 1], "value": "A"}}))), past_the_limit("initial[0].accepted.ballot[0]", LIMIT + 1));
    assert!(parse(initial(json!({"node": 2, "round": LIMIT, "promised": [LIMIT, 1], "accepted": {"ballot": [LIMIT, 1], "value": "A"}}))).is_ok());
    let sc = parse(json!({"protocol": "paxos", "nodes": 3, "initial": [{"node": 1, "round": LIMIT}], "schedule": [{"at_ms": 0, "client": "propose A", "to": 1}], "until_ms": 2000})).unwrap();
    let mut built = sc.build(&BuildOptions { trace: TraceMode::Lines, ..Default::default() }).unwrap();
    assert!(!built.run_to_end(), "{:?}", built.run.first_violation());
    let lines: Vec<String> = built.run.drain_trace().into_iter().map(|l| l.text).collect();
    let round = format!("state S1 round b={}.1", LIMIT + 1);
    assert!(lines.iter().any(|l| l.ends_with(&round)), "no \"{round}\" in the trace");
    assert_eq!(lines.iter().filter(|l| l.ends_with("learned v=A")).count(), 3, "A is not chosen and learned everywhere");
}

#[test]
fn transaction_ids_stop_at_2_to_the_53() {
    let begin = |id: u64| json!({"protocol": "2pc", "nodes": 3, "schedule": [{"at_ms": 0, "begin": {"id": id}, "to": 1}, {"at_ms": 1, "begin": {}, "to": 1}]});
    assert_eq!(err(begin(u64::MAX)), past_the_limit("schedule[0].begin.id", u64::MAX));
    assert_eq!(err(begin(LIMIT + 1)), past_the_limit("schedule[0].begin.id", LIMIT + 1));
    // At the limit, the next transaction takes the next id.
    let mut built = parse(begin(LIMIT)).unwrap().build(&BuildOptions::default()).unwrap();
    assert!(!built.run_to_end());
    let ids: Vec<u64> = built.run.report()["outcome"]["transactions"].as_array().unwrap().iter().map(|t| t["id"].as_u64().unwrap()).collect();
    assert_eq!(ids, [LIMIT, LIMIT + 1]);
}

#[test]
fn event_and_message_numbers_stop_at_2_to_the_53() {
    let entry = |e: serde_json::Value| json!({"protocol": "raft", "nodes": 3, "schedule": [e]});
    assert_eq!(err(entry(json!({"at_ms": 1, "after_event": LIMIT + 1, "crash": 1}))), past_the_limit("schedule[0].after_event", LIMIT + 1));
    assert_eq!(err(entry(json!({"at_ms": 1, "drop": u64::MAX}))), past_the_limit("schedule[0].drop", u64::MAX));
    assert_eq!(err(entry(json!({"at_ms": 1, "delay": {"msg": LIMIT + 1, "by_ms": 5}}))), past_the_limit("schedule[0].delay.msg", LIMIT + 1));
    for ok in [json!({"at_ms": 1, "after_event": LIMIT, "crash": 1}), json!({"at_ms": 1, "drop": LIMIT}), json!({"at_ms": 1, "delay": {"msg": LIMIT, "by_ms": 5}})] {
        assert!(parse(entry(ok.clone())).is_ok(), "{ok}");
    }
    // Integers past u64 are read as floats by serde_json: still named as past the limit.
    let e = parse(json!({"protocol": "raft", "nodes": 3, "initial": [{"node": 1, "term": 18446744073709551616.0_f64}]})).unwrap_err();
    assert_eq!(e.to_string(), "scenarios/x.json: initial[0].term: 1.8446744073709552e+19 is above the limit 9007199254740992 (2^53), past which counting on from it could overflow");
}
