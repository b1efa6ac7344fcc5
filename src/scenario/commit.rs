//! Two- and three-phase commit in scenario files: `"protocol": "2pc"` or `"3pc"`, node 1 the
//! coordinator, nodes 2..=N the participants (N from 3 to 10).
//!
//! `config` keys, both: `yes_probability` (a participant's chance of voting Yes when the request
//! does not say, default 1), `vote_timeout_ms`, `decision_timeout_ms`, `retry_ms`,
//! `client_timeout_ms`, `planted_bug` (`"commit_on_timeout"` or null); 3PC also
//! `ack_timeout_ms`, `election_timeout_ms`, `gather_timeout_ms`.
//!
//! Requests are objects, written as a `begin` action: `{"at_ms": 0, "begin": {"votes": {"3":
//! "no"}}}` starts a transaction through client C1 (`"client_id"` picks another, `"to": 1` hands
//! it straight to the coordinator). Optional keys: `"id"` (a transaction number; an id that
//! exists asks for that transaction's outcome), `"votes"` (forced votes, by participant) and
//! `"yes_probability"` (for the others). Servers start from an empty log (`initial` is refused).

use std::collections::BTreeMap;

use serde_json::{Map, Value};

use super::error::{Result, ScenarioError};
use super::json::{Field, Obj, ratio_value, unknown};
use super::protocol::ScenarioProtocol;
use crate::protocols::commit::threepc::ThreePc;
use crate::protocols::commit::twopc::TwoPc;
use crate::protocols::commit::{Begin, PlantedBug, Vote, Wal, participants, threepc, twopc};
use crate::sim::rng::{Ppm, Rng};
use crate::sim::{Detail, Micros, NodeId};

/// The names of [`PlantedBug`]s in scenario files.
pub const PLANTED_BUGS: &[(&str, PlantedBug)] = &[("commit_on_timeout", PlantedBug::CommitOnTimeout)];

/// Most nodes: a coordinator and 9 participants.
pub const MAX_NODES: u32 = 10;

fn check_nodes(name: &str, nodes: u32) -> Result<()> {
    if nodes < 3 {
        return Err(ScenarioError::at(
            "nodes",
            Detail::new("{nodes} is out of range 3..={max} for {protocol} (a coordinator, node 1, and 2 to 9 participants)", &[("nodes", &nodes), ("max", &MAX_NODES), ("protocol", &name)]),
        ));
    }
    Ok(())
}

fn positive_ms(o: &mut Obj<'_>, key: &'static str, into: &mut Micros) -> Result<()> {
    if let Some(f) = o.opt(key) {
        let us = f.ms()?;
        if us == 0 {
            return Err(f.err(Detail::plain("must be positive")));
        }
        *into = us;
    }
    Ok(())
}

fn planted_bug(o: &mut Obj<'_>) -> Result<Option<PlantedBug>> {
    let Some(f) = o.opt("planted_bug") else {
        return Ok(None);
    };
    if f.value().is_null() {
        return Ok(None);
    }
    let name = f.str()?;
    let names: Vec<&str> = PLANTED_BUGS.iter().map(|(n, _)| *n).collect();
    let bug = PLANTED_BUGS.iter().find(|(n, _)| *n == name).map(|(_, b)| *b);
    bug.map(Some).ok_or_else(|| f.err(unknown(Detail::plain("planted bug"), name, &names)))
}

fn yes_probability(o: &mut Obj<'_>, into: &mut Ppm) -> Result<()> {
    if let Some(f) = o.opt("yes_probability") {
        *into = f.ratio()?;
    }
    Ok(())
}

fn no_initial(name: &str, o: &mut Obj<'_>) -> Result<Wal> {
    Err(o.err(Detail::new("{protocol} servers start from an empty log: \"initial\" states are not supported", &[("protocol", &name)])))
}

/// The [`ScenarioProtocol`] items both protocols share, written into each impl: servers start
/// from an empty log, and requests are `begin` objects, read, written and drawn alike.
macro_rules! begin_requests {
    () => {
        fn parse_durable(&self, _node: NodeId, o: &mut Obj<'_>, _nodes: u32) -> Result<Wal> {
            no_initial(Self::NAME, o)
        }

        fn parse_request(&self, request: &Field<'_>) -> Result<Begin> {
            parse_begin(request, self.nodes)
        }

        fn request_json(&self, request: &Begin) -> Value {
            begin_json(request)
        }

        fn fuzz_request(&self, rng: &mut Rng, nodes: u32) -> Begin {
            fuzz_begin(rng, nodes)
        }
    };
}

/// A `begin` request: `{"id": 4, "votes": {"3": "no"}, "yes_probability": 0.9}`, every key
/// optional; vote keys are participants' ids, 2..=`nodes`.
pub fn parse_begin(f: &Field<'_>, nodes: u32) -> Result<Begin> {
    if !f.value().is_object() {
        return Err(f.expected(Detail::new("a transaction, an object such as {example} (a \"begin\" action)", &[("example", &r#"{"votes": {"3": "no"}}"#)])));
    }
    let mut o = f.object()?;
    let mut b = Begin::default();
    if let Some(id) = o.opt("id") {
        b.id = Some(id.counter(1)?);
    }
    if let Some(v) = o.opt("votes") {
        v.object()?;
        let map = v.value().as_object().expect("checked: an object");
        for (k, val) in map {
            let at = Field::at(val, format!("{}.{k}", v.path()));
            let id: NodeId = k.parse().map_err(|_| at.err(Detail::new("\"{key}\" is not a node id", &[("key", k)])))?;
            if id == 1 {
                return Err(at.err(Detail::plain("node 1 is the coordinator; only participants vote")));
            }
            if id < 2 || id > nodes {
                return Err(at.err(Detail::new("node {id} is out of range 2..={nodes} (the participants)", &[("id", &id), ("nodes", &nodes)])));
            }
            let vote = match at.str()? {
                "yes" => Vote::Yes,
                "no" => Vote::No,
                other => return Err(at.err(unknown(Detail::plain("vote"), other, &["yes", "no"]))),
            };
            b.votes.insert(id, vote);
        }
    }
    if let Some(p) = o.opt("yes_probability") {
        b.yes_ppm = Some(p.ratio()?);
    }
    o.finish()?;
    Ok(b)
}

/// A request as a scenario file writes it (only the keys it has).
pub fn begin_json(b: &Begin) -> Value {
    let mut m = Map::new();
    if let Some(id) = b.id {
        m.insert("id".into(), Value::from(id));
    }
    if !b.votes.is_empty() {
        let votes: Map<String, Value> = b.votes.iter().map(|(p, v)| (p.to_string(), Value::from(v.as_str()))).collect();
        m.insert("votes".into(), Value::Object(votes));
    }
    if let Some(ppm) = b.yes_ppm {
        m.insert("yes_probability".into(), ratio_value(ppm));
    }
    Value::Object(m)
}

/// A random request: mostly plain (everyone votes Yes by default), sometimes with a forced No
/// or a chance of No.
pub fn fuzz_begin(rng: &mut Rng, nodes: u32) -> Begin {
    const CHANCES: [Ppm; 3] = [500_000, 800_000, 900_000];
    let parts = participants(nodes);
    let mut b = Begin::default();
    match rng.below(10) {
        0..=5 => {}
        6 | 7 => {
            let p = parts[rng.below(parts.len() as u64) as usize];
            b.votes = BTreeMap::from([(p, Vote::No)]);
        }
        _ => b.yes_ppm = Some(CHANCES[rng.below(CHANCES.len() as u64) as usize]),
    }
    b
}

impl ScenarioProtocol for TwoPc {
    const NAME: &'static str = "2pc";
    const MAX_NODES: u32 = MAX_NODES;

    fn from_config(o: &mut Obj<'_>, nodes: u32) -> Result<Self> {
        check_nodes(Self::NAME, nodes)?;
        let mut c = TwoPc { nodes, ..TwoPc::default() };
        yes_probability(o, &mut c.yes_ppm)?;
        positive_ms(o, "vote_timeout_ms", &mut c.vote_timeout_us)?;
        positive_ms(o, "decision_timeout_ms", &mut c.decision_timeout_us)?;
        positive_ms(o, "retry_ms", &mut c.retry_us)?;
        positive_ms(o, "client_timeout_ms", &mut c.client_timeout_us)?;
        c.planted_bug = planted_bug(o)?;
        Ok(c)
    }

    begin_requests!();

    fn message_kinds(&self) -> &'static [&'static str] {
        twopc::messages::SERVER_KINDS
    }
}

impl ScenarioProtocol for ThreePc {
    const NAME: &'static str = "3pc";
    const MAX_NODES: u32 = MAX_NODES;

    fn from_config(o: &mut Obj<'_>, nodes: u32) -> Result<Self> {
        check_nodes(Self::NAME, nodes)?;
        let mut c = ThreePc { nodes, ..ThreePc::default() };
        yes_probability(o, &mut c.yes_ppm)?;
        positive_ms(o, "vote_timeout_ms", &mut c.vote_timeout_us)?;
        positive_ms(o, "ack_timeout_ms", &mut c.ack_timeout_us)?;
        positive_ms(o, "decision_timeout_ms", &mut c.decision_timeout_us)?;
        positive_ms(o, "election_timeout_ms", &mut c.election_timeout_us)?;
        positive_ms(o, "gather_timeout_ms", &mut c.gather_timeout_us)?;
        positive_ms(o, "retry_ms", &mut c.retry_us)?;
        positive_ms(o, "client_timeout_ms", &mut c.client_timeout_us)?;
        c.planted_bug = planted_bug(o)?;
        Ok(c)
    }

    begin_requests!();

    fn message_kinds(&self) -> &'static [&'static str] {
        threepc::messages::SERVER_KINDS
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scenario::protocol::parse_config;
    use crate::sim::ms;
    use serde_json::json;

    #[test]
    fn config_keys_set_the_fields() {
        let c: TwoPc = parse_config(
            &json!({"yes_probability": 0.75, "vote_timeout_ms": 100, "decision_timeout_ms": 250.5, "retry_ms": 50, "client_timeout_ms": 900, "planted_bug": "commit_on_timeout"}),
            "config",
            4,
        )
        .unwrap();
        assert_eq!((c.yes_ppm, c.vote_timeout_us, c.decision_timeout_us, c.retry_us, c.client_timeout_us), (750_000, ms(100), 250_500, ms(50), ms(900)));
        assert_eq!(c.planted_bug, Some(PlantedBug::CommitOnTimeout));
        assert_eq!(c.nodes, 4);
        let d: TwoPc = parse_config(&json!({}), "config", 5).unwrap();
        assert_eq!(d, TwoPc { nodes: 5, ..TwoPc::default() });
        let t: ThreePc = parse_config(&json!({"ack_timeout_ms": 150, "election_timeout_ms": 80, "gather_timeout_ms": 90, "planted_bug": null}), "config", 4).unwrap();
        assert_eq!((t.ack_timeout_us, t.election_timeout_us, t.gather_timeout_us, t.planted_bug), (ms(150), ms(80), ms(90), None));
    }

    #[test]
    fn bad_config_and_cluster_sizes_are_named() {
        let cases = [
            (
                json!({"vote_timeout": 5}),
                4,
                "config: unknown field \"vote_timeout\" (expected one of: yes_probability, vote_timeout_ms, decision_timeout_ms, retry_ms, client_timeout_ms, planted_bug; did you mean \"vote_timeout_ms\"?)",
            ),
            (json!({"retry_ms": 0}), 4, "config.retry_ms: must be positive"),
            (json!({"yes_probability": 1.5}), 4, "config.yes_probability: 1.5 is not a probability in [0, 1]"),
            (json!({"planted_bug": "commit_early"}), 4, "config.planted_bug: unknown planted bug \"commit_early\" (expected one of: commit_on_timeout)"),
            (json!({}), 2, "nodes: 2 is out of range 3..=10 for 2pc (a coordinator, node 1, and 2 to 9 participants)"),
        ];
        for (c, nodes, want) in cases {
            assert_eq!(parse_config::<TwoPc>(&c, "config", nodes).unwrap_err().to_string(), want);
        }
        assert!(parse_config::<ThreePc>(&json!({"gather_timeout_ms": 0}), "config", 4).is_err());
    }

    #[test]
    fn begin_requests_read_and_write_back() {
        let p = TwoPc { nodes: 5, ..TwoPc::default() };
        for v in [json!({}), json!({"votes": {"3": "no", "5": "yes"}}), json!({"id": 7, "yes_probability": 0.9}), json!({"id": 2, "votes": {"2": "no"}, "yes_probability": 0})] {
            let b = p.parse_request(&Field::at(&v, "schedule[0].begin")).unwrap_or_else(|e| panic!("{v}: {e}"));
            assert_eq!(p.request_json(&b), v);
        }
        let b = p.parse_request(&Field::root(&json!({"votes": {"3": "no"}}))).unwrap();
        assert_eq!(b.votes, BTreeMap::from([(3, Vote::No)]));
    }

    #[test]
    fn bad_begin_requests_name_their_path() {
        let p = TwoPc { nodes: 4, ..TwoPc::default() };
        let cases = [
            (json!("set x 1"), "schedule[0].begin: expected a transaction, an object such as {\"votes\": {\"3\": \"no\"}} (a \"begin\" action), found the string \"set x 1\""),
            (json!({"votes": {"1": "no"}}), "schedule[0].begin.votes.1: node 1 is the coordinator; only participants vote"),
            (json!({"votes": {"7": "no"}}), "schedule[0].begin.votes.7: node 7 is out of range 2..=4 (the participants)"),
            (json!({"votes": {"x": "no"}}), "schedule[0].begin.votes.x: \"x\" is not a node id"),
            (json!({"votes": {"3": "maybe"}}), "schedule[0].begin.votes.3: unknown vote \"maybe\" (expected one of: yes, no)"),
            (json!({"id": 0}), "schedule[0].begin.id: 0 is out of range 1..=9007199254740992"),
            (json!({"vote": {}}), "schedule[0].begin: unknown field \"vote\" (expected one of: id, votes, yes_probability; did you mean \"votes\"?)"),
        ];
        for (v, want) in cases {
            assert_eq!(p.parse_request(&Field::at(&v, "schedule[0].begin")).unwrap_err().to_string(), want, "{v}");
        }
    }

    #[test]
    fn fuzz_requests_parse_back_and_vary() {
        let p = ThreePc { nodes: 5, ..ThreePc::default() };
        let mut rng = Rng::stream(1, "t");
        let mut forced = 0;
        let mut chance = 0;
        for _ in 0..300 {
            let b = p.fuzz_request(&mut rng, 5);
            forced += usize::from(!b.votes.is_empty());
            chance += usize::from(b.yes_ppm.is_some());
            assert!(b.votes.keys().all(|&k| (2..=5).contains(&k)));
            let v = p.request_json(&b);
            assert_eq!(p.parse_request(&Field::root(&v)).unwrap(), b);
        }
        assert!(forced > 30 && chance > 30, "{forced} forced, {chance} by chance");
    }
}
