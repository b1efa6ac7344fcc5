//! The replicated key-value state machine that a replicated log drives (Raft's committed
//! entries, Multi-Paxos's decided slots).

use std::collections::BTreeMap;
use std::fmt;
use std::str::FromStr;

use serde::Serialize;

use crate::sim::{ClientId, Detail};

/// A state-machine command, as written in scenarios: `set K V`, `get K`, `del K`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub enum Command {
    /// Store a value.
    Set { key: String, value: String },
    /// Read a value (through the log, so the read is linearizable).
    Get { key: String },
    /// Remove a key.
    Del { key: String },
    /// An empty entry: a Raft leader's entry of its own term (with `leader_noop`), or a
    /// Multi-Paxos leader's filler for a slot nobody had accepted anything in.
    Noop,
}

impl Command {
    /// Reads a command as scenarios write it; the error is words the lab translates (a
    /// scenario's request that is not a command).
    pub fn parse(s: &str) -> Result<Command, Detail> {
        let words: Vec<&str> = s.split_whitespace().collect();
        match words.as_slice() {
            ["set", k, v] => Ok(Command::Set { key: k.to_string(), value: v.to_string() }),
            ["get", k] => Ok(Command::Get { key: k.to_string() }),
            ["del", k] => Ok(Command::Del { key: k.to_string() }),
            ["noop"] => Ok(Command::Noop),
            _ => Err(Detail::new("\"{text}\" is not a command (expected \"set KEY VALUE\", \"get KEY\" or \"del KEY\")", &[("text", &s)])),
        }
    }
}

impl FromStr for Command {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        Command::parse(s).map_err(|e| e.to_string())
    }
}

impl fmt::Display for Command {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Command::Set { key, value } => write!(f, "set {key} {value}"),
            Command::Get { key } => write!(f, "get {key}"),
            Command::Del { key } => write!(f, "del {key}"),
            Command::Noop => f.write_str("noop"),
        }
    }
}

/// The key-value store plus the client sessions that make retried requests apply once
/// (the Raft paper, section 8).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Kv {
    /// The data.
    pub data: BTreeMap<String, String>,
    /// Per client: the highest request number applied and its result.
    pub sessions: BTreeMap<ClientId, (u64, String)>,
}

impl Kv {
    /// Applies a command once per (client, seq); a repeat returns the first result.
    pub fn apply(&mut self, command: &Command, origin: Option<(ClientId, u64)>) -> String {
        if let Some((client, seq)) = origin
            && let Some((done, result)) = self.sessions.get(&client)
            && seq <= *done
        {
            return result.clone();
        }
        let result = match command {
            Command::Set { key, value } => {
                self.data.insert(key.clone(), value.clone());
                "ok".to_string()
            }
            Command::Get { key } => self.data.get(key).cloned().unwrap_or_else(|| "(nil)".into()),
            Command::Del { key } => if self.data.remove(key).is_some() { "1" } else { "0" }.to_string(),
            Command::Noop => String::new(),
        };
        if let Some((client, seq)) = origin {
            self.sessions.insert(client, (seq, result.clone()));
        }
        result
    }

    /// The cached result of a client's request, if it was already applied.
    pub fn answered(&self, client: ClientId, seq: u64) -> Option<&str> {
        self.sessions.get(&client).filter(|(done, _)| seq <= *done).map(|(_, r)| r.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_and_prints_commands() {
        for s in ["set x 5", "get x", "del x"] {
            assert_eq!(s.parse::<Command>().unwrap().to_string(), s);
        }
        assert!("put x".parse::<Command>().unwrap_err().contains("put x"));
        assert!("set x".parse::<Command>().is_err());
    }

    #[test]
    fn applies_each_client_request_once() {
        let mut kv = Kv::default();
        assert_eq!(kv.apply(&"set x 1".parse().unwrap(), Some((1, 1))), "ok");
        assert_eq!(kv.apply(&"del x".parse().unwrap(), Some((1, 2))), "1");
        // A retried request 2 must not delete again, and returns the first answer.
        kv.data.insert("x".into(), "9".into());
        assert_eq!(kv.apply(&"del x".parse().unwrap(), Some((1, 2))), "1");
        assert_eq!(kv.data.get("x").map(String::as_str), Some("9"));
        assert_eq!(kv.apply(&"get x".parse().unwrap(), None), "9");
        assert_eq!(kv.answered(1, 2), Some("1"));
        assert_eq!(kv.answered(1, 3), None);
    }
}
