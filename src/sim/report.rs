//! What a run's reports show of a protocol ([`Report`]): each server's state, a crashed
//! server's stable storage, each client, and the protocol's own summary of the run. The
//! engine runs a protocol without any of it.
//!
//! With the `report` feature, [`report`] writes the run's JSON report (`distlab run`, and the
//! guide tests that check claims against it); the browser bundles, which never show it, leave
//! it out.

use serde_json::Value;

use super::checker::Checked;
use super::world::World;

/// What reports show of a protocol.
pub trait Report: Checked {
    /// A server's state as JSON.
    fn node_view(&self, node: &Self::Node) -> Value;
    /// A crashed server's state as JSON: what it would boot from.
    fn durable_view(&self, durable: &Self::Durable) -> Value;
    /// A client's state as JSON.
    fn client_view(&self, client: &Self::Client) -> Value;
    /// The protocol's summary of the run (`leaders`, `committed`, ...).
    fn outcome(&self, world: &World<'_, Self>, checker: &Self::Checker) -> Value;
    /// Every client operation with its invocation and completion times and its result, for
    /// history checkers (the report's `history`); `None` for a protocol whose clients keep
    /// no such record.
    fn history(&self, clients: &[&Self::Client]) -> Option<Value> {
        let _ = clients;
        None
    }
}

/// The report of `distlab run`: what became of the messages, the invariants and their first
/// breaches, every server's view, the clients' and the protocol's outcome.
#[cfg(feature = "report")]
pub fn report<P: Report>(engine: &super::engine::Engine<P>) -> Value {
    use super::checker::Checker;
    use super::time::to_ms_f64;
    use super::trace::TraceMode;
    use serde_json::json;

    let p = engine.protocol();
    let invariants: Vec<Value> = engine
        .checker()
        .invariants()
        .iter()
        .zip(engine.violations())
        .map(|(inv, v)| {
            json!({
                "name": inv.name,
                "holds": v.is_none(),
                "violation": v.as_ref().map(|v| json!({"at_ms": to_ms_f64(v.at_us), "event": v.event, "detail": v.detail, "nodes": v.nodes})),
            })
        })
        .collect();
    let nodes: Vec<Value> = engine
        .nodes()
        .iter()
        .map(|n| {
            let view = match n.state() {
                Some(s) => p.node_view(s),
                None => p.durable_view(n.durable()),
            };
            json!({"id": n.id, "up": n.up(), "paused": n.paused(), "view": view})
        })
        .collect();
    let trace_hash = if engine.trace_mode() == TraceMode::Off { Value::Null } else { Value::String(engine.trace_hash()) };
    let clients: Vec<&P::Client> = engine.clients().iter().map(|c| &c.state).collect();
    let mut out = json!({
        "protocol": p.name(),
        "seed": engine.seed(),
        "end_ms": to_ms_f64(engine.now()),
        "events": engine.events(),
        "trace_hash": trace_hash,
        "messages": engine.messages(),
        "invariants": invariants,
        "nodes": nodes,
        "clients": engine.clients().iter().map(|c| json!({"id": c.id, "view": p.client_view(&c.state)})).collect::<Vec<_>>(),
        "outcome": p.outcome(&engine.world(), engine.checker()),
    });
    if let Some(history) = p.history(&clients) {
        out["history"] = history;
    }
    out
}
