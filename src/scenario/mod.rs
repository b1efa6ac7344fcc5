//! Scenario files: a protocol, a cluster, a network, a schedule of faults and requests, read
//! from JSON with errors that name the file and the path, and written back out.
//!
//! ```json
//! { "protocol": "raft", "nodes": 5, "seed": 7,
//!   "network": { "latency_ms": [10, 30], "loss": 0.0, "duplicate": 0.0,
//!                "links": [{"from": 1, "to": 2, "latency_ms": [50, 80], "loss": 0.1}] },
//!   "config": { "election_timeout_ms": [150, 300], "heartbeat_ms": 50 },
//!   "initial": [ { "node": 2, "term": 4, "voted_for": 2, "log": [ {"term": 1, "command": "set x 1"} ] } ],
//!   "schedule": [ { "at_ms": 900, "client": "set x 5" }, { "at_ms": 1000, "crash": "leader" } ],
//!   "until_ms": 5000 }
//! ```
//!
//! A [`Scenario`] is protocol-neutral: `config`, `initial` entries and client requests stay raw
//! JSON, parsed by the protocol's [`ScenarioProtocol`] implementation (checked when the scenario
//! is read, so a parsed scenario always builds). [`Scenario::build`] gives a type-erased
//! [`AnyRun`].

pub mod action;
pub mod balancer;
pub mod claims;
pub mod commit;
pub mod compare;
pub mod error;
pub mod fuzz;
pub mod guide;
#[cfg(feature = "report")]
pub mod guide_check;
pub mod json;
pub mod kind;
pub mod paxos;
pub mod protocol;
pub mod raft;
pub mod run;

use serde_json::Value;

pub use error::ScenarioError;
pub use fuzz::{FaultKind, Faults, FuzzSpec};
pub use kind::{ProtocolKind, protocol, protocol_names, protocols};
pub use protocol::ScenarioProtocol;
pub use run::AnyRun;

use crate::sim::network::LinkProfile;
use crate::sim::{Detail, Micros, NodeId, Scheduled, TraceMode, ms};
use error::Result;
use json::{Field, inline, ms_range_value, ms_value, ratio_value};
use kind::{nodes_out_of_range, unknown_protocol};

/// Default root seed.
pub const DEFAULT_SEED: u64 = 1;
/// Default length of a run.
pub const DEFAULT_UNTIL_US: Micros = ms(5_000);

/// A scenario, protocol-neutral.
#[derive(Clone, Debug, PartialEq)]
pub struct Scenario {
    /// The protocol's name (`"raft"`), one of [`protocols`].
    pub protocol: String,
    /// Number of servers, ids 1..=N.
    pub nodes: u32,
    /// The root seed.
    pub seed: u64,
    /// What the scenario shows, in a sentence or two (optional).
    pub description: Option<String>,
    /// `description` in Chinese (see [`guide`] on translations).
    pub description_zh: Option<String>,
    /// The lesson the browser lab shows with it (optional).
    pub guide: Option<guide::Guide>,
    /// The profile of every link.
    pub network: LinkProfile,
    /// Per-direction overrides, applied at time 0.
    pub links: Vec<(NodeId, NodeId, LinkProfile)>,
    /// The protocol's configuration, a JSON object (possibly empty), parsed by the protocol.
    pub config: Value,
    /// Durable states to start servers from: raw `"initial"` entries, each an object with a
    /// valid, distinct `"node"`.
    pub initial: Vec<Value>,
    /// The schedule, in file order, with client requests as raw JSON.
    pub schedule: Vec<Scheduled<Value>>,
    /// When the run stops.
    pub until_us: Micros,
    /// The file it was read from, for error messages (not written out).
    pub file: Option<String>,
}

/// How to build a run from a scenario.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct BuildOptions {
    /// Overrides the scenario's seed.
    pub seed: Option<u64>,
    /// Overrides the scenario's `until_ms`.
    pub until_us: Option<Micros>,
    /// How much trace to keep.
    pub trace: TraceMode,
}

impl Default for BuildOptions {
    fn default() -> Self {
        BuildOptions { seed: None, until_us: None, trace: TraceMode::Hash }
    }
}

/// A built run and where it should stop.
pub struct Built {
    /// The run.
    pub run: Box<dyn AnyRun>,
    /// The seed in force (after overrides).
    pub seed: u64,
    /// When the run should stop (after overrides).
    pub until_us: Micros,
}

impl Built {
    /// Runs to the end; returns whether an invariant was violated.
    pub fn run_to_end(&mut self) -> bool {
        self.run.run_until(self.until_us);
        self.run.first_violation().is_some()
    }
}

const TOP_KEYS: &[&str] = &["protocol", "nodes", "seed", "description", "description_zh", "guide", "network", "config", "initial", "schedule", "until_ms"];

impl Scenario {
    /// An empty scenario: `nodes` servers of `protocol` with every default.
    pub fn new(protocol: &str, nodes: u32) -> Self {
        Scenario {
            protocol: protocol.to_string(),
            nodes,
            seed: DEFAULT_SEED,
            description: None,
            description_zh: None,
            guide: None,
            network: LinkProfile::default(),
            links: Vec::new(),
            config: Value::Object(Default::default()),
            initial: Vec::new(),
            schedule: Vec::new(),
            until_us: DEFAULT_UNTIL_US,
            file: None,
        }
    }

    /// Reads a scenario from JSON text; `file` names it in error messages.
    pub fn parse(text: &str, file: Option<&str>) -> Result<Scenario> {
        let value: Value = serde_json::from_str(text).map_err(|e| ScenarioError::syntax(&e).in_file(file))?;
        let mut sc = Scenario::from_value(&value).map_err(|e| e.in_file(file))?;
        sc.file = file.map(str::to_string);
        Ok(sc)
    }

    /// Reads a scenario file.
    pub fn load(path: &std::path::Path) -> Result<Scenario> {
        let name = path.display().to_string();
        let text = std::fs::read_to_string(path).map_err(|e| ScenarioError::whole(Detail::new("cannot read: {reason}", &[("reason", &e)])).in_file(Some(&name)))?;
        Scenario::parse(&text, Some(&name))
    }

    /// Reads a scenario from a JSON value, checking the protocol-specific parts too.
    pub fn from_value(value: &Value) -> Result<Scenario> {
        let root = Field::root(value);
        let mut o = root.object()?;
        o.allow(TOP_KEYS);
        let pf = o.req("protocol")?;
        let name = pf.str()?;
        let kind = protocol(name).ok_or_else(|| pf.err(unknown_protocol(name)))?;
        let nf = o.req("nodes")?;
        let nodes = nf.u64()?;
        if nodes < 1 || nodes > kind.max_nodes() as u64 {
            return Err(nf.err(nodes_out_of_range(nodes, kind)));
        }
        let nodes = nodes as u32;
        let mut sc = Scenario::new(name, nodes);
        if let Some(f) = o.opt("seed") {
            sc.seed = f.u64()?;
        }
        if let Some(f) = o.opt("description") {
            sc.description = Some(f.str()?.to_string());
        }
        if let Some(f) = o.opt("description_zh") {
            if sc.description.is_none() {
                return Err(f.err(Detail::plain("a translation of a description the scenario does not have")));
            }
            sc.description_zh = Some(f.str()?.to_string());
        }
        if let Some(f) = o.opt("guide") {
            sc.guide = Some(guide::Guide::parse(&f)?);
        }
        if let Some(f) = o.opt("network") {
            let mut no = f.object()?;
            if let Some(l) = no.opt("latency_ms") {
                (sc.network.latency_us_min, sc.network.latency_us_max) = l.ms_range()?;
            }
            if let Some(l) = no.opt("loss") {
                sc.network.loss_ppm = l.ratio()?;
            }
            if let Some(d) = no.opt("duplicate") {
                sc.network.duplicate_ppm = d.ratio()?;
            }
            if let Some(links) = no.opt("links") {
                for link in links.array()? {
                    sc.links.push(action::parse_link(&link, nodes, &sc.network)?);
                }
            }
            no.finish()?;
        }
        if let Some(f) = o.opt("config") {
            f.object()?;
            sc.config = f.value().clone();
        }
        if let Some(f) = o.opt("initial") {
            let mut seen = vec![None; nodes as usize + 1];
            for (i, entry) in f.array()?.into_iter().enumerate() {
                let mut eo = entry.object()?;
                let nf = eo.req("node")?;
                let id = nf.node_id(nodes)?;
                if let Some(prev) = seen[id as usize] {
                    return Err(nf.err(Detail::new("node {id} already has an initial state (initial[{prev}])", &[("id", &id), ("prev", &prev)])));
                }
                seen[id as usize] = Some(i);
                sc.initial.push(entry.value().clone());
            }
        }
        if let Some(f) = o.opt("schedule") {
            for entry in f.array()? {
                sc.schedule.push(action::parse_entry(&entry, nodes, &sc.network)?);
            }
        }
        if let Some(f) = o.opt("until_ms") {
            sc.until_us = f.ms()?;
        }
        o.finish()?;
        kind.check(&sc)?;
        Ok(sc)
    }

    /// The protocol's kind (always found for a parsed scenario).
    pub fn kind(&self) -> Result<&'static dyn ProtocolKind> {
        protocol(&self.protocol).ok_or_else(|| ScenarioError::at("protocol", unknown_protocol(&self.protocol)).in_file(self.file.as_deref()))
    }

    /// Starts a run of the scenario.
    pub fn build(&self, opts: &BuildOptions) -> Result<Built> {
        let seed = opts.seed.unwrap_or(self.seed);
        let until_us = opts.until_us.unwrap_or(self.until_us);
        let run = self.kind()?.build(self, seed, opts.trace).map_err(|e| e.in_file(self.file.as_deref()))?;
        Ok(Built { run, seed, until_us })
    }

    /// The scenario as JSON text that [`Scenario::parse`] reads back to an equal scenario (the
    /// `file` aside): keys in the documented order, one schedule entry per line.
    pub fn to_json(&self) -> String {
        let mut out = String::from("{\n");
        let mut fields: Vec<(&str, String)> = vec![("protocol", Value::from(self.protocol.as_str()).to_string()), ("nodes", self.nodes.to_string()), ("seed", self.seed.to_string())];
        if let Some(d) = &self.description {
            fields.push(("description", Value::from(d.as_str()).to_string()));
        }
        if let Some(d) = &self.description_zh {
            fields.push(("description_zh", Value::from(d.as_str()).to_string()));
        }
        if let Some(g) = &self.guide {
            fields.push(("guide", g.to_json()));
        }
        let mut net = vec![
            ("latency_ms", inline(&ms_range_value(self.network.latency_us_min, self.network.latency_us_max))),
            ("loss", ratio_value(self.network.loss_ppm).to_string()),
            ("duplicate", ratio_value(self.network.duplicate_ppm).to_string()),
        ];
        if !self.links.is_empty() {
            let links: Vec<String> = self.links.iter().map(|(a, b, p)| action::link_text(*a, *b, p)).collect();
            net.push(("links", format!("[{}]", links.join(", "))));
        }
        fields.push(("network", json::inline_obj(&net)));
        if self.config.as_object().is_none_or(|m| !m.is_empty()) {
            fields.push(("config", inline(&self.config)));
        }
        if !self.initial.is_empty() {
            fields.push(("initial", list(self.initial.iter().map(inline))));
        }
        fields.push(("schedule", list(self.schedule.iter().map(action::entry_text))));
        fields.push(("until_ms", ms_value(self.until_us).to_string()));
        let body: Vec<String> = fields.into_iter().map(|(k, v)| format!("  \"{k}\": {v}")).collect();
        out.push_str(&body.join(",\n"));
        out.push_str("\n}\n");
        out
    }

    /// The scenario as a JSON value (keys sorted).
    pub fn to_value(&self) -> Value {
        serde_json::from_str(&self.to_json()).expect("to_json writes valid JSON")
    }
}

/// A JSON array with one element per line.
fn list(items: impl Iterator<Item = String>) -> String {
    let items: Vec<String> = items.collect();
    if items.is_empty() {
        return "[]".into();
    }
    format!("[\n    {}\n  ]", items.join(",\n    "))
}

#[cfg(test)]
mod tests;
