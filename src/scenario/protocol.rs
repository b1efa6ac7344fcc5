//! How a protocol plugs into scenario files: [`ScenarioProtocol`] parses its `config`, its
//! `initial` durable states and its client requests, and draws random requests for the fuzzer;
//! [`setup`] turns a scenario into the engine's setup for it. The protocol-neutral code reaches
//! it by name through [`super::kind`].

use serde_json::Value;

use super::Scenario;
use super::error::Result;
use super::json::{Field, Obj};
use crate::sim::rng::Rng;
use crate::sim::{Action, Detail, NodeId, Report, Scheduled, Setup, TraceMode, When};

/// A protocol that scenario files can name.
pub trait ScenarioProtocol: Report {
    /// The name in the `"protocol"` field (the same as [`Protocol::name`]).
    const NAME: &'static str;
    /// The largest cluster it supports (the smallest is 1).
    const MAX_NODES: u32;

    /// The protocol value from the `"config"` object of a cluster of `nodes` servers. Read
    /// every key through `config` (unread keys are reported as unknown afterwards).
    fn from_config(config: &mut Obj<'_>, nodes: u32) -> Result<Self>;
    /// A server's durable state from an `"initial"` entry (its `"node"` key is already read).
    fn parse_durable(&self, node: NodeId, entry: &mut Obj<'_>, nodes: u32) -> Result<Self::Durable>;
    /// A client request from the value of a `"client"` action.
    fn parse_request(&self, request: &Field<'_>) -> Result<Self::Request>;
    /// A request as a scenario file writes it; [`Self::parse_request`] reads it back.
    fn request_json(&self, request: &Self::Request) -> Value;
    /// A random request, for the fuzzer.
    fn fuzz_request(&self, rng: &mut Rng, nodes: u32) -> Self::Request;
    /// The message types `"when": {"sends": ...}` may name; empty accepts any.
    fn message_kinds(&self) -> &'static [&'static str] {
        &[]
    }
}

/// The protocol value from a `config` object standing at `path`.
pub fn parse_config<P: ScenarioProtocol>(config: &Value, path: &str, nodes: u32) -> Result<P> {
    let field = Field::at(config, path);
    let mut o = field.object()?;
    let p = P::from_config(&mut o, nodes)?;
    o.finish()?;
    Ok(p)
}

/// The engine setup of a scenario for protocol `P`.
pub fn setup<P: ScenarioProtocol>(sc: &Scenario, seed: u64, trace: TraceMode) -> Result<Setup<P>> {
    let n = sc.nodes;
    let protocol: P = parse_config(&sc.config, "config", n)?;
    let mut initial: Vec<Option<P::Durable>> = vec![None; n as usize];
    for (i, entry) in sc.initial.iter().enumerate() {
        let field = Field::at(entry, format!("initial[{i}]"));
        let mut o = field.object()?;
        let node = o.req("node")?.node_id(n)?;
        let durable = protocol.parse_durable(node, &mut o, n)?;
        o.finish()?;
        initial[node as usize - 1] = Some(durable);
    }
    let kinds = protocol.message_kinds();
    let mut schedule: Vec<Scheduled<P::Request>> = Vec::with_capacity(sc.links.len() + sc.schedule.len());
    for &(a, b, p) in &sc.links {
        schedule.push(Scheduled { when: When::At(0), action: Action::Link(a, b, p) });
    }
    for (i, s) in sc.schedule.iter().enumerate() {
        if let When::Sends { kind, .. } = &s.when
            && !kinds.is_empty()
            && !kinds.contains(&kind.as_str())
        {
            let msg = super::json::unknown(Detail::plain("message type"), kind, kinds);
            return Err(super::error::ScenarioError::at(format!("schedule[{i}].when.sends"), msg));
        }
        // An object request is written (and most likely was read) as `begin`.
        let action = map_request(&s.action, |v| {
            let key = if v.is_object() { "begin" } else { "client" };
            protocol.parse_request(&Field::at(v, format!("schedule[{i}].{key}")))
        })?;
        schedule.push(Scheduled { when: s.when.clone(), action });
    }
    Ok(Setup { protocol, nodes: n, seed, network: sc.network, initial, schedule, trace })
}

/// The same action with its request (if any) converted: [`Action::try_map_request`] on a copy.
pub fn map_request<A: Clone, B>(action: &Action<A>, f: impl FnOnce(&A) -> Result<B>) -> Result<Action<B>> {
    action.clone().try_map_request(|request| f(&request))
}
