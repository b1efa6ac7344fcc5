//! Paxos and Multi-Paxos in scenario files.
//!
//! **`"protocol": "paxos"`** (single decree). `config` keys: `roles` (`{"proposers": [1, 2],
//! "acceptors": [1, 2, 3, 4, 5], "learners": [1, 2, 3, 4, 5]}`, each list optional, default
//! every server), `retry_ms` (a proposer's retry timer, armed when a round starts), `backoff`
//! (`"random"`, the default, or `"fixed"`), `backoff_ms` (the largest random back-off of a
//! first retry), `announce` (`"acceptors"`, the default: acceptors tell learners; or
//! `"proposer"`), `client_timeout_ms`, `catchup_ms` (how long a learner that does not know the
//! outcome waits, after news of a new ballot, before it asks the others; default 500),
//! `planted_bug` (`"ignore_promised_values"` or null).
//! Requests: `"propose V"`, handed to a proposer with `"to"` (`{"at_ms": 0, "client": "propose
//! A", "to": 1}`: start proposer S1 with value A now) or sent by a client actor to a proposer.
//! `initial` entries: `{"node": 3, "promised": [2, 1], "accepted": {"ballot": [1, 2], "value":
//! "B"}, "round": 0, "value": null}` (ballots as `[round, proposer]`).
//!
//! **`"protocol": "multipaxos"`**. `config` keys: `election_timeout_ms` `[lo, hi]`,
//! `heartbeat_ms`, `client_timeout_ms` (the same names and defaults as Raft's, so a scenario
//! runs as either; see [`super::compare`]), `resend_ms` (the leader's resend timeout for an
//! unanswered Accept before it has measured the round trip to that acceptor, and its floor;
//! default 100), `max_decides_per_message`, `planted_bug`
//! (`"ignore_promised_values"` or null). Requests: `"set K V"`, `"get K"`, `"del K"`, as Raft.
//! Every server is proposer (leader candidate), acceptor and learner.

use serde_json::Value;

use super::error::Result;
use super::json::{Field, Obj, unknown};
use super::protocol::ScenarioProtocol;
use crate::protocols::kv::Command;
use crate::protocols::paxos::Ballot;
use crate::protocols::paxos::multi::MultiPaxos;
use crate::protocols::paxos::single::{Announce, Backoff, Durable, Paxos, PlantedBug, Proposal};
use crate::sim::rng::Rng;
use crate::sim::{Detail, NodeId};

fn positive_ms(f: &Field<'_>) -> Result<crate::sim::Micros> {
    let us = f.ms()?;
    if us == 0 {
        return Err(f.err(Detail::plain("must be positive")));
    }
    Ok(us)
}

fn node_list(f: &Field<'_>, nodes: u32) -> Result<Vec<NodeId>> {
    let mut ids = Vec::new();
    for item in f.array()? {
        let id = item.node_id(nodes)?;
        if ids.contains(&id) {
            return Err(item.err(Detail::new("node {id} is listed twice", &[("id", &id)])));
        }
        ids.push(id);
    }
    ids.sort_unstable();
    Ok(ids)
}

fn ballot(f: &Field<'_>, nodes: u32) -> Result<Ballot> {
    let [r, n] = f.pair()?;
    Ok(Ballot::new(r.counter(1)?, n.node_id(nodes)?))
}

/// Reads `planted_bug`: null or `"ignore_promised_values"`.
fn planted_bug(f: &Field<'_>) -> Result<bool> {
    match f.value() {
        Value::Null => Ok(false),
        _ => {
            let name = f.str()?;
            if name != "ignore_promised_values" {
                return Err(f.err(unknown(Detail::plain("planted bug"), name, &["ignore_promised_values"])));
            }
            Ok(true)
        }
    }
}

impl ScenarioProtocol for Paxos {
    const NAME: &'static str = "paxos";
    const MAX_NODES: u32 = 15;

    fn from_config(o: &mut Obj<'_>, nodes: u32) -> Result<Self> {
        let mut p = Paxos::new(nodes);
        if let Some(f) = o.opt("roles") {
            let mut r = f.object()?;
            for (key, list) in [("proposers", &mut p.proposers), ("acceptors", &mut p.acceptors), ("learners", &mut p.learners)] {
                if let Some(lf) = r.opt(key) {
                    *list = node_list(&lf, nodes)?;
                    if list.is_empty() && key != "proposers" {
                        return Err(lf.err(Detail::new("at least one of the servers must be among the {key}", &[("key", &key)])));
                    }
                }
            }
            r.finish()?;
        }
        if let Some(f) = o.opt("retry_ms") {
            p.retry_us = positive_ms(&f)?;
        }
        if let Some(f) = o.opt("backoff") {
            p.backoff = match f.str()? {
                "fixed" => Backoff::Fixed,
                "random" => Backoff::Random,
                other => return Err(f.err(unknown(Detail::plain("back-off"), other, &["fixed", "random"]))),
            };
        }
        if let Some(f) = o.opt("backoff_ms") {
            p.backoff_us = f.ms()?;
        }
        if let Some(f) = o.opt("announce") {
            p.announce = match f.str()? {
                "acceptors" => Announce::Acceptors,
                "proposer" => Announce::Proposer,
                other => {
                    return Err(f.err(unknown(Detail::plain("announcer"), other, &["acceptors", "proposer"])));
                }
            };
        }
        if let Some(f) = o.opt("client_timeout_ms") {
            p.client_timeout_us = positive_ms(&f)?;
        }
        if let Some(f) = o.opt("catchup_ms") {
            p.catchup_us = positive_ms(&f)?;
        }
        if let Some(f) = o.opt("planted_bug") {
            p.planted_bug = planted_bug(&f)?.then_some(PlantedBug::IgnorePromisedValues);
        }
        Ok(p)
    }

    fn parse_durable(&self, _node: NodeId, o: &mut Obj<'_>, nodes: u32) -> Result<Durable> {
        let mut d = Durable::default();
        if let Some(f) = o.opt("promised") {
            d.acceptor.promised = ballot(&f, nodes)?;
        }
        if let Some(f) = o.opt("accepted") {
            let mut a = f.object()?;
            let bf = a.req("ballot")?;
            let b = ballot(&bf, nodes)?;
            let v = a.req("value")?.str()?.to_string();
            a.finish()?;
            if b > d.acceptor.promised {
                d.acceptor.promised = b;
            }
            d.acceptor.accepted.insert(1, (b, v));
        }
        if let Some(f) = o.opt("round") {
            d.round = f.counter(0)?;
        }
        if let Some(f) = o.opt("value") {
            d.value = match f.value() {
                Value::Null => None,
                _ => Some(f.str()?.to_string()),
            };
        }
        Ok(d)
    }

    fn parse_request(&self, request: &Field<'_>) -> Result<Proposal> {
        let s = request.str()?;
        match s.split_whitespace().collect::<Vec<_>>().as_slice() {
            ["propose", v] => Ok(Proposal { value: v.to_string() }),
            _ => Err(request.err(Detail::new("\"{text}\" is not a proposal (expected \"propose VALUE\", one word)", &[("text", &s)]))),
        }
    }

    fn request_json(&self, request: &Proposal) -> Value {
        Value::String(request.to_string())
    }

    fn fuzz_request(&self, rng: &mut Rng, _nodes: u32) -> Proposal {
        const VALUES: [&str; 5] = ["A", "B", "C", "D", "E"];
        Proposal { value: VALUES[rng.below(VALUES.len() as u64) as usize].to_string() }
    }

    fn message_kinds(&self) -> &'static [&'static str] {
        &["Prepare", "Promise", "Accept", "Accepted", "Nack", "Decide", "Ask", "Chosen"]
    }
}

impl ScenarioProtocol for MultiPaxos {
    const NAME: &'static str = "multipaxos";
    const MAX_NODES: u32 = 15;

    fn from_config(o: &mut Obj<'_>, _nodes: u32) -> Result<Self> {
        let mut m = MultiPaxos::default();
        if let Some(f) = o.opt("election_timeout_ms") {
            let (lo, hi) = f.ms_range()?;
            if lo == 0 {
                return Err(f.err(Detail::plain("the shortest election timeout must be positive")));
            }
            m.election_timeout_us = (lo, hi);
        }
        if let Some(f) = o.opt("heartbeat_ms") {
            m.heartbeat_us = positive_ms(&f)?;
        }
        if let Some(f) = o.opt("client_timeout_ms") {
            m.client_timeout_us = positive_ms(&f)?;
        }
        if let Some(f) = o.opt("resend_ms") {
            m.resend_us = positive_ms(&f)?;
        }
        if let Some(f) = o.opt("max_decides_per_message") {
            m.max_decides_per_message = f.u64_in(1, 1 << 20)? as usize;
        }
        if let Some(f) = o.opt("planted_bug") {
            m.ignore_promised_values = planted_bug(&f)?;
        }
        Ok(m)
    }

    fn parse_durable(&self, _node: NodeId, _o: &mut Obj<'_>, _nodes: u32) -> Result<crate::protocols::paxos::multi::Durable> {
        Ok(Default::default())
    }

    fn parse_request(&self, request: &Field<'_>) -> Result<Command> {
        let c = Command::parse(request.str()?).map_err(|e| request.err(e))?;
        if c == Command::Noop {
            return Err(request.err(Detail::plain("\"noop\" is a leader's filler, not a client request")));
        }
        Ok(c)
    }

    fn request_json(&self, request: &Command) -> Value {
        Value::String(request.to_string())
    }

    fn fuzz_request(&self, rng: &mut Rng, _nodes: u32) -> Command {
        const KEYS: [&str; 3] = ["x", "y", "z"];
        let key = KEYS[rng.below(KEYS.len() as u64) as usize].to_string();
        match rng.below(20) {
            0..=11 => Command::Set { key, value: (1 + rng.below(99)).to_string() },
            12..=16 => Command::Get { key },
            _ => Command::Del { key },
        }
    }

    fn message_kinds(&self) -> &'static [&'static str] {
        &["Prepare", "Promise", "Accept", "Accepted", "Nack", "Heartbeat", "Behind", "Decide", "ClientReply"]
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scenario::protocol::parse_config;
    use crate::sim::ms;
    use serde_json::json;

    #[test]
    fn paxos_config_keys_set_the_fields() {
        let c = json!({"roles": {"proposers": [1], "learners": [2, 3]}, "retry_ms": 50, "backoff": "fixed", "backoff_ms": 20, "announce": "proposer", "client_timeout_ms": 900, "catchup_ms": 250, "planted_bug": "ignore_promised_values"});
        let p: Paxos = parse_config(&c, "config", 3).unwrap();
        assert_eq!((p.proposers, p.acceptors, p.learners), (vec![1], vec![1, 2, 3], vec![2, 3]));
        assert_eq!((p.retry_us, p.backoff, p.backoff_us, p.announce), (ms(50), Backoff::Fixed, ms(20), Announce::Proposer));
        assert_eq!((p.client_timeout_us, p.catchup_us, p.planted_bug), (ms(900), ms(250), Some(PlantedBug::IgnorePromisedValues)));
        let d: Paxos = parse_config(&json!({}), "config", 3).unwrap();
        assert_eq!(d, Paxos::new(3));
        assert_eq!(parse_config::<Paxos>(&json!({"catchup_ms": 0}), "config", 3).unwrap_err().to_string(), "config.catchup_ms: must be positive");
    }

    #[test]
    fn multi_paxos_config_keys_set_the_fields() {
        let c = json!({"election_timeout_ms": [100, 200], "heartbeat_ms": 20, "client_timeout_ms": 400, "resend_ms": 300, "max_decides_per_message": 8, "planted_bug": "ignore_promised_values"});
        let m: MultiPaxos = parse_config(&c, "config", 5).unwrap();
        assert_eq!((m.election_timeout_us, m.heartbeat_us, m.client_timeout_us, m.resend_us), ((ms(100), ms(200)), ms(20), ms(400), ms(300)));
        assert_eq!((m.max_decides_per_message, m.ignore_promised_values), (8, true));
        let d: MultiPaxos = parse_config(&json!({}), "config", 5).unwrap();
        assert_eq!(d, MultiPaxos::default());
        assert_eq!(parse_config::<MultiPaxos>(&json!({"resend_ms": 0}), "config", 5).unwrap_err().to_string(), "config.resend_ms: must be positive");
    }
}
