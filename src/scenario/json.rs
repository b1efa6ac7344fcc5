//! A small path-tracking reader over [`serde_json::Value`]: every accessor knows where in the
//! document it stands, so an error can say `schedule[3].crash: node 7 is out of range 1..=5`
//! instead of serde's "invalid value". Objects remember which keys were asked for, so unknown
//! keys are reported with the list of the expected ones (and a guess at the intended one).

use serde_json::{Map, Value};

use super::error::{Result, ScenarioError};
use crate::sim::network::ppm_from_ratio;
use crate::sim::rng::Ppm;
use crate::sim::{Detail, Micros, NodeId, Target};

/// The largest time a scenario may name, in µs (about 31 years): far enough below 2^53 that every
/// time written as fractional milliseconds reads back to the same µs.
pub const MAX_US: Micros = 1_000_000_000_000_000;

/// The largest term, round, transaction id, event or message number a scenario may name: 2^53,
/// the largest integer every JSON reader keeps exactly (JavaScript's numbers stop there), and so
/// far below `u64::MAX` that the counting a run does from it — one more per election, per round,
/// per transaction — cannot reach the end: that would take 2^64 − 2^53 elections, thousands of
/// years of simulation. Past it a counter would wrap to 0 (a term of 2^64 − 1 made S1 the leader
/// of term 0), so a larger number is refused where it is read, with this limit named.
pub const MAX_COUNTER: u64 = 1 << 53;

/// A value and its path in the document.
#[derive(Clone, Debug)]
pub struct Field<'a> {
    value: &'a Value,
    path: String,
}

impl<'a> Field<'a> {
    /// The document's root.
    pub fn root(value: &'a Value) -> Self {
        Field { value, path: String::new() }
    }

    /// A value standing at `path`.
    pub fn at(value: &'a Value, path: impl Into<String>) -> Self {
        Field { value, path: path.into() }
    }

    /// The raw value.
    pub fn value(&self) -> &'a Value {
        self.value
    }

    /// Its path (`schedule[3].crash`; empty for the root).
    pub fn path(&self) -> &str {
        &self.path
    }

    /// An error about this value.
    pub fn err(&self, message: Detail) -> ScenarioError {
        ScenarioError::at(self.path.clone(), message)
    }

    /// An error saying what was expected here and what was found ("expected an object, found
    /// an array").
    pub fn expected(&self, what: Detail) -> ScenarioError {
        self.err(Detail::plain("expected {what}, found {found}").with("what", what).with("found", describe(self.value)))
    }

    /// The child at `key` of an object (no check that it exists).
    fn child(&self, key: &str, value: &'a Value) -> Field<'a> {
        let path = if self.path.is_empty() { key.to_string() } else { format!("{}.{key}", self.path) };
        Field { value, path }
    }

    /// This value as an object.
    pub fn object(&self) -> Result<Obj<'a>> {
        match self.value {
            Value::Object(map) => Ok(Obj { map, field: self.clone(), known: Vec::new() }),
            _ => Err(self.expected(Detail::plain("an object"))),
        }
    }

    /// This value as an array, each element with its path.
    pub fn array(&self) -> Result<Vec<Field<'a>>> {
        match self.value {
            Value::Array(items) => Ok(items.iter().enumerate().map(|(i, v)| Field { value: v, path: format!("{}[{i}]", self.path) }).collect()),
            _ => Err(self.expected(Detail::plain("an array"))),
        }
    }

    /// This value as an array of exactly two elements.
    pub fn pair(&self) -> Result<[Field<'a>; 2]> {
        let items = self.array()?;
        match <[Field<'a>; 2]>::try_from(items) {
            Ok(pair) => Ok(pair),
            Err(items) => Err(self.err(Detail::new("expected an array of 2 elements, found {n}", &[("n", &items.len())]))),
        }
    }

    /// This value as a string.
    pub fn str(&self) -> Result<&'a str> {
        self.value.as_str().ok_or_else(|| self.expected(Detail::plain("a string")))
    }

    /// This value as a boolean.
    pub fn bool(&self) -> Result<bool> {
        self.value.as_bool().ok_or_else(|| self.expected(Detail::plain("true or false")))
    }

    /// This value as a non-negative integer.
    pub fn u64(&self) -> Result<u64> {
        self.value.as_u64().ok_or_else(|| self.expected(Detail::plain("a non-negative integer")))
    }

    /// This value as an integer in `lo..=hi`.
    pub fn u64_in(&self, lo: u64, hi: u64) -> Result<u64> {
        let v = self.u64()?;
        if v < lo || v > hi {
            return Err(self.err(Detail::new("{v} is out of range {lo}..={hi}", &[("v", &v), ("lo", &lo), ("hi", &hi)])));
        }
        Ok(v)
    }

    /// This value as a counter a run counts on from (a term, a round, an id, an event or message
    /// number), in `lo..=`[`MAX_COUNTER`].
    pub fn counter(&self, lo: u64) -> Result<u64> {
        let too_large =
            |written: &dyn std::fmt::Display| self.err(Detail::new("{v} is above the limit {max} (2^53), past which counting on from it could overflow", &[("v", written), ("max", &MAX_COUNTER)]));
        match self.value.as_u64() {
            Some(v) if v > MAX_COUNTER => Err(too_large(&v)),
            Some(_) => self.u64_in(lo, MAX_COUNTER),
            // An integer beyond u64 (2^64 or more) reads as a float: name the limit too.
            None => match self.value.as_f64() {
                Some(x) if x.fract() == 0.0 && x > MAX_COUNTER as f64 => Err(too_large(self.value)),
                _ => self.u64(),
            },
        }
    }

    /// This value as a finite number.
    pub fn f64(&self) -> Result<f64> {
        match self.value {
            Value::Number(n) => n.as_f64().filter(|x| x.is_finite()).ok_or_else(|| self.expected(Detail::plain("a finite number"))),
            _ => Err(self.expected(Detail::plain("a number"))),
        }
    }

    /// A time in milliseconds (fractions allowed), as whole µs: `(x * 1000).round()`.
    pub fn ms(&self) -> Result<Micros> {
        let x = self.f64()?;
        // The number as the file writes it (not Rust's float formatting, which the browser
        // bundles would otherwise carry for these messages alone).
        let written = self.value;
        if x < 0.0 {
            return Err(self.err(Detail::new("{written} ms is negative", &[("written", written)])));
        }
        let us = (x * 1000.0).round();
        if us > MAX_US as f64 {
            return Err(self.err(Detail::new("{written} ms is too large", &[("written", written)])));
        }
        Ok(us as Micros)
    }

    /// A `[lo, hi]` range of milliseconds, `lo <= hi`, as µs.
    pub fn ms_range(&self) -> Result<(Micros, Micros)> {
        let [lo, hi] = self.pair()?;
        let (lo_us, hi_us) = (lo.ms()?, hi.ms()?);
        if lo_us > hi_us {
            return Err(self.err(Detail::new("the range is empty: {lo} > {hi}", &[("lo", &fmt_ms(lo_us)), ("hi", &fmt_ms(hi_us))])));
        }
        Ok((lo_us, hi_us))
    }

    /// A probability in `[0, 1]`, as parts per million.
    pub fn ratio(&self) -> Result<Ppm> {
        let x = self.f64()?;
        ppm_from_ratio(x).ok_or_else(|| self.err(Detail::new("{value} is not a probability in [0, 1]", &[("value", self.value)])))
    }

    /// A server id in `1..=nodes`.
    pub fn node_id(&self, nodes: u32) -> Result<NodeId> {
        let Some(id) = self.value.as_u64() else {
            return Err(self.expected(Detail::plain("a node id")));
        };
        if id < 1 || id > nodes as u64 {
            return Err(self.err(Detail::new("node {id} is out of range 1..={nodes}", &[("id", &id), ("nodes", &nodes)])));
        }
        Ok(id as NodeId)
    }

    /// A server: an id in `1..=nodes` or `"leader"`.
    pub fn target(&self, nodes: u32) -> Result<Target> {
        match self.value {
            Value::String(s) if s == "leader" => Ok(Target::Leader),
            Value::String(s) => Err(self.err(Detail::new("unknown target \"{name}\" (expected a node id 1..={nodes} or \"leader\")", &[("name", s), ("nodes", &nodes)]))),
            Value::Number(_) => self.node_id(nodes).map(Target::Node),
            _ => Err(self.expected(Detail::plain("a node id or \"leader\""))),
        }
    }

    /// A `[from, to]` pair of distinct server ids.
    pub fn link(&self, nodes: u32) -> Result<(NodeId, NodeId)> {
        let [a, b] = self.pair()?;
        let (a, b) = (a.node_id(nodes)?, b.node_id(nodes)?);
        if a == b {
            return Err(self.err(Detail::new("a link joins two different nodes, found [{a}, {b}]", &[("a", &a), ("b", &b)])));
        }
        Ok((a, b))
    }
}

/// An object being read: it remembers the keys asked for, to report the others.
#[derive(Debug)]
pub struct Obj<'a> {
    map: &'a Map<String, Value>,
    field: Field<'a>,
    known: Vec<&'static str>,
}

impl<'a> Obj<'a> {
    /// The object's path.
    pub fn path(&self) -> &str {
        self.field.path()
    }

    /// An error about the object.
    pub fn err(&self, message: Detail) -> ScenarioError {
        self.field.err(message)
    }

    /// The keys present, in the document's order (sorted, with serde_json's default map).
    pub fn keys(&self) -> impl Iterator<Item = &'a str> + use<'a> {
        self.map.keys().map(String::as_str)
    }

    /// Whether `key` is present (it counts as known).
    pub fn has(&mut self, key: &'static str) -> bool {
        self.note(key);
        self.map.contains_key(key)
    }

    fn note(&mut self, key: &'static str) {
        if !self.known.contains(&key) {
            self.known.push(key);
        }
    }

    /// The value at `key`, if present.
    pub fn opt(&mut self, key: &'static str) -> Option<Field<'a>> {
        self.note(key);
        self.map.get(key).map(|v| self.field.child(key, v))
    }

    /// The value at `key`; an error if missing.
    pub fn req(&mut self, key: &'static str) -> Result<Field<'a>> {
        self.opt(key).ok_or_else(|| self.field.err(Detail::new("missing field \"{key}\"", &[("key", &key)])))
    }

    /// Declares keys as known without reading them (read elsewhere).
    pub fn allow(&mut self, keys: &[&'static str]) {
        for &k in keys {
            self.note(k);
        }
    }

    /// Fails on the first key that was never asked for.
    pub fn finish(self) -> Result<()> {
        for key in self.map.keys() {
            if !self.known.contains(&key.as_str()) {
                return Err(self.field.err(unknown(Detail::plain("field"), key, &self.known)));
            }
        }
        Ok(())
    }
}

/// "unknown field "sed" (expected one of: seed, nodes; did you mean "seed"?)", where `what`
/// (`Detail::plain("field")`) is translated with the rest.
pub fn unknown(what: Detail, name: &str, expected: &[&str]) -> Detail {
    let list = expected.join(", ");
    let message = match closest(name, expected) {
        Some(guess) => Detail::new("unknown {what} \"{name}\" (expected one of: {expected}; did you mean \"{guess}\"?)", &[("name", &name), ("expected", &list), ("guess", &guess)]),
        None => Detail::new("unknown {what} \"{name}\" (expected one of: {expected})", &[("name", &name), ("expected", &list)]),
    };
    message.with("what", what)
}

/// The expected name nearest to `name`, if it is close (a typo).
fn closest<'e>(name: &str, expected: &[&'e str]) -> Option<&'e str> {
    let best = expected.iter().map(|e| (edit_distance(name, e), *e)).min_by_key(|&(d, _)| d)?;
    let limit = (name.chars().count() / 3).clamp(1, 3);
    (best.0 <= limit).then_some(best.1)
}

/// Optimal string alignment distance: insertions, deletions, substitutions and transpositions.
fn edit_distance(a: &str, b: &str) -> usize {
    let a: Vec<char> = a.chars().collect();
    let b: Vec<char> = b.chars().collect();
    let w = b.len() + 1;
    let mut d = vec![0usize; (a.len() + 1) * w];
    for i in 0..=a.len() {
        for j in 0..=b.len() {
            d[i * w + j] = if i == 0 || j == 0 {
                i + j
            } else {
                let cost = usize::from(a[i - 1] != b[j - 1]);
                let mut best = (d[(i - 1) * w + j] + 1).min(d[i * w + j - 1] + 1).min(d[(i - 1) * w + j - 1] + cost);
                if i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] {
                    best = best.min(d[(i - 2) * w + j - 2] + 1);
                }
                best
            };
        }
    }
    d[a.len() * w + b.len()]
}

/// A short description of a value for "expected X, found Y": its notation when short and
/// plain (`null`, `true`, `2.5`), else words.
pub fn describe(v: &Value) -> Detail {
    match v {
        Value::Null | Value::Bool(_) | Value::Number(_) => Detail::notation(v),
        Value::String(s) if s.chars().count() <= 40 => Detail::new("the string \"{text}\"", &[("text", s)]),
        Value::String(_) => Detail::plain("a string"),
        Value::Array(_) => Detail::plain("an array"),
        Value::Object(_) => Detail::plain("an object"),
    }
}

/// µs as a JSON number of milliseconds: an integer when whole, else a float that reads back to
/// the same µs.
pub fn ms_value(us: Micros) -> Value {
    if us.is_multiple_of(1000) { Value::from(us / 1000) } else { Value::from(us as f64 / 1000.0) }
}

/// A `[lo, hi]` pair of milliseconds.
pub fn ms_range_value(lo: Micros, hi: Micros) -> Value {
    Value::Array(vec![ms_value(lo), ms_value(hi)])
}

/// Parts per million as a ratio in [0, 1] that reads back to the same ppm.
pub fn ratio_value(ppm: Ppm) -> Value {
    if ppm == 0 {
        Value::from(0)
    } else if ppm == crate::sim::rng::PPM_ONE {
        Value::from(1)
    } else {
        Value::from(ppm as f64 / 1_000_000.0)
    }
}

/// A value on one line with `", "` and `": "` separators: the form of scenario files' entries.
pub fn inline(v: &Value) -> String {
    match v {
        Value::Array(items) => format!("[{}]", items.iter().map(inline).collect::<Vec<_>>().join(", ")),
        Value::Object(map) => {
            let pairs: Vec<(&str, String)> = map.iter().map(|(k, v)| (k.as_str(), inline(v))).collect();
            inline_obj(&pairs)
        }
        other => other.to_string(),
    }
}

/// An object on one line from keys and already-written values, in the given order.
pub fn inline_obj(pairs: &[(&str, String)]) -> String {
    if pairs.is_empty() {
        return "{}".into();
    }
    let body: Vec<String> = pairs.iter().map(|(k, v)| format!("{}: {v}", Value::from(*k))).collect();
    format!("{{ {} }}", body.join(", "))
}

fn fmt_ms(us: Micros) -> String {
    ms_value(us).to_string()
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn paths_name_nested_values() {
        let v = json!({"schedule": [{"crash": 7}]});
        let root = Field::root(&v);
        let mut o = root.object().unwrap();
        let sched = o.req("schedule").unwrap().array().unwrap();
        let mut e = sched[0].object().unwrap();
        let err = e.req("crash").unwrap().target(5).unwrap_err();
        assert_eq!(err.to_string(), "schedule[0].crash: node 7 is out of range 1..=5");
        let err = e.req("at_ms").unwrap_err();
        assert_eq!(err.to_string(), "schedule[0]: missing field \"at_ms\"");
    }

    #[test]
    fn unknown_keys_are_named_with_a_guess() {
        let v = json!({"nodes": 3, "sed": 1});
        let mut o = Field::root(&v).object().unwrap();
        o.opt("nodes");
        o.opt("seed");
        let err = o.finish().unwrap_err();
        assert_eq!(err.to_string(), "unknown field \"sed\" (expected one of: nodes, seed; did you mean \"seed\"?)");
    }

    #[test]
    fn times_round_to_microseconds_and_write_back_exactly() {
        let v = json!([0, 1.5, 0.0004, 0.0005, 2.0001, 123456.789]);
        let got: Vec<Micros> = Field::root(&v).array().unwrap().iter().map(|f| f.ms().unwrap()).collect();
        assert_eq!(got, vec![0, 1500, 0, 1, 2000, 123_456_789]);
        let mut rng = crate::sim::rng::Rng::stream(1, "ms");
        let samples = (0..20_000).map(|i| match i % 4 {
            0 => rng.below(MAX_US + 1),
            1 => MAX_US - rng.below(1_000_000),
            2 => rng.below(1 << 40),
            _ => rng.below(10_000_000),
        });
        for us in [0u64, 1, 999, 1000, 1001, 123_456_789, MAX_US].into_iter().chain(samples) {
            let back = ms_value(us);
            assert_eq!(Field::root(&back).ms().unwrap(), us, "{back}");
        }
        assert!(Field::root(&ms_value(MAX_US + 1)).ms().is_err());
        for ppm in [0u32, 1, 7, 100_000, 999_999, 1_000_000] {
            let back = ratio_value(ppm);
            assert_eq!(Field::root(&back).ratio().unwrap(), ppm);
        }
        assert!(Field::root(&json!(-1)).ms().is_err());
        assert!(Field::root(&json!([3, 2])).ms_range().is_err());
        assert!(Field::root(&json!(1.5)).ratio().is_err());
    }

    #[test]
    fn counters_stop_at_2_to_the_53_and_say_so() {
        let limit = "is above the limit 9007199254740992 (2^53), past which counting on from it could overflow";
        assert_eq!(Field::root(&json!(MAX_COUNTER)).counter(0).unwrap(), MAX_COUNTER);
        assert_eq!(Field::root(&json!(0)).counter(0).unwrap(), 0);
        assert_eq!(Field::at(&json!(MAX_COUNTER + 1), "x").counter(0).unwrap_err().to_string(), format!("x: 9007199254740993 {limit}"));
        assert_eq!(Field::root(&json!(u64::MAX)).counter(1).unwrap_err().message, format!("18446744073709551615 {limit}").as_str());
        // 2^64 and beyond are no u64: serde_json holds them as floats.
        let huge: Value = serde_json::from_str("100000000000000000000").unwrap();
        assert_eq!(Field::root(&huge).counter(0).unwrap_err().message, format!("1e+20 {limit}").as_str());
        assert_eq!(Field::root(&json!(0)).counter(1).unwrap_err().message, "0 is out of range 1..=9007199254740992");
        assert_eq!(Field::root(&json!(2.5)).counter(0).unwrap_err().message, "expected a non-negative integer, found 2.5");
        assert_eq!(Field::root(&json!(-1)).counter(0).unwrap_err().message, "expected a non-negative integer, found -1");
    }

    #[test]
    fn typos_are_guessed() {
        assert_eq!(edit_distance("trem", "term"), 1);
        assert_eq!(edit_distance("crsh", "crash"), 1);
        assert_eq!(closest("heartbeat", &["heartbeat_ms", "leader_noop"]), Some("heartbeat_ms"));
        assert_eq!(closest("sed", &["seed", "nodes"]), Some("seed"));
        assert_eq!(closest("zzzz", &["seed", "nodes"]), None);
    }

    #[test]
    fn wrong_types_say_what_was_found() {
        let v = json!({"n": "five"});
        let f = Field::root(&v).object().unwrap().req("n").unwrap();
        assert_eq!(f.u64().unwrap_err().to_string(), "n: expected a non-negative integer, found the string \"five\"");
        assert_eq!(Field::root(&json!(2.5)).u64().unwrap_err().message, "expected a non-negative integer, found 2.5");
    }
}
