//! Raft and Multi-Paxos on exactly the same run: the same seed, the same client workload, the
//! same fault schedule, the same network — `distlab compare FILE` and the lab's compare mode.
//!
//! A scenario of either protocol is turned into its counterpart by [`counterpart`]: the
//! protocol name changes, the schedule and network stay as they are (client requests are the
//! same `set`/`get`/`del` commands, faults name servers or `"leader"`, which both protocols
//! resolve), and the `config` keeps only the keys the two share with the same meaning and
//! defaults — `election_timeout_ms`, `heartbeat_ms`, `client_timeout_ms`; any other key
//! (Raft's `leader_noop`, `max_entries_per_append`, `planted_bug`; Multi-Paxos's
//! `max_decides_per_message`, `planted_bug`) is dropped from both runs and listed in
//! [`Comparison::ignored_config`], so the two runs differ in protocol only. `initial` states
//! and `"when": {"sends": ...}` triggers name protocol-specific things and are refused.
//!
//! Both runs are built from the same seed; each protocol draws from its own per-server
//! streams, so the same faults hit at the same virtual times while the protocols diverge.

use serde::Serialize;
use serde_json::Value;

use super::Scenario;
use super::error::{Result, ScenarioError};
use super::protocol::{ScenarioProtocol, setup};
use crate::protocols::kv::{Command, KvClient};
use crate::protocols::paxos::multi::{self, MultiPaxos};
use crate::protocols::raft::Raft;
use crate::sim::time::to_ms_f64;
use crate::sim::{Detail, Engine, MessageCounts, Micros, TraceMode, When};

/// The `config` keys Raft and Multi-Paxos share (same names, meanings and defaults).
pub const SHARED_CONFIG: &[&str] = &["election_timeout_ms", "heartbeat_ms", "client_timeout_ms"];

/// The protocols that can be compared.
pub const COMPARED: [&str; 2] = ["multipaxos", "raft"];

/// The same scenario for `protocol` (`"raft"` or `"multipaxos"`), config cut to
/// [`SHARED_CONFIG`]. Fails for other protocols, `initial` states and `sends` triggers.
pub fn counterpart(sc: &Scenario, protocol: &str) -> Result<Scenario> {
    let file = sc.file.as_deref();
    if !COMPARED.contains(&sc.protocol.as_str()) {
        return Err(ScenarioError::at("protocol", Detail::new("compare runs raft and multipaxos scenarios, not \"{protocol}\"", &[("protocol", &sc.protocol)])).in_file(file));
    }
    if !COMPARED.contains(&protocol) {
        return Err(ScenarioError::whole(Detail::new("compare runs raft and multipaxos, not \"{protocol}\"", &[("protocol", &protocol)])).in_file(file));
    }
    if !sc.initial.is_empty() {
        return Err(ScenarioError::at("initial", Detail::plain("initial states are protocol-specific: compare needs a scenario without them")).in_file(file));
    }
    if let Some(i) = sc.schedule.iter().position(|s| matches!(s.when, When::Sends { .. })) {
        return Err(ScenarioError::at(format!("schedule[{i}].when"), Detail::plain("a trigger on a message type has no counterpart in the other protocol")).in_file(file));
    }
    let mut out = sc.clone();
    out.protocol = protocol.to_string();
    out.guide = None;
    if let Some(map) = sc.config.as_object() {
        let kept: serde_json::Map<String, Value> = map.iter().filter(|(k, _)| SHARED_CONFIG.contains(&k.as_str())).map(|(k, v)| (k.clone(), v.clone())).collect();
        out.config = Value::Object(kept);
    }
    let mut back = Scenario::from_value(&out.to_value()).map_err(|e| e.in_file(file))?;
    back.file = sc.file.clone();
    Ok(back)
}

/// Commit latencies: from a client's first send of a command to its answer.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Latency {
    /// Answered commands.
    pub count: usize,
    /// Median, in ms (nearest rank); null when nothing was answered.
    pub p50_ms: Option<f64>,
    /// 95th percentile, in ms (nearest rank).
    pub p95_ms: Option<f64>,
    /// The slowest, in ms.
    pub max_ms: Option<f64>,
}

impl Latency {
    /// The summary of `samples` (µs).
    pub fn of(mut samples: Vec<Micros>) -> Self {
        samples.sort_unstable();
        let rank = |p: usize| -> Option<f64> {
            if samples.is_empty() {
                return None;
            }
            let k = (p * samples.len()).div_ceil(100).max(1) - 1;
            Some(to_ms_f64(samples[k]))
        };
        Latency { count: samples.len(), p50_ms: rank(50), p95_ms: rank(95), max_ms: samples.last().map(|&m| to_ms_f64(m)) }
    }
}

/// What one run of a comparison measured.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct RunStats {
    /// `"multipaxos"` or `"raft"`.
    pub protocol: &'static str,
    /// Events processed.
    pub events: u64,
    /// The trace digest.
    pub trace_hash: String,
    /// What became of the messages (clients' included), in total and by type: the engine's
    /// own counts, as `distlab run` reports them.
    pub messages: MessageCounts,
    /// Client commands committed (chosen in order / committed), no-ops left out.
    pub committed: usize,
    /// Commit latency as the clients saw it.
    pub latency: Latency,
    /// Leaders elected (Raft: terms with a leader; Multi-Paxos: ballots with a leader).
    pub leaders: usize,
    /// The first invariant violated, if any: "name: detail".
    pub violation: Option<String>,
}

/// A protocol [`compare`] can measure.
pub trait Comparable: ScenarioProtocol<Request = Command, Client = KvClient> {
    /// Client commands committed so far.
    fn committed(checker: &Self::Checker) -> usize;
    /// Leaders elected so far.
    fn leaders(checker: &Self::Checker) -> usize;
}

impl Comparable for Raft {
    fn committed(checker: &Self::Checker) -> usize {
        checker.committed().filter(|e| *e.command != Command::Noop).count()
    }
    fn leaders(checker: &Self::Checker) -> usize {
        checker.leaders.len()
    }
}

impl Comparable for MultiPaxos {
    fn committed(checker: &Self::Checker) -> usize {
        multi::committed(checker).len()
    }
    fn leaders(checker: &Self::Checker) -> usize {
        checker.leaders().len()
    }
}

/// The measurements of a run so far (the lab calls it on its live engines).
pub fn stats<P: Comparable>(e: &Engine<P>) -> RunStats {
    let samples: Vec<Micros> = e.clients().iter().flat_map(|c| c.state.answered.iter().map(|a| a.answered_us - a.sent_us)).collect();
    RunStats {
        protocol: P::NAME,
        events: e.events(),
        trace_hash: e.trace_hash(),
        messages: e.messages().clone(),
        committed: P::committed(e.checker()),
        latency: Latency::of(samples),
        leaders: P::leaders(e.checker()),
        violation: e.first_violation().map(|v| format!("{}: {}", v.invariant, v.detail)),
    }
}

/// A comparison: both runs, Multi-Paxos first.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Comparison {
    /// The seed both ran under.
    pub seed: u64,
    /// Where both stopped.
    pub until_ms: f64,
    /// `config` keys dropped because they are not shared.
    pub ignored_config: Vec<String>,
    /// Multi-Paxos, then Raft.
    pub runs: Vec<RunStats>,
}

fn run<P: Comparable>(sc: &Scenario, seed: u64, until_us: Micros) -> Result<RunStats> {
    let mut e = Engine::new(setup::<P>(sc, seed, TraceMode::Hash).map_err(|e| e.in_file(sc.file.as_deref()))?);
    e.run_until(until_us);
    Ok(stats(&e))
}

/// Runs `sc` (a raft or multipaxos scenario) as Multi-Paxos and as Raft, with the same seed,
/// schedule and network, to `until_us` (default: the scenario's).
pub fn compare(sc: &Scenario, seed: Option<u64>, until_us: Option<Micros>) -> Result<Comparison> {
    let seed = seed.unwrap_or(sc.seed);
    let until_us = until_us.unwrap_or(sc.until_us);
    let mp = counterpart(sc, "multipaxos")?;
    let raft = counterpart(sc, "raft")?;
    let ignored_config = sc.config.as_object().map(|m| m.keys().filter(|k| !SHARED_CONFIG.contains(&k.as_str())).cloned().collect()).unwrap_or_default();
    let runs = vec![run::<MultiPaxos>(&mp, seed, until_us)?, run::<Raft>(&raft, seed, until_us)?];
    Ok(Comparison { seed, until_ms: to_ms_f64(until_us), ignored_config, runs })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn latency_percentiles_are_nearest_rank() {
        let l = Latency::of((1..=20).map(|i| i * 1000).collect());
        assert_eq!((l.count, l.p50_ms, l.p95_ms, l.max_ms), (20, Some(10.0), Some(19.0), Some(20.0)));
        assert_eq!(Latency::of(vec![]).p50_ms, None);
    }

    #[test]
    fn counterpart_keeps_the_schedule_and_the_shared_config_only() {
        let text = include_str!("../../scenarios/raft-leader-crash.json").replace("\"heartbeat_ms\": 50", "\"heartbeat_ms\": 50, \"leader_noop\": true");
        let sc = Scenario::parse(&text, Some("x.json")).unwrap();
        let mp = counterpart(&sc, "multipaxos").unwrap();
        assert_eq!(mp.protocol, "multipaxos");
        assert_eq!(mp.schedule, sc.schedule);
        assert_eq!(mp.config, serde_json::json!({"election_timeout_ms": [150, 300], "heartbeat_ms": 50}));
        let c = compare(&sc, None, None).unwrap();
        assert_eq!(c.ignored_config, vec!["leader_noop"]);
        assert_eq!(c.runs.iter().map(|r| r.protocol).collect::<Vec<_>>(), vec!["multipaxos", "raft"]);
        for r in &c.runs {
            assert_eq!(r.violation, None);
            assert_eq!(r.committed, 4, "{r:?}");
            assert_eq!(r.latency.count, 4);
            assert!(r.leaders >= 2);
            assert!(r.messages.total().sent > 0 && r.messages.get("ClientRequest").is_some_and(|c| c.sent >= 4));
        }
    }

    #[test]
    fn other_protocols_and_triggers_are_refused() {
        let sc = Scenario::parse(include_str!("../../scenarios/paxos-single-proposer.json"), Some("p.json")).unwrap();
        assert!(counterpart(&sc, "raft").unwrap_err().to_string().contains("not \"paxos\""));
        let sc = Scenario::parse(include_str!("../../scenarios/raft-figure8.json"), Some("f.json")).unwrap();
        if !sc.initial.is_empty() || sc.schedule.iter().any(|s| matches!(s.when, When::Sends { .. })) {
            assert!(counterpart(&sc, "multipaxos").is_err());
        }
    }
}
