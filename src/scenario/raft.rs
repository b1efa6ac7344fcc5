//! Raft in scenario files.
//!
//! `config` keys: `election_timeout_ms` `[lo, hi]`, `heartbeat_ms`, `client_timeout_ms`,
//! `max_entries_per_append`, `leader_noop`, `planted_bug` (`"commit_previous_term"` or null).
//! `initial` entries: `{"node": 2, "term": 4, "voted_for": 2, "log": [{"term": 1, "command":
//! "set x 1"}]}`. Requests: `"set K V"`, `"get K"`, `"del K"`.

use serde_json::Value;

use super::error::Result;
use super::json::{Field, Obj};
use super::protocol::ScenarioProtocol;
use crate::protocols::raft::{Command, Durable, Entry, PlantedBug, Raft};
use crate::sim::rng::Rng;
use crate::sim::{Detail, NodeId};

/// The names of [`PlantedBug`]s in scenario files.
pub const PLANTED_BUGS: &[(&str, PlantedBug)] = &[("commit_previous_term", PlantedBug::CommitPreviousTerm)];

fn command(f: &Field<'_>) -> Result<Command> {
    Command::parse(f.str()?).map_err(|e| f.err(e))
}

impl ScenarioProtocol for Raft {
    const NAME: &'static str = "raft";
    const MAX_NODES: u32 = 15;

    fn from_config(o: &mut Obj<'_>, _nodes: u32) -> Result<Self> {
        let mut r = Raft::default();
        if let Some(f) = o.opt("election_timeout_ms") {
            let (lo, hi) = f.ms_range()?;
            if lo == 0 {
                return Err(f.err(Detail::plain("the shortest election timeout must be positive")));
            }
            r.election_timeout_us = (lo, hi);
        }
        if let Some(f) = o.opt("heartbeat_ms") {
            r.heartbeat_us = f.ms()?;
            if r.heartbeat_us == 0 {
                return Err(f.err(Detail::plain("must be positive")));
            }
        }
        if let Some(f) = o.opt("client_timeout_ms") {
            r.client_timeout_us = f.ms()?;
            if r.client_timeout_us == 0 {
                return Err(f.err(Detail::plain("must be positive")));
            }
        }
        if let Some(f) = o.opt("max_entries_per_append") {
            r.max_entries_per_append = f.u64_in(1, 1 << 20)? as usize;
        }
        if let Some(f) = o.opt("leader_noop") {
            r.leader_noop = f.bool()?;
        }
        if let Some(f) = o.opt("planted_bug") {
            r.planted_bug = match f.value() {
                Value::Null => None,
                _ => {
                    let name = f.str()?;
                    let names: Vec<&str> = PLANTED_BUGS.iter().map(|(n, _)| *n).collect();
                    let bug = PLANTED_BUGS.iter().find(|(n, _)| *n == name).map(|(_, b)| *b);
                    Some(bug.ok_or_else(|| f.err(super::json::unknown(Detail::plain("planted bug"), name, &names)))?)
                }
            };
        }
        Ok(r)
    }

    fn parse_durable(&self, _node: NodeId, o: &mut Obj<'_>, nodes: u32) -> Result<Durable> {
        let term_field = o.opt("term");
        let term = term_field.as_ref().map(|f| f.counter(0)).transpose()?.unwrap_or(0);
        let voted_for = match o.opt("voted_for") {
            Some(f) if !f.value().is_null() => Some(f.node_id(nodes)?),
            _ => None,
        };
        let mut log = Vec::new();
        if let Some(f) = o.opt("log") {
            let mut prev = 0;
            for item in f.array()? {
                let mut e = item.object()?;
                let tf = e.req("term")?;
                let t = tf.counter(1)?;
                if t < prev {
                    return Err(tf.err(Detail::new("term {term} is lower than the previous entry's term {prev}", &[("term", &t), ("prev", &prev)])));
                }
                if t > term {
                    return Err(tf.err(Detail::new("term {term} is higher than the node's term {node_term}", &[("term", &t), ("node_term", &term)])));
                }
                prev = t;
                let c = command(&e.req("command")?)?;
                e.finish()?;
                log.push(Entry::new(t, c));
            }
        }
        Ok(Durable { term, voted_for, log })
    }

    fn parse_request(&self, request: &Field<'_>) -> Result<Command> {
        let c = command(request)?;
        if c == Command::Noop {
            return Err(request.err(Detail::plain("\"noop\" is a leader's entry, not a client request")));
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
        // Only servers' sends trigger `when`; ClientRequest is a client's.
        &["RequestVote", "RequestVoteReply", "AppendEntries", "AppendEntriesReply", "ClientReply"]
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
        let c = json!({"election_timeout_ms": [100, 200.5], "heartbeat_ms": 20, "client_timeout_ms": 400, "max_entries_per_append": 8, "leader_noop": true, "planted_bug": "commit_previous_term"});
        let r: Raft = parse_config(&c, "config", 5).unwrap();
        assert_eq!(r.election_timeout_us, (ms(100), 200_500));
        assert_eq!(r.heartbeat_us, ms(20));
        assert_eq!(r.client_timeout_us, ms(400));
        assert_eq!(r.max_entries_per_append, 8);
        assert!(r.leader_noop);
        assert_eq!(r.planted_bug, Some(PlantedBug::CommitPreviousTerm));
        let d: Raft = parse_config(&json!({}), "config", 5).unwrap();
        assert_eq!(d, Raft::default());
    }

    #[test]
    fn bad_config_names_the_key() {
        let cases = [
            (
                json!({"heartbeat": 5}),
                "config: unknown field \"heartbeat\" (expected one of: election_timeout_ms, heartbeat_ms, client_timeout_ms, max_entries_per_append, leader_noop, planted_bug; did you mean \"heartbeat_ms\"?)",
            ),
            (json!({"election_timeout_ms": [300, 150]}), "config.election_timeout_ms: the range is empty: 300 > 150"),
            (json!({"planted_bug": "commit_prev_term"}), "config.planted_bug: unknown planted bug \"commit_prev_term\" (expected one of: commit_previous_term)"),
            (json!({"leader_noop": 1}), "config.leader_noop: expected true or false, found 1"),
            (json!({"max_entries_per_append": 0}), "config.max_entries_per_append: 0 is out of range 1..=1048576"),
        ];
        for (c, want) in cases {
            assert_eq!(parse_config::<Raft>(&c, "config", 5).unwrap_err().to_string(), want);
        }
    }

    #[test]
    fn fuzz_requests_parse_back() {
        let r = Raft::default();
        let mut rng = Rng::stream(1, "t");
        for _ in 0..200 {
            let c = r.fuzz_request(&mut rng, 5);
            let v = r.request_json(&c);
            assert_eq!(r.parse_request(&Field::root(&v)).unwrap(), c);
        }
    }
}
