//! Schedule entries: `{ "at_ms": 900, "client": "set x 5" }` to and from [`Scheduled`] actions.
//! An entry may also be pinned between two events, `{ "after_event": 57, "at_ms": 412.306,
//! "crash": 2 }` ([`When::After`]): that is how the browser lab writes down what a person did,
//! so that the session replays exactly.
//! Client requests stay raw JSON here; the protocol parses them when the run is built.
//!
//! `begin` is the form of a request that is an object — a transaction for the commit
//! protocols, `{"at_ms": 0, "begin": {"votes": {"3": "no"}}}` — and otherwise the same action
//! as `client` (same `to` and `client_id`). An object request is written back as `begin`,
//! whichever key it was read from.

use serde_json::Value;

use super::error::Result;
use super::json::{Field, Obj, inline, ms_range_value, ms_value, ratio_value, unknown};
use crate::sim::network::LinkProfile;
use crate::sim::{Action, Detail, NodeId, Scheduled, Target, When};

/// Every action key a schedule entry may hold, in documentation order.
pub const ACTIONS: &[&str] = &[
    "crash",
    "restart",
    "pause",
    "resume",
    "timeout",
    "partition",
    "isolate",
    "reconnect",
    "heal",
    "cut",
    "repair",
    "hold",
    "release",
    "loss",
    "duplicate",
    "latency_ms",
    "link",
    "client",
    "begin",
    "drop",
    "delay",
];

/// Keys of an entry that are not its action.
const MODIFIERS: &[&str] = &["to", "client_id"];

/// The largest client id an entry may name.
pub const MAX_CLIENT_ID: u64 = 1000;

/// Reads one schedule entry: exactly one of `at_ms`/`when` (`after_event` goes with `at_ms`),
/// exactly one action.
/// `base` fills the fields a `link` action leaves out.
pub fn parse_entry(field: &Field<'_>, nodes: u32, base: &LinkProfile) -> Result<Scheduled<Value>> {
    let mut o = field.object()?;
    let at = o.opt("at_ms");
    let when = o.opt("when");
    let after = o.opt("after_event");
    let when = match (at, when) {
        (Some(_), Some(_)) => {
            return Err(o.err(Detail::plain("has both \"at_ms\" and \"when\" (expected exactly one)")));
        }
        (None, None) if after.is_some() => {
            return Err(o.err(Detail::plain("has \"after_event\" without \"at_ms\" (the moment after that event)")));
        }
        (None, None) => return Err(o.err(Detail::plain("missing \"at_ms\" or \"when\""))),
        (Some(at), None) => match after {
            Some(event) => When::After { event: event.counter(0)?, at_us: at.ms()? },
            None => When::At(at.ms()?),
        },
        (None, Some(_)) if after.is_some() => {
            return Err(o.err(Detail::plain("has \"after_event\" with \"when\" (\"after_event\" goes with \"at_ms\")")));
        }
        (None, Some(w)) => {
            let mut wo = w.object()?;
            let node = wo.req("node")?.node_id(nodes)?;
            let sends = wo.req("sends")?;
            let kind = sends.str()?;
            if kind.is_empty() {
                return Err(sends.err(Detail::plain("expected a message type, found an empty string")));
            }
            wo.finish()?;
            When::Sends { node, kind: kind.to_string() }
        }
    };
    let action = parse_action(&mut o, nodes, base, &["at_ms", "when", "after_event"])?;
    o.finish()?;
    Ok(Scheduled { when, action })
}

/// Reads the action of an object (`{"crash": "leader"}`), ignoring the keys in `reserved`.
/// The object still has to be `finish`ed by the caller.
pub fn parse_action(o: &mut Obj<'_>, nodes: u32, base: &LinkProfile, reserved: &[&'static str]) -> Result<Action<Value>> {
    let present: Vec<&str> = o.keys().filter(|k| !reserved.contains(k) && !MODIFIERS.contains(k)).collect();
    for k in &present {
        if !ACTIONS.contains(k) {
            let mut expected: Vec<&str> = ACTIONS.to_vec();
            expected.extend_from_slice(MODIFIERS);
            return Err(o.err(unknown(Detail::plain("action"), k, &expected)));
        }
    }
    let name: &'static str = match present.as_slice() {
        [] => {
            return Err(o.err(Detail::new("no action (expected one of: {expected})", &[("expected", &ACTIONS.join(", "))])));
        }
        [one] => ACTIONS.iter().copied().find(|a| a == one).expect("checked above"),
        many => {
            return Err(o.err(Detail::new("more than one action: {found} (expected exactly one)", &[("found", &many.join(", "))])));
        }
    };
    let f = o.req(name)?;
    if name != "client" && name != "begin" {
        for m in MODIFIERS {
            if let Some(extra) = o.opt(m) {
                return Err(extra.err(Detail::plain("only allowed with \"client\" or \"begin\"")));
            }
        }
    }
    if name == "begin" {
        f.object()?;
    }
    let target = |f: &Field<'_>| f.target(nodes);
    let action = match name {
        "crash" => Action::Crash(target(&f)?),
        "restart" => Action::Restart(target(&f)?),
        "pause" => Action::Pause(target(&f)?),
        "resume" => Action::Resume(target(&f)?),
        "timeout" => Action::Timeout(target(&f)?),
        "isolate" => Action::Isolate(target(&f)?),
        "reconnect" => Action::Reconnect(target(&f)?),
        "partition" => Action::Partition(parse_groups(&f, nodes)?),
        "heal" => {
            if f.value() != &Value::Bool(true) {
                return Err(f.err(Detail::plain("expected true, found {found}").with("found", super::json::describe(f.value()))));
            }
            Action::Heal
        }
        "cut" | "repair" | "hold" | "release" => {
            let (a, b) = f.link(nodes)?;
            match name {
                "cut" => Action::Cut(a, b),
                "repair" => Action::Repair(a, b),
                "hold" => Action::Hold(a, b),
                _ => Action::Release(a, b),
            }
        }
        "loss" => Action::Loss(f.ratio()?),
        "duplicate" => Action::Duplicate(f.ratio()?),
        "latency_ms" => {
            let (lo, hi) = f.ms_range()?;
            Action::Latency(lo, hi)
        }
        "link" => {
            let (a, b, p) = parse_link(&f, nodes, base)?;
            Action::Link(a, b, p)
        }
        "client" | "begin" => {
            let to = o.opt("to").map(|t| t.target(nodes)).transpose()?;
            let client = match o.opt("client_id") {
                Some(c) => c.u64_in(1, MAX_CLIENT_ID)? as u32,
                None => 1,
            };
            if to.is_some() && o.has("client_id") {
                return Err(o.err(Detail::plain("\"client_id\" names the client actor; a request sent \"to\" a server has none")));
            }
            Action::Client { request: f.value().clone(), to, client }
        }
        "drop" => Action::Drop(f.counter(1)?),
        "delay" => {
            let mut d = f.object()?;
            let msg = d.req("msg")?.counter(1)?;
            let by = d.req("by_ms")?.ms()?;
            d.finish()?;
            Action::Delay(msg, by)
        }
        _ => unreachable!("every action is handled"),
    };
    Ok(action)
}

/// `[[1, 2], [3, 4, 5]]`: groups of distinct servers.
fn parse_groups(f: &Field<'_>, nodes: u32) -> Result<Vec<Vec<NodeId>>> {
    let groups = f.array()?;
    if groups.is_empty() {
        return Err(f.err(Detail::plain("expected at least one group (use \"heal\": true to undo partitions)")));
    }
    let mut seen: Vec<Option<usize>> = vec![None; nodes as usize + 1];
    let mut out = Vec::with_capacity(groups.len());
    for (gi, g) in groups.iter().enumerate() {
        let members = g.array()?;
        if members.is_empty() {
            return Err(g.err(Detail::plain("a group needs at least one node")));
        }
        let mut group = Vec::with_capacity(members.len());
        for m in &members {
            let id = m.node_id(nodes)?;
            if let Some(prev) = seen[id as usize] {
                return Err(m.err(Detail::new("node {id} is already in group {group}", &[("id", &id), ("group", &prev)])));
            }
            seen[id as usize] = Some(gi);
            group.push(id);
        }
        out.push(group);
    }
    Ok(out)
}

/// `{"from": 1, "to": 2, "latency_ms": [50, 80], "loss": 0.1, "duplicate": 0}`; missing
/// properties come from `base`.
pub fn parse_link(f: &Field<'_>, nodes: u32, base: &LinkProfile) -> Result<(NodeId, NodeId, LinkProfile)> {
    let mut o = f.object()?;
    let from = o.req("from")?.node_id(nodes)?;
    let to_field = o.req("to")?;
    let to = to_field.node_id(nodes)?;
    if from == to {
        return Err(to_field.err(Detail::new("a link joins two different nodes, found from {from} to {to}", &[("from", &from), ("to", &to)])));
    }
    let mut p = *base;
    if let Some(l) = o.opt("latency_ms") {
        (p.latency_us_min, p.latency_us_max) = l.ms_range()?;
    }
    if let Some(l) = o.opt("loss") {
        p.loss_ppm = l.ratio()?;
    }
    if let Some(d) = o.opt("duplicate") {
        p.duplicate_ppm = d.ratio()?;
    }
    o.finish()?;
    Ok((from, to, p))
}

/// A link override as one line of JSON, every property written out.
pub fn link_text(from: NodeId, to: NodeId, p: &LinkProfile) -> String {
    super::json::inline_obj(&[
        ("from", from.to_string()),
        ("to", to.to_string()),
        ("latency_ms", inline(&ms_range_value(p.latency_us_min, p.latency_us_max))),
        ("loss", ratio_value(p.loss_ppm).to_string()),
        ("duplicate", ratio_value(p.duplicate_ppm).to_string()),
    ])
}

fn target_value(t: Target) -> String {
    match t {
        Target::Node(id) => id.to_string(),
        Target::Leader => "\"leader\"".into(),
    }
}

/// A schedule entry as one line of JSON, keys in the canonical order (moment, action,
/// modifiers), that [`parse_entry`] reads back to the same value.
pub fn entry_text(s: &Scheduled<Value>) -> String {
    let mut pairs: Vec<(&str, String)> = Vec::with_capacity(3);
    match &s.when {
        When::At(us) => pairs.push(("at_ms", ms_value(*us).to_string())),
        When::After { event, at_us } => {
            pairs.push(("after_event", event.to_string()));
            pairs.push(("at_ms", ms_value(*at_us).to_string()));
        }
        When::Sends { node, kind } => {
            pairs.push(("when", super::json::inline_obj(&[("node", node.to_string()), ("sends", Value::from(kind.as_str()).to_string())])));
        }
    }
    pairs.extend(action_pairs(&s.action));
    super::json::inline_obj(&pairs)
}

/// The keys and written values of an action.
pub fn action_pairs(a: &Action<Value>) -> Vec<(&'static str, String)> {
    let pair = |a: NodeId, b: NodeId| format!("[{a}, {b}]");
    match a {
        Action::Crash(t) => vec![("crash", target_value(*t))],
        Action::Restart(t) => vec![("restart", target_value(*t))],
        Action::Pause(t) => vec![("pause", target_value(*t))],
        Action::Resume(t) => vec![("resume", target_value(*t))],
        Action::Timeout(t) => vec![("timeout", target_value(*t))],
        Action::Isolate(t) => vec![("isolate", target_value(*t))],
        Action::Reconnect(t) => vec![("reconnect", target_value(*t))],
        Action::Partition(groups) => vec![("partition", inline(&serde_json::json!(groups)))],
        Action::Heal => vec![("heal", "true".into())],
        Action::Cut(a, b) => vec![("cut", pair(*a, *b))],
        Action::Repair(a, b) => vec![("repair", pair(*a, *b))],
        Action::Hold(a, b) => vec![("hold", pair(*a, *b))],
        Action::Release(a, b) => vec![("release", pair(*a, *b))],
        Action::Loss(p) => vec![("loss", ratio_value(*p).to_string())],
        Action::Duplicate(p) => vec![("duplicate", ratio_value(*p).to_string())],
        Action::Latency(lo, hi) => vec![("latency_ms", inline(&ms_range_value(*lo, *hi)))],
        Action::Link(a, b, p) => vec![("link", link_text(*a, *b, p))],
        Action::Client { request, to, client } => {
            let key = if request.is_object() { "begin" } else { "client" };
            let mut v = vec![(key, inline(request))];
            match to {
                Some(t) => v.push(("to", target_value(*t))),
                None if *client != 1 => v.push(("client_id", client.to_string())),
                None => {}
            }
            v
        }
        Action::Drop(m) => vec![("drop", m.to_string())],
        Action::Delay(m, by) => vec![("delay", super::json::inline_obj(&[("msg", m.to_string()), ("by_ms", ms_value(*by).to_string())]))],
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn entry(v: Value) -> Result<Scheduled<Value>> {
        parse_entry(&Field::at(&v, "schedule[2]"), 5, &LinkProfile::default())
    }

    #[test]
    fn every_action_reads_and_writes_back() {
        let entries = [
            json!({"at_ms": 0, "timeout": 1}),
            json!({"at_ms": 900, "client": "set x 5"}),
            json!({"at_ms": 950, "client": "set y 1", "to": 3}),
            json!({"at_ms": 951, "client": "get y", "client_id": 2}),
            json!({"at_ms": 1000, "crash": "leader"}),
            json!({"at_ms": 1500, "restart": 1}),
            json!({"at_ms": 1600, "partition": [[1, 2], [3, 4, 5]]}),
            json!({"at_ms": 2000, "heal": true}),
            json!({"at_ms": 2100, "isolate": 4}),
            json!({"at_ms": 2150, "reconnect": 4}),
            json!({"after_event": 57, "at_ms": 2150.125, "crash": "leader"}),
            json!({"at_ms": 2200, "pause": 2}),
            json!({"at_ms": 2600, "resume": 2}),
            json!({"at_ms": 2700, "loss": 0.1}),
            json!({"at_ms": 2800, "cut": [1, 2]}),
            json!({"at_ms": 2900, "repair": [1, 2]}),
            json!({"at_ms": 3000, "hold": [2, 3]}),
            json!({"at_ms": 3100, "release": [2, 3]}),
            json!({"at_ms": 3200, "duplicate": 0.05}),
            json!({"at_ms": 3300.5, "latency_ms": [5, 50]}),
            json!({"at_ms": 3400, "link": {"from": 1, "to": 2, "latency_ms": [50, 80], "loss": 0.1}}),
            json!({"at_ms": 3500, "drop": 17}),
            json!({"at_ms": 3600, "delay": {"msg": 18, "by_ms": 25}}),
            json!({"when": {"node": 1, "sends": "AppendEntries"}, "crash": 1}),
            json!({"at_ms": 10, "begin": {}}),
            json!({"at_ms": 11, "begin": {"votes": {"3": "no"}, "yes_probability": 0.5}}),
            json!({"at_ms": 12, "begin": {"id": 4}, "to": 1}),
            json!({"at_ms": 13, "begin": {"votes": {"2": "yes"}}, "client_id": 3}),
        ];
        for e in entries {
            let s = entry(e.clone()).unwrap_or_else(|err| panic!("{e}: {err}"));
            let text = entry_text(&s);
            let back: Value = serde_json::from_str(&text).unwrap();
            assert_eq!(entry(back).unwrap(), s, "{text}");
        }
        // `begin` is `client` with an object: either key reads to the same action, written as `begin`.
        let via_client = entry(json!({"at_ms": 5, "client": {"votes": {"3": "no"}}})).unwrap();
        let via_begin = entry(json!({"at_ms": 5, "begin": {"votes": {"3": "no"}}})).unwrap();
        assert_eq!(via_client, via_begin);
        assert_eq!(via_begin.action, Action::Client { request: json!({"votes": {"3": "no"}}), to: None, client: 1 });
        assert_eq!(entry_text(&via_client), r#"{ "at_ms": 5, "begin": { "votes": { "3": "no" } } }"#);
        assert_eq!(entry_text(&entry(json!({"at_ms": 5, "client": "set x 5"})).unwrap()), r#"{ "at_ms": 5, "client": "set x 5" }"#);
        let s = entry(json!({"at_ms": 3400, "link": {"from": 1, "to": 2, "loss": 0.1}})).unwrap();
        assert_eq!(s.action, Action::Link(1, 2, LinkProfile { loss_ppm: 100_000, ..LinkProfile::default() }));
    }

    #[test]
    fn bad_entries_name_their_path() {
        let cases = [
            (
                json!({"at_ms": 0, "crsh": 1}),
                "schedule[2]: unknown action \"crsh\" (expected one of: crash, restart, pause, resume, timeout, partition, isolate, reconnect, heal, cut, repair, hold, release, loss, duplicate, latency_ms, link, client, begin, drop, delay, to, client_id; did you mean \"crash\"?)",
            ),
            (json!({"at_ms": 0, "crash": 7}), "schedule[2].crash: node 7 is out of range 1..=5"),
            (json!({"at_ms": 0, "crash": 0}), "schedule[2].crash: node 0 is out of range 1..=5"),
            (json!({"at_ms": 0, "crash": "lead"}), "schedule[2].crash: unknown target \"lead\" (expected a node id 1..=5 or \"leader\")"),
            (
                json!({"at_ms": 0}),
                "schedule[2]: no action (expected one of: crash, restart, pause, resume, timeout, partition, isolate, reconnect, heal, cut, repair, hold, release, loss, duplicate, latency_ms, link, client, begin, drop, delay)",
            ),
            (json!({"at_ms": 0, "crash": 1, "restart": 1}), "schedule[2]: more than one action: crash, restart (expected exactly one)"),
            (json!({"crash": 1}), "schedule[2]: missing \"at_ms\" or \"when\""),
            (json!({"at_ms": 1, "when": {"node": 1, "sends": "X"}, "crash": 1}), "schedule[2]: has both \"at_ms\" and \"when\" (expected exactly one)"),
            (json!({"at_ms": 0, "crash": 1, "to": 2}), "schedule[2].to: only allowed with \"client\" or \"begin\""),
            (json!({"at_ms": 0, "begin": "set x 1"}), "schedule[2].begin: expected an object, found the string \"set x 1\""),
            (json!({"at_ms": 0, "begin": {}, "client": "x"}), "schedule[2]: more than one action: begin, client (expected exactly one)"),
            (json!({"at_ms": 0, "begin": {}, "to": 1, "client_id": 2}), "schedule[2]: \"client_id\" names the client actor; a request sent \"to\" a server has none"),
            (json!({"at_ms": 0, "heal": false}), "schedule[2].heal: expected true, found false"),
            (json!({"at_ms": 0, "partition": [[1, 2], [2, 3]]}), "schedule[2].partition[1][0]: node 2 is already in group 0"),
            (json!({"at_ms": 0, "cut": [1, 1]}), "schedule[2].cut: a link joins two different nodes, found [1, 1]"),
            (json!({"at_ms": 0, "loss": 2}), "schedule[2].loss: 2 is not a probability in [0, 1]"),
            (json!({"at_ms": -5, "heal": true}), "schedule[2].at_ms: -5 ms is negative"),
            (json!({"at_ms": "5", "heal": true}), "schedule[2].at_ms: expected a number, found the string \"5\""),
            (json!({"when": {"node": 9, "sends": "X"}, "crash": 1}), "schedule[2].when.node: node 9 is out of range 1..=5"),
            (json!({"when": {"node": 1, "send": "X"}, "crash": 1}), "schedule[2].when: missing field \"sends\""),
            (json!({"at_ms": 0, "link": {"from": 1, "to": 2, "los": 0.5}}), "schedule[2].link: unknown field \"los\" (expected one of: from, to, latency_ms, loss, duplicate; did you mean \"loss\"?)"),
        ];
        for (e, want) in cases {
            let got = entry(e.clone()).map(|s| format!("{s:?}")).unwrap_err().to_string();
            assert_eq!(got, want, "{e}");
        }
    }
}
