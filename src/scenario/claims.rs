//! What a guide step says about its run, as data that a test can check: a guide cannot drift
//! from its run when every server, term, leader, decision or chosen value it names is also a
//! claim that the run is checked against, at the step's first and last moment.
//!
//! A claim is a path into the run's report (the JSON that `distlab run` prints) and the value
//! found there:
//!
//! ```json
//! "expect": { "S5.role": "leader", "S5.term": 1, "S3.up": false,
//!             "outcome.committed": ["set x 1"],
//!             "outcome.transactions[id=1].decision": "abort",
//!             "outcome.chosen.len": 1, "S2.served": {">=": 40} }
//! ```
//!
//! - `S3` is server 3's entry: `up`, `paused` and `id` first, then the fields of its `view`
//!   (`role`, `term`, `state`, ...); `C1` is client 1's view; any other first key is a key of
//!   the report (`outcome`, `invariants`, `events`).
//! - `.key` steps into an object, `[2]` into an array by position, `[id=5]` into the array's
//!   element whose `id` is 5 (numbers and strings compare as written), `.len` is the length of
//!   an array, object or string (unless the object has a key `len`).
//! - The value is compared as JSON (numbers as numbers: `1` equals `1.0`), unless it is an
//!   object with one of the operators `">="`, `"<="`, `"!="` or `"contains"` (an element of an
//!   array, a key of an object, a part of a string).
//!
//! [`unbacked`] is the other half: the servers and terms a step's text names that no claim of
//! the step is about.

use serde_json::Value;

use crate::sim::Detail;

/// One claim: a path into the report and what must be found there.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Claim {
    /// `S3.role`, `outcome.committed`, `invariants[name=Election Safety].holds`.
    pub path: String,
    /// The value, or an operator object (see the module doc).
    pub want: Value,
}

/// The comparison operators a claim's value may use.
pub const OPERATORS: &[&str] = &[">=", "<=", "!=", "contains"];

impl Claim {
    /// Checks the claim against a report; the error says what was found instead.
    pub fn check(&self, report: &Value) -> Result<(), String> {
        let found = resolve(report, &self.path)?;
        if matches(&found, &self.want) { Ok(()) } else { Err(format!("{} is {}, not {}", self.path, short(&found), describe_want(&self.want))) }
    }

    /// Whether the path is well formed (checked when a guide is read, so that a typo is an
    /// error in the file rather than a failed check later).
    pub fn validate(&self) -> Result<(), Detail> {
        let segments = segments(&self.path)?;
        match segments.first() {
            Some(Segment::Key(_)) => {}
            _ => {
                return Err(Detail::new("\"{path}\" must start with a name (S3, C1, outcome, invariants, ...)", &[("path", &self.path)]));
            }
        }
        if let Some((op, _)) = operator(&self.want)
            && !OPERATORS.contains(&op)
        {
            return Err(Detail::new("unknown operator \"{op}\" (expected one of: {expected})", &[("op", &op), ("expected", &OPERATORS.join(", "))]));
        }
        Ok(())
    }

    /// The server this claim is about, if its path starts with one (`S3.role` → 3).
    pub fn server(&self) -> Option<u32> {
        let head = self.path.split(['.', '[']).next()?;
        node_number(head, 'S')
    }
}

/// `S3` → 3 (for `prefix` `S`).
fn node_number(word: &str, prefix: char) -> Option<u32> {
    let digits = word.strip_prefix(prefix)?;
    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    digits.parse().ok()
}

#[derive(Debug, PartialEq)]
enum Segment<'a> {
    Key(&'a str),
    Index(usize),
    Find(&'a str, &'a str),
}

fn segments(path: &str) -> Result<Vec<Segment<'_>>, Detail> {
    let mut out = Vec::new();
    for part in path.split('.') {
        let (key, mut rest) = match part.find('[') {
            Some(i) => (&part[..i], &part[i..]),
            None => (part, ""),
        };
        if key.is_empty() && (out.is_empty() || rest.is_empty()) {
            return Err(Detail::new("\"{path}\": an empty name", &[("path", &path)]));
        }
        if !key.is_empty() {
            out.push(Segment::Key(key));
        }
        while !rest.is_empty() {
            let close = rest.find(']').ok_or_else(|| Detail::new("\"{path}\": a [ without its ]", &[("path", &path)]))?;
            let inner = &rest[1..close];
            rest = &rest[close + 1..];
            if !rest.is_empty() && !rest.starts_with('[') {
                return Err(Detail::new("\"{path}\": text after a ]", &[("path", &path)]));
            }
            match inner.split_once('=') {
                Some((field, value)) if !field.is_empty() => out.push(Segment::Find(field, value)),
                Some(_) => return Err(Detail::new("\"{path}\": [=...] names no field", &[("path", &path)])),
                None => {
                    let index = inner.parse().map_err(|_| Detail::new("\"{path}\": [{inner}] is neither an index nor field=value", &[("path", &path), ("inner", &inner)]))?;
                    out.push(Segment::Index(index));
                }
            }
        }
    }
    Ok(out)
}

/// The value at `path` in a report (see the module doc).
pub fn resolve(report: &Value, path: &str) -> Result<Value, String> {
    let segments = segments(path).map_err(|e| e.to_string())?;
    let mut at: Value;
    let mut rest = &segments[..];
    match segments.first() {
        Some(Segment::Key(head)) if node_number(head, 'S').is_some() => {
            let id = node_number(head, 'S').unwrap_or_default();
            let node = find_by_id(report.get("nodes"), id).ok_or_else(|| format!("{path}: the run has no server S{id}"))?;
            rest = &segments[1..];
            // Its own fields first (up, paused), then its view's.
            at = match rest.first() {
                Some(Segment::Key(k)) if node.get(*k).is_some() && *k != "view" => node.clone(),
                _ => node.get("view").cloned().unwrap_or(Value::Null),
            };
        }
        Some(Segment::Key(head)) if node_number(head, 'C').is_some() => {
            let id = node_number(head, 'C').unwrap_or_default();
            let client = find_by_id(report.get("clients"), id).ok_or_else(|| format!("{path}: the run has no client C{id}"))?;
            at = client.get("view").cloned().unwrap_or(Value::Null);
            rest = &segments[1..];
        }
        _ => at = report.clone(),
    }
    let mut walked = String::new();
    for (i, segment) in rest.iter().enumerate() {
        let next = match segment {
            Segment::Key("len") if at.get("len").is_none() && i + 1 == rest.len() => match &at {
                Value::Array(a) => Some(Value::from(a.len())),
                Value::Object(o) => Some(Value::from(o.len())),
                Value::String(s) => Some(Value::from(s.chars().count())),
                _ => None,
            },
            Segment::Key(k) => at.get(*k).cloned(),
            Segment::Index(n) => at.get(*n).cloned(),
            Segment::Find(field, value) => at.as_array().and_then(|a| a.iter().find(|e| e.get(*field).is_some_and(|v| same_text(v, value)))).cloned(),
        };
        walked.push_str(&match segment {
            Segment::Key(k) => format!(".{k}"),
            Segment::Index(n) => format!("[{n}]"),
            Segment::Find(f, v) => format!("[{f}={v}]"),
        });
        at = next.ok_or_else(|| format!("{path}: nothing at {} (in {})", walked.trim_start_matches('.'), short(&at)))?;
    }
    Ok(at)
}

fn find_by_id(list: Option<&Value>, id: u32) -> Option<&Value> {
    list?.as_array()?.iter().find(|n| n.get("id").and_then(Value::as_u64) == Some(u64::from(id)))
}

/// A JSON value against the text of a `[field=value]`.
fn same_text(v: &Value, text: &str) -> bool {
    match v {
        Value::String(s) => s == text,
        Value::Number(n) => text.parse::<f64>().is_ok_and(|t| n.as_f64() == Some(t)),
        Value::Bool(b) => text == if *b { "true" } else { "false" },
        Value::Null => text == "null",
        _ => false,
    }
}

/// The operator of an operator object: `{">=": 3}` → (">=", 3).
fn operator(want: &Value) -> Option<(&str, &Value)> {
    let o = want.as_object()?;
    if o.len() != 1 {
        return None;
    }
    let (k, v) = o.iter().next()?;
    // Any key of comparison signs reads as an operator, so that a mistyped one ("=>") is
    // refused rather than taken for an object to compare with.
    (k.chars().all(|c| "<>=!".contains(c)) || k == "contains").then_some((k.as_str(), v))
}

/// Whether `found` satisfies `want`.
pub fn matches(found: &Value, want: &Value) -> bool {
    match operator(want) {
        Some((">=", w)) => cmp(found, w).is_some_and(|o| o.is_ge()),
        Some(("<=", w)) => cmp(found, w).is_some_and(|o| o.is_le()),
        Some(("!=", w)) => !equal(found, w),
        Some(("contains", w)) => match found {
            Value::Array(a) => a.iter().any(|e| equal(e, w)),
            Value::Object(o) => w.as_str().is_some_and(|k| o.contains_key(k)),
            Value::String(s) => w.as_str().is_some_and(|p| s.contains(p)),
            _ => false,
        },
        _ => equal(found, want),
    }
}

fn cmp(a: &Value, b: &Value) -> Option<std::cmp::Ordering> {
    a.as_f64()?.partial_cmp(&b.as_f64()?)
}

/// JSON equality, numbers compared by value.
fn equal(a: &Value, b: &Value) -> bool {
    match (a, b) {
        (Value::Number(x), Value::Number(y)) => x.as_f64() == y.as_f64(),
        (Value::Array(x), Value::Array(y)) => x.len() == y.len() && x.iter().zip(y).all(|(p, q)| equal(p, q)),
        (Value::Object(x), Value::Object(y)) => x.len() == y.len() && x.iter().all(|(k, v)| y.get(k).is_some_and(|w| equal(v, w))),
        _ => a == b,
    }
}

fn describe_want(want: &Value) -> String {
    match operator(want) {
        Some((op, v)) => format!("{op} {}", short(v)),
        None => short(want),
    }
}

/// A value in a message, cut to a readable length.
fn short(v: &Value) -> String {
    let s = v.to_string();
    if s.chars().count() > 120 { format!("{}…", s.chars().take(120).collect::<String>()) } else { s }
}

/// The servers (`S3`) and Raft terms (`term 2`, `t2`) that `text` names and that no claim
/// backs: a server needs a claim about it (a path starting `S3.`), a term a claim whose path
/// ends in `term` (or `.ballot.round`, ...: any path naming `term`) with that value.
pub fn unbacked(text: &str, claims: &[Claim]) -> Vec<String> {
    let mut missing = Vec::new();
    for id in mentioned_servers(text) {
        if !claims.iter().any(|c| c.server() == Some(id)) {
            missing.push(format!("S{id}"));
        }
    }
    for term in mentioned_terms(text) {
        let backed = claims.iter().any(|c| c.path.contains("term") && claim_values(&c.want).any(|v| v.as_u64() == Some(term)));
        if !backed {
            missing.push(format!("term {term}"));
        }
    }
    missing.dedup();
    missing
}

/// The plain values a claim compares with (an operator's operand, an array's elements).
fn claim_values(want: &Value) -> impl Iterator<Item = &Value> {
    let inner = operator(want).map_or(want, |(_, v)| v);
    let many: Vec<&Value> = match inner {
        Value::Array(a) => a.iter().collect(),
        v => vec![v],
    };
    many.into_iter()
}

/// Words of `text`: runs of letters and digits.
fn words(text: &str) -> impl Iterator<Item = &str> {
    // ASCII only: in Chinese, "S1的" is the name S1 and a character, with no space between.
    text.split(|c: char| !c.is_ascii_alphanumeric()).filter(|w| !w.is_empty())
}

/// `S3`, `S12` as whole words.
fn mentioned_servers(text: &str) -> Vec<u32> {
    let mut ids: Vec<u32> = words(text).filter_map(|w| node_number(w, 'S')).collect();
    ids.sort_unstable();
    ids.dedup();
    ids
}

/// `term 3`, `terms 2 and 3` (the first), `t3` as whole words; `任期 3` in Chinese.
fn mentioned_terms(text: &str) -> Vec<u64> {
    let ws: Vec<&str> = words(text).collect();
    let mut terms = Vec::new();
    for (i, w) in ws.iter().enumerate() {
        if let Some(n) = w.strip_prefix('t').filter(|d| !d.is_empty() && d.bytes().all(|b| b.is_ascii_digit())) {
            terms.extend(n.parse::<u64>().ok());
        }
        if matches!(w.to_ascii_lowercase().as_str(), "term" | "terms")
            && let Some(n) = ws.get(i + 1).and_then(|n| n.parse::<u64>().ok())
        {
            terms.push(n);
        }
    }
    // Chinese: 任期 3, 任期3.
    for (at, _) in text.match_indices("任期") {
        let digits: String = text[at + "任期".len()..].trim_start().chars().take_while(char::is_ascii_digit).collect();
        terms.extend(digits.parse::<u64>().ok());
    }
    terms.sort_unstable();
    terms.dedup();
    terms
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn report() -> Value {
        json!({
            "events": 40,
            "invariants": [{"name": "Election Safety", "holds": true, "violation": null}],
            "nodes": [
                {"id": 1, "up": true, "paused": false, "view": {"role": "follower", "term": 2, "leader": 3, "log": [{"term": 1}]}},
                {"id": 3, "up": false, "paused": false, "view": {"role": "leader", "term": 2}}
            ],
            "clients": [{"id": 1, "view": {"answered": [{"seq": 1, "result": "ok"}]}}],
            "outcome": {"committed": ["set x 1", "set x 2"], "transactions": [{"id": 1, "decision": "abort"}], "len": 7}
        })
    }

    fn claim(path: &str, want: Value) -> Claim {
        Claim { path: path.into(), want }
    }

    #[test]
    fn paths_reach_servers_their_views_clients_and_the_report() {
        let r = report();
        assert_eq!(resolve(&r, "S1.role"), Ok(json!("follower")));
        assert_eq!(resolve(&r, "S3.up"), Ok(json!(false)));
        assert_eq!(resolve(&r, "S1.log[0].term"), Ok(json!(1)));
        assert_eq!(resolve(&r, "S1.log.len"), Ok(json!(1)));
        assert_eq!(resolve(&r, "C1.answered[seq=1].result"), Ok(json!("ok")));
        assert_eq!(resolve(&r, "outcome.transactions[id=1].decision"), Ok(json!("abort")));
        assert_eq!(resolve(&r, "invariants[name=Election Safety].holds"), Ok(json!(true)));
        assert_eq!(resolve(&r, "outcome.committed.len"), Ok(json!(2)));
        assert_eq!(resolve(&r, "outcome.len"), Ok(json!(7)), "a key named len is a key");
        assert_eq!(resolve(&r, "events"), Ok(json!(40)));
    }

    #[test]
    fn missing_things_are_named() {
        let r = report();
        assert_eq!(resolve(&r, "S9.role"), Err("S9.role: the run has no server S9".into()));
        assert_eq!(resolve(&r, "C2.answered"), Err("C2.answered: the run has no client C2".into()));
        let e = resolve(&r, "outcome.transactions[id=2].decision").unwrap_err();
        assert!(e.starts_with("outcome.transactions[id=2].decision: nothing at outcome.transactions[id=2]"), "{e}");
        assert!(resolve(&r, "S1.votes").unwrap_err().contains("nothing at votes"));
    }

    #[test]
    fn values_compare_as_json_and_operators_compare_as_named() {
        let r = report();
        assert_eq!(claim("S1.term", json!(2.0)).check(&r), Ok(()), "numbers by value");
        assert_eq!(claim("S1.role", json!("leader")).check(&r), Err("S1.role is \"follower\", not \"leader\"".into()));
        assert_eq!(claim("outcome.committed", json!(["set x 1", "set x 2"])).check(&r), Ok(()));
        assert!(claim("outcome.committed", json!(["set x 1"])).check(&r).is_err(), "arrays whole");
        assert_eq!(claim("events", json!({">=": 40})).check(&r), Ok(()));
        assert_eq!(claim("events", json!({"<=": 39})).check(&r), Err("events is 40, not <= 39".into()));
        assert_eq!(claim("S1.role", json!({"!=": "leader"})).check(&r), Ok(()));
        assert_eq!(claim("outcome.committed", json!({"contains": "set x 2"})).check(&r), Ok(()));
        assert!(claim("outcome.committed", json!({"contains": "set x 3"})).check(&r).is_err());
        assert_eq!(claim("S1", json!({"contains": "leader"})).check(&r), Ok(()), "an object's key");
        assert_eq!(claim("S1.role", json!({"contains": "follow"})).check(&r), Ok(()), "part of a string");
    }

    #[test]
    fn malformed_paths_and_operators_are_refused() {
        assert!(claim("S1.role", json!(1)).validate().is_ok());
        assert!(claim("outcome.x[id=2][0].y", json!(1)).validate().is_ok());
        for bad in ["", ".role", "S1..role", "S1.log[0", "S1.log[x]", "S1.log[=3]", "S1.log[0]x", "[0].a"] {
            assert!(claim(bad, json!(1)).validate().is_err(), "{bad:?} should be refused");
        }
        let e = claim("S1.term", json!({">>": 1})).validate().unwrap_err();
        assert_eq!(e, "unknown operator \">>\" (expected one of: >=, <=, !=, contains)");
    }

    #[test]
    fn servers_and_terms_named_in_a_text_need_a_claim() {
        let claims = [claim("S5.role", json!("leader")), claim("S5.term", json!(1))];
        assert_eq!(unbacked("S5 becomes leader of term 1 (t1).", &claims), Vec::<String>::new());
        assert_eq!(unbacked("S5 leads t1; S3 and S12 follow in term 2.", &claims), ["S3", "S12", "term 2"]);
        assert_eq!(unbacked("Servers, tests and 'S' alone name nothing; nor does it3.", &claims), Vec::<String>::new());
        let in_list = [claim("outcome.leaders[0].term", json!({">=": 4})), claim("S2.up", json!(true))];
        assert_eq!(unbacked("S2 leads terms 4", &in_list), Vec::<String>::new(), "an operator's operand backs a term");
    }
}
