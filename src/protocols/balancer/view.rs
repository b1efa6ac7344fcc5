//! The run's outcome as JSON: per backend, overall, the first assignments, and for hashing
//! strategies the keys' owners and what each membership change moved.
//!
//! ```text
//! { "strategy": "ring_hash", "params": {"vnodes": 100}, "sample_ms": 100,
//!   "backends": [ {"id": 2, "member": true, "healthy": true, "up": true, "weight": 1,
//!                  "served": 812, "failed": 0, "share": 0.203,
//!                  "latency_ms": {"p50", "p95", "p99", "max", "mean"},
//!                  "queue_series": [..], "busy_series": [..], "in_flight_series": [..],
//!                  "keys": 251 } ],
//!   "overall": { "requests", "served", "failed", "pending", "retried", "late",
//!                "throughput_per_s", "error_rate", "latency_ms": {..}, "max_mean_load_ratio" },
//!   "first_assignments": [ {"request": 1, "key": 17, "backend": 3} ],
//!   "keys": { "count": 1000, "owners": [3, 2, ...], "per_backend": [{"id": 2, "keys": 251}] },
//!   "moves": [ {"at_ms", "change": "add S12", "keys_moved", "keys", "fraction",
//!               "to": [{"id", "keys"}], "from": [{"id", "keys"}]} ] }
//! ```
//!
//! `keys` and `moves` are present only for hashing strategies; `owners` only for at most
//! [`OWNERS_LISTED`] keys. Series are sampled every `sample_ms` (which doubles on long runs so
//! that at most 1024 samples are kept), sample i being the value at i × `sample_ms`.

use serde_json::{Value, json};

use super::lb::Lb;
use super::stats::Series;
use super::strategy::BackendIx;
use super::{BALANCER, Balancer, node_of};
use crate::sim::World;
use crate::sim::time::to_ms_f64;

/// Largest key space whose owners are listed one by one.
pub const OWNERS_LISTED: usize = 1000;

fn ratio(a: u64, b: u64) -> f64 {
    if b == 0 { 0.0 } else { a as f64 / b as f64 }
}

/// max / mean of `served` over the backends that are members at the end (1 when even).
pub fn max_mean_ratio(served: &[u64]) -> f64 {
    if served.is_empty() {
        return 0.0;
    }
    let total: u64 = served.iter().sum();
    let max = served.iter().copied().max().unwrap_or(0);
    ratio(max * served.len() as u64, total)
}

/// The outcome of a run.
pub fn outcome(p: &Balancer, world: &World<'_, Balancer>) -> Value {
    let now = world.now_us;
    let Some(lb) = world.node(BALANCER).state().and_then(|n| n.lb()) else {
        return json!({"strategy": p.strategy.name(), "params": p.strategy.params_json(), "balancer": "down"});
    };
    let n = lb.member.len();
    let keys = if lb.owners.is_empty() { None } else { Some(lb.keys_per_backend()) };
    // Every series filled to now: they then share one bucket.
    let mut sample_us = p.sample_us;
    let backends: Vec<Value> = (0..n)
        .map(|b| {
            let bi = b as BackendIx;
            let slot = world.node(node_of(bi));
            let s = &lb.stats[b];
            let in_flight = s.in_flight.filled(now, lb.loads.in_flight(bi));
            sample_us = in_flight.bucket_us();
            let (queue, busy) = match slot.state().and_then(|n| n.backend()) {
                Some(be) => (be.queue_series.filled(now, be.queue.len() as u32), be.busy_series.filled(now, be.busy())),
                None => (Series::new(p.sample_us).filled(now, 0), Series::new(p.sample_us).filled(now, 0)),
            };
            let mut v = json!({
                "id": node_of(bi),
                "member": lb.member[b],
                "healthy": lb.health.checks[b].healthy,
                "up": slot.up(),
                "weight": lb.loads.weight(bi),
                "served": s.served,
                "failed": s.failed,
                "share": ratio(s.served, lb.served),
                "latency_ms": s.latency.json(),
                "queue_series": queue.samples(),
                "busy_series": busy.samples(),
                "in_flight_series": in_flight.samples(),
            });
            if let Some(k) = &keys {
                v["keys"] = json!(k[b]);
            }
            v
        })
        .collect();
    let members: Vec<u64> = (0..n).filter(|&b| lb.member[b]).map(|b| lb.stats[b].served).collect();
    let mut out = json!({
        "strategy": p.strategy.name(),
        "params": p.strategy.params_json(),
        "sample_ms": to_ms_f64(sample_us),
        "backends": backends,
        "overall": {
            "requests": lb.received,
            "served": lb.served,
            "failed": lb.failed,
            "pending": lb.pending_count(),
            "retried": lb.retried,
            "late": lb.late,
            "throughput_per_s": if now == 0 { 0.0 } else { lb.served as f64 * 1e6 / now as f64 },
            "error_rate": ratio(lb.failed, lb.served + lb.failed),
            "latency_ms": lb.latency.json(),
            "max_mean_load_ratio": max_mean_ratio(&members),
        },
        "first_assignments": lb.first.iter().map(|&(rid, key, b)| json!({"request": rid, "key": key, "backend": node_of(b)})).collect::<Vec<_>>(),
    });
    if let Some(k) = keys {
        let mut kv = json!({
            "count": lb.owners.len(),
            "per_backend": (0..n).filter(|&b| k[b] > 0 || lb.member[b]).map(|b| json!({"id": node_of(b as BackendIx), "keys": k[b]})).collect::<Vec<_>>(),
        });
        if lb.owners.len() <= OWNERS_LISTED {
            kv["owners"] = json!(lb.owners.iter().map(|&o| if o == u32::MAX { Value::Null } else { json!(node_of(o)) }).collect::<Vec<_>>());
        }
        out["keys"] = kv;
        out["moves"] = moves_json(lb);
    }
    out
}

/// The membership changes and the keys they moved.
pub fn moves_json(lb: &Lb) -> Value {
    let pairs = |v: &[(BackendIx, u64)]| v.iter().map(|&(b, k)| json!({"id": node_of(b), "keys": k})).collect::<Vec<_>>();
    Value::Array(
        lb.moves
            .iter()
            .map(|m| json!({"at_ms": to_ms_f64(m.at_us), "change": m.change, "keys_moved": m.moved, "keys": m.keys, "fraction": ratio(m.moved, m.keys), "to": pairs(&m.to), "from": pairs(&m.from)}))
            .collect(),
    )
}
