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
    /// A double quote is refused: the trace writes commands and answers between double quotes,
    /// so one inside would make `set x a"b` read as something else.
    pub fn parse(s: &str) -> Result<Command, Detail> {
        if s.contains('"') {
            return Err(Detail::new("a key or value cannot contain a double quote (the trace writes commands between double quotes): {text}", &[("text", &s)]));
        }
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

impl Command {
    /// What it does, as history checkers name an operation (`f`): `set`, `get`, `del`, `noop`.
    pub fn verb(&self) -> &'static str {
        match self {
            Command::Set { .. } => "set",
            Command::Get { .. } => "get",
            Command::Del { .. } => "del",
            Command::Noop => "noop",
        }
    }

    /// The key it names; none for a no-op.
    pub fn key(&self) -> Option<&str> {
        match self {
            Command::Set { key, .. } | Command::Get { key } | Command::Del { key } => Some(key),
            Command::Noop => None,
        }
    }

    /// The value a `set` writes.
    pub fn value(&self) -> Option<&str> {
        match self {
            Command::Set { value, .. } => Some(value),
            _ => None,
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

/// What the state machine answers a command. Typed, so that a missing key is not a value: a
/// `get` of a key that holds nothing answers [`Answer::Missing`], shown `(nil)`, while every
/// value is shown between double quotes (`"(nil)"` is the value someone set), and reports give
/// `null` for the one and the string for the other.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Answer {
    /// `set`: stored.
    Ok,
    /// `get` of a key that holds this value.
    Value(String),
    /// `get` of a key that holds nothing.
    Missing,
    /// `del`: whether there was a key to remove (Redis's 1 or 0).
    Deleted(bool),
    /// `noop`: nothing to answer (no client waits on one).
    Nothing,
}

impl Answer {
    /// The answer's text, unquoted: `ok`, the value, `1` or `0`, empty for a no-op; `None` for a
    /// missing key, which has no text.
    pub fn text(&self) -> Option<&str> {
        match self {
            Answer::Ok => Some("ok"),
            Answer::Value(v) => Some(v),
            Answer::Missing => None,
            Answer::Deleted(true) => Some("1"),
            Answer::Deleted(false) => Some("0"),
            Answer::Nothing => Some(""),
        }
    }
}

/// As the trace shows it: `"ok"`, `"5"`, `"1"`, and `(nil)` unquoted for a missing key.
impl fmt::Display for Answer {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.text() {
            Some(t) => write!(f, "\"{t}\""),
            None => f.write_str("(nil)"),
        }
    }
}

/// As reports give it: the text as a JSON string, `null` for a missing key.
impl Serialize for Answer {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match self.text() {
            Some(t) => s.serialize_str(t),
            None => s.serialize_none(),
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
    pub sessions: BTreeMap<ClientId, (u64, Answer)>,
}

impl Kv {
    /// Applies a command once per (client, seq); a repeat returns the first result.
    pub fn apply(&mut self, command: &Command, origin: Option<(ClientId, u64)>) -> Answer {
        if let Some((client, seq)) = origin
            && let Some((done, result)) = self.sessions.get(&client)
            && seq <= *done
        {
            return result.clone();
        }
        let result = match command {
            Command::Set { key, value } => {
                self.data.insert(key.clone(), value.clone());
                Answer::Ok
            }
            Command::Get { key } => self.data.get(key).map_or(Answer::Missing, |v| Answer::Value(v.clone())),
            Command::Del { key } => Answer::Deleted(self.data.remove(key).is_some()),
            Command::Noop => Answer::Nothing,
        };
        if let Some((client, seq)) = origin {
            self.sessions.insert(client, (seq, result.clone()));
        }
        result
    }

    /// The cached result of a client's request, if it was already applied.
    pub fn answered(&self, client: ClientId, seq: u64) -> Option<&Answer> {
        self.sessions.get(&client).filter(|(done, _)| seq <= *done).map(|(_, r)| r)
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
        assert_eq!(kv.apply(&"set x 1".parse().unwrap(), Some((1, 1))), Answer::Ok);
        assert_eq!(kv.apply(&"del x".parse().unwrap(), Some((1, 2))), Answer::Deleted(true));
        // A retried request 2 must not delete again, and returns the first answer.
        kv.data.insert("x".into(), "9".into());
        assert_eq!(kv.apply(&"del x".parse().unwrap(), Some((1, 2))), Answer::Deleted(true));
        assert_eq!(kv.data.get("x").map(String::as_str), Some("9"));
        assert_eq!(kv.apply(&"get x".parse().unwrap(), None), Answer::Value("9".into()));
        assert_eq!(kv.answered(1, 2), Some(&Answer::Deleted(true)));
        assert_eq!(kv.answered(1, 3), None);
    }

    /// Issue 21, point 8: `get` of a missing key and `get` of a key set to the text `(nil)` used
    /// to answer the same string; they are now told apart in the trace and in reports.
    #[test]
    fn a_missing_key_is_not_the_value_nil() {
        let mut kv = Kv::default();
        let missing = kv.apply(&"get y".parse().unwrap(), None);
        kv.apply(&"set y (nil)".parse().unwrap(), None);
        let set = kv.apply(&"get y".parse().unwrap(), None);
        assert_ne!(missing, set);
        assert_eq!((missing.to_string(), set.to_string()), ("(nil)".to_string(), "\"(nil)\"".to_string()));
        assert_eq!((serde_json::to_value(&missing).unwrap(), serde_json::to_value(&set).unwrap()), (serde_json::Value::Null, serde_json::json!("(nil)")));
        assert_eq!(Answer::Ok.to_string(), "\"ok\"", "values and other answers stay quoted as before");
    }

    /// Issue 21, point 8: a double quote inside a command printed unescaped between the trace's
    /// quotes (`"set x a"b"`); it is refused, naming the command.
    #[test]
    fn a_double_quote_in_a_command_is_refused() {
        for s in ["set x a\"b", "get \"x\"", "del x\""] {
            let e = Command::parse(s).unwrap_err().to_string();
            assert!(e.contains("cannot contain a double quote") && e.ends_with(s), "{s}: {e}");
        }
    }
}
