//! The run's JSON report (`distlab run`, and the guide tests that check claims against it): the
//! invariants and their first breaches, every server's view, the clients' and the protocol's
//! outcome. Only with the `report` feature: the browser bundles, which never show it, leave it out.

use serde_json::{Value, json};

use super::Engine;
use crate::sim::checker::Checker;
use crate::sim::protocol::Protocol;
use crate::sim::time::to_ms_f64;
use crate::sim::trace::TraceMode;

impl<P: Protocol> Engine<P> {
    /// The report of `distlab run`.
    pub fn report(&self) -> Value {
        let invariants: Vec<Value> = self
            .checker
            .invariants()
            .iter()
            .zip(&self.violations)
            .map(|(inv, v)| {
                json!({
                    "name": inv.name,
                    "holds": v.is_none(),
                    "violation": v.as_ref().map(|v| json!({"at_ms": to_ms_f64(v.at_us), "event": v.event, "detail": v.detail, "nodes": v.nodes})),
                })
            })
            .collect();
        let nodes: Vec<Value> = self
            .nodes
            .iter()
            .map(|n| {
                let view = match &n.state {
                    Some(s) => self.proto.node_view(s),
                    None => self.proto.durable_view(&n.durable),
                };
                json!({"id": n.id, "up": n.up(), "paused": n.paused, "view": view})
            })
            .collect();
        let trace_hash = if self.trace.mode() == TraceMode::Off { Value::Null } else { Value::String(self.trace.digest()) };
        json!({
            "protocol": self.proto.name(),
            "seed": self.seed,
            "end_ms": to_ms_f64(self.now_us),
            "events": self.events,
            "trace_hash": trace_hash,
            "invariants": invariants,
            "nodes": nodes,
            "clients": self.clients.iter().map(|c| json!({"id": c.id, "view": self.proto.client_view(&c.state)})).collect::<Vec<_>>(),
            "outcome": self.proto.outcome(&self.world(), &self.checker),
        })
    }
}
