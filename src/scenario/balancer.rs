//! Load balancing in scenario files: `"protocol": "balancer"`, node 1 the balancer, nodes
//! 2..=N the backends (N from 2 to 201).
//!
//! ```json
//! "config": {
//!   "strategy": "least_conn",            // or {"name": "ring_hash", "vnodes": 100}
//!   "backend": {"slots": 4, "service": {"dist": "exponential", "mean_ms": 20}},
//!   "backends": [{"node": 4, "slow": 3}, {"node": 6, "member": false, "weight": 2}],
//!   "workload": {"rate_per_s": 400, "requests": 5000, "keys": 1000, "zipf": 1.1},
//!   "health": {"interval_ms": 500, "fall": 2, "rise": 1},
//!   "request_timeout_ms": 1000, "retries": 1, "sample_ms": 100, "planted_bug": null }
//! ```
//!
//! Strategy parameters: `vnodes` (ring_hash, bounded_load; default 100), `load_factor`
//! (bounded_load, > 1, default 1.25), `table_size` (maglev, a prime, default 65537),
//! `decay_ms`, `default_rtt_ms` and `choices` (`"two"` or `"all"`) for peak_ewma.
//! `backend` sets every backend's defaults; `backends` entries override them per server:
//! `weight` (≥ 1), `slots` (1..=1024), `service` (`dist`: `constant`, `exponential` or
//! `pareto` with `alpha` > 1; `mean_ms`), `timeout_ms` (queue deadline), `queue_limit`,
//! `member` (false: joins on an `add`), `slow` (initial slow-down factor).
//! `workload`: `rate_per_s` (Poisson) or `burst: {"size", "every_ms"}` (or neither: only
//! scheduled bursts), `requests` (a total), `keys` (1..=10^6, default 1000), `zipf` (skew s ≥
//! 0; absent: uniform), `seed` (pins the workload whatever the scenario's seed).
//! `health.interval_ms` 0 turns health checks off.
//!
//! Requests are objects, written as `begin` actions: `{"burst": 300}`, `{"add": 12}`,
//! `{"remove": 3}`, `{"weight": 5, "backend": 3}`, `{"slow": 3, "backend": 4}` (factor 1
//! restores it). Handed to S1 (`"to": 1`) they apply at once; through a client (no `"to"`)
//! they travel to S1 as a `Control` message first. `initial` is refused.

use std::sync::Arc;

use serde_json::{Value, json};

use super::error::{Result, ScenarioError};
use super::json::{Field, Obj, describe, ms_value, unknown};
use super::protocol::ScenarioProtocol;
use crate::protocols::balancer::strategy::hashing::is_prime;
use crate::protocols::balancer::strategy::{NAMES, StrategyConfig};
use crate::protocols::balancer::workload::{Arrivals, Keys, Workload, ZipfTable};
use crate::protocols::balancer::{BackendConfig, Balancer, HealthConfig, KINDS, Op, PlantedBug, Service};
use crate::sim::rng::Rng;
use crate::sim::{Detail, Micros, NodeId};

/// Most servers: the balancer and 200 backends.
pub const MAX_NODES: u32 = 201;

/// Largest key space.
pub const MAX_KEYS: u64 = 1_000_000;

/// The names of [`PlantedBug`]s in scenario files.
pub const PLANTED_BUGS: &[(&str, PlantedBug)] = &[("lose_on_timeout", PlantedBug::LoseOnTimeout), ("answer_late", PlantedBug::AnswerLate)];

fn positive_ms(f: &Field<'_>) -> Result<Micros> {
    let us = f.ms()?;
    if us == 0 {
        return Err(f.err(Detail::plain("must be positive")));
    }
    Ok(us)
}

fn thousandths(f: &Field<'_>, above: f64, what: Detail) -> Result<u32> {
    let x = f.f64()?;
    if x < above || x > 1_000_000.0 {
        return Err(f.err(Detail::new("{value} is out of range: {what}", &[("value", f.value())]).with("what", what)));
    }
    Ok((x * 1000.0).round() as u32)
}

fn parse_strategy(f: &Field<'_>) -> Result<StrategyConfig> {
    let (name_field, mut obj) = match f.value() {
        Value::String(_) => (f.clone(), None),
        Value::Object(_) => {
            let mut o = f.object()?;
            let n = o.req("name")?;
            (n, Some(o))
        }
        other => {
            return Err(f.err(Detail::plain("expected a strategy name or an object with \"name\", found {found}").with("found", describe(other))));
        }
    };
    let name = name_field.str()?;
    let mut s = StrategyConfig::by_name(name).ok_or_else(|| name_field.err(unknown(Detail::plain("strategy"), name, NAMES)))?;
    if let Some(o) = obj.as_mut() {
        match &mut s {
            StrategyConfig::RingHash { vnodes } | StrategyConfig::BoundedLoad { vnodes, .. } => {
                if let Some(v) = o.opt("vnodes") {
                    *vnodes = v.u64_in(1, 10_000)? as u32;
                }
            }
            _ => {}
        }
        match &mut s {
            StrategyConfig::BoundedLoad { factor_permille, .. } => {
                if let Some(v) = o.opt("load_factor") {
                    *factor_permille = thousandths(&v, 1.0, Detail::plain("a load factor c > 1 (1.25: at most 25 % above the mean)"))?;
                    if *factor_permille <= 1000 {
                        return Err(v.err(Detail::plain("must be above 1")));
                    }
                }
            }
            StrategyConfig::Maglev { table_size } => {
                if let Some(v) = o.opt("table_size") {
                    let m = v.u64_in(2, 10_000_019)? as u32;
                    if !is_prime(m) {
                        return Err(v.err(Detail::new("{m} is not a prime (Maglev needs a prime table size, e.g. 251, 65537)", &[("m", &m)])));
                    }
                    *table_size = m;
                }
            }
            StrategyConfig::PeakEwma { decay_us, default_rtt_us, all } => {
                if let Some(v) = o.opt("decay_ms") {
                    *decay_us = positive_ms(&v)?;
                }
                if let Some(v) = o.opt("default_rtt_ms") {
                    *default_rtt_us = v.ms()?;
                }
                if let Some(v) = o.opt("choices") {
                    *all = match v.str()? {
                        "two" => false,
                        "all" => true,
                        other => return Err(v.err(unknown(Detail::plain("choices"), other, &["two", "all"]))),
                    };
                }
            }
            _ => {}
        }
    }
    if let Some(o) = obj {
        o.finish()?;
    }
    Ok(s)
}

fn parse_service(f: &Field<'_>, base: Service) -> Result<Service> {
    let mut o = f.object()?;
    let mut mean_us = base.mean_us();
    if let Some(m) = o.opt("mean_ms") {
        mean_us = positive_ms(&m)?;
    }
    let dist = match o.opt("dist") {
        Some(d) => d.str()?.to_string(),
        None => base.name().to_string(),
    };
    let alpha_field = o.opt("alpha");
    let s = match dist.as_str() {
        "constant" => Service::Constant { mean_us },
        "exponential" => Service::Exponential { mean_us },
        "pareto" => {
            let alpha_milli = match (&alpha_field, base) {
                (Some(a), _) => thousandths(a, 1.001, Detail::plain("a Pareto shape α > 1"))?,
                (None, Service::Pareto { alpha_milli, .. }) => alpha_milli,
                (None, _) => 1500,
            };
            Service::Pareto { mean_us, alpha_milli }
        }
        other => {
            return Err(f.err(unknown(Detail::plain("service distribution"), other, &["constant", "exponential", "pareto"])));
        }
    };
    if let (Some(a), false) = (&alpha_field, matches!(s, Service::Pareto { .. })) {
        return Err(a.err(Detail::plain("only a pareto distribution has an alpha")));
    }
    o.finish()?;
    Ok(s)
}

/// Reads backend keys into `b` (shared by `backend` and `backends` entries).
fn backend_keys(o: &mut Obj<'_>, b: &mut BackendConfig) -> Result<()> {
    if let Some(f) = o.opt("weight") {
        b.weight = f.u64_in(1, 1000)? as u32;
    }
    if let Some(f) = o.opt("slots") {
        b.slots = f.u64_in(1, 1024)? as u32;
    }
    if let Some(f) = o.opt("service") {
        b.service = parse_service(&f, b.service)?;
    }
    if let Some(f) = o.opt("timeout_ms") {
        b.timeout_us = if f.value().is_null() { None } else { Some(positive_ms(&f)?) };
    }
    if let Some(f) = o.opt("queue_limit") {
        b.queue_limit = if f.value().is_null() { None } else { Some(f.u64_in(0, 1 << 30)? as u32) };
    }
    if let Some(f) = o.opt("member") {
        b.member = f.bool()?;
    }
    if let Some(f) = o.opt("slow") {
        b.slow_permille = thousandths(&f, 0.001, Detail::plain("a slow-down factor (1 = normal speed, 3 = three times slower)"))?;
    }
    Ok(())
}

fn parse_workload(f: &Field<'_>) -> Result<Workload> {
    let mut o = f.object()?;
    let mut w = Workload::default();
    let rate = o.opt("rate_per_s");
    let burst = o.opt("burst");
    w.arrivals = match (rate, burst) {
        (Some(_), Some(b)) => {
            return Err(b.err(Detail::plain("a workload has either \"rate_per_s\" or \"burst\", not both")));
        }
        (Some(r), None) => {
            let x = r.f64()?;
            if !(x > 0.0 && x <= 10_000_000.0) {
                return Err(r.err(Detail::new("{value} is out of range (0, 10000000] requests per second", &[("value", r.value())])));
            }
            Arrivals::Poisson { rate_milli_per_s: ((x * 1000.0).round() as u64).max(1) }
        }
        (None, Some(b)) => {
            let mut bo = b.object()?;
            let size = bo.req("size")?.u64_in(1, 1_000_000)? as u32;
            let every_us = positive_ms(&bo.req("every_ms")?)?;
            bo.finish()?;
            Arrivals::Bursts { size, every_us }
        }
        (None, None) => Arrivals::None,
    };
    if let Some(r) = o.opt("requests") {
        w.requests = Some(r.u64_in(0, 100_000_000)?);
    }
    let count = match o.opt("keys") {
        Some(k) => k.u64_in(1, MAX_KEYS)?,
        None => w.keys.count(),
    };
    w.keys = match o.opt("zipf") {
        Some(z) if !z.value().is_null() => {
            let s = z.f64()?;
            if !(0.0..=10.0).contains(&s) {
                return Err(z.err(Detail::new("{value} is out of range [0, 10] for a Zipf skew", &[("value", z.value())])));
            }
            Keys::Zipf { s, table: Arc::new(ZipfTable::new(count, s)) }
        }
        _ => Keys::Uniform { count },
    };
    if let Some(s) = o.opt("seed") {
        w.seed = Some(s.u64()?);
    }
    o.finish()?;
    Ok(w)
}

fn planted_bug(o: &mut Obj<'_>) -> Result<Option<PlantedBug>> {
    let Some(f) = o.opt("planted_bug") else {
        return Ok(None);
    };
    if f.value().is_null() {
        return Ok(None);
    }
    let name = f.str()?;
    let names: Vec<&str> = PLANTED_BUGS.iter().map(|(n, _)| *n).collect();
    PLANTED_BUGS.iter().find(|(n, _)| *n == name).map(|(_, b)| Some(*b)).ok_or_else(|| f.err(unknown(Detail::plain("planted bug"), name, &names)))
}

/// The `config` of a balancer scenario of `nodes` servers.
pub fn parse_config(o: &mut Obj<'_>, nodes: u32) -> Result<Balancer> {
    if nodes < 2 {
        return Err(ScenarioError::at("nodes", Detail::new("{nodes} is out of range 2..={max} for balancer (the balancer, node 1, and 1 to 200 backends)", &[("nodes", &nodes), ("max", &MAX_NODES)])));
    }
    let strategy = match o.opt("strategy") {
        Some(f) => parse_strategy(&f)?,
        None => StrategyConfig::RoundRobin,
    };
    let mut p = Balancer::new(strategy, nodes as usize - 1);
    let mut base = BackendConfig::default();
    if let Some(f) = o.opt("backend") {
        let mut bo = f.object()?;
        backend_keys(&mut bo, &mut base)?;
        bo.finish()?;
    }
    p.backends = vec![base; nodes as usize - 1];
    if let Some(f) = o.opt("backends") {
        let mut seen = vec![false; nodes as usize + 1];
        for entry in f.array()? {
            let mut eo = entry.object()?;
            let nf = eo.req("node")?;
            let id = nf.node_id(nodes)?;
            if id == 1 {
                return Err(nf.err(Detail::plain("node 1 is the balancer; backends are nodes 2..")));
            }
            if std::mem::replace(&mut seen[id as usize], true) {
                return Err(nf.err(Detail::new("node {id} is configured twice", &[("id", &id)])));
            }
            backend_keys(&mut eo, &mut p.backends[id as usize - 2])?;
            eo.finish()?;
        }
    }
    if let Some(f) = o.opt("workload") {
        p.workload = parse_workload(&f)?;
    }
    if let Some(f) = o.opt("health") {
        let mut ho = f.object()?;
        let mut h = HealthConfig::default();
        if let Some(i) = ho.opt("interval_ms") {
            h.interval_us = i.ms()?;
        }
        if let Some(x) = ho.opt("fall") {
            h.fall = x.u64_in(1, 100)? as u32;
        }
        if let Some(x) = ho.opt("rise") {
            h.rise = x.u64_in(1, 100)? as u32;
        }
        ho.finish()?;
        p.health = h;
    }
    if let Some(f) = o.opt("request_timeout_ms") {
        p.request_timeout_us = positive_ms(&f)?;
    }
    if let Some(f) = o.opt("retries") {
        p.retries = f.u64_in(0, 10)? as u32;
    }
    if let Some(f) = o.opt("sample_ms") {
        p.sample_us = positive_ms(&f)?;
    }
    p.planted_bug = planted_bug(o)?;
    Ok(p)
}

/// An operator's request: `{"burst": 300}`, `{"add": 12}`, `{"remove": 3}`,
/// `{"weight": 5, "backend": 3}`, `{"slow": 3, "backend": 4}`.
pub fn parse_op(f: &Field<'_>, nodes: u32) -> Result<Op> {
    if !f.value().is_object() {
        return Err(f.expected(Detail::new("an operator's request, an object such as {example} (a \"begin\" action)", &[("example", &r#"{"add": 3}"#)])));
    }
    let mut o = f.object()?;
    const OPS: &[&str] = &["burst", "add", "remove", "weight", "slow"];
    let present: Vec<&str> = o.keys().filter(|k| OPS.contains(k)).collect();
    let backend = |o: &mut Obj<'_>| -> Result<NodeId> {
        let bf = o.req("backend")?;
        let id = bf.node_id(nodes)?;
        if id == 1 {
            return Err(bf.err(Detail::plain("node 1 is the balancer; backends are nodes 2..")));
        }
        Ok(id)
    };
    let op = match present.as_slice() {
        ["burst"] => Op::Burst(o.req("burst")?.u64_in(1, 1_000_000)? as u32),
        ["add"] | ["remove"] => {
            let name = present[0];
            let key: &'static str = if name == "add" { "add" } else { "remove" };
            let bf = o.req(key)?;
            let id = bf.node_id(nodes)?;
            if id == 1 {
                return Err(bf.err(Detail::plain("node 1 is the balancer; backends are nodes 2..")));
            }
            if key == "add" { Op::Add(id) } else { Op::Remove(id) }
        }
        ["weight"] => {
            let w = o.req("weight")?.u64_in(1, 1000)? as u32;
            Op::Weight(backend(&mut o)?, w)
        }
        ["slow"] => {
            let s = thousandths(&o.req("slow")?, 0.001, Detail::plain("a slow-down factor (1 = normal speed)"))?;
            Op::Slow(backend(&mut o)?, s)
        }
        [] => return Err(o.err(Detail::new("no request (expected one of: {expected})", &[("expected", &OPS.join(", "))]))),
        many => {
            return Err(o.err(Detail::new("more than one request: {found} (expected exactly one)", &[("found", &many.join(", "))])));
        }
    };
    o.finish()?;
    Ok(op)
}

/// A request as a scenario file writes it.
pub fn op_json(op: &Op) -> Value {
    let factor = |p: u32| {
        if p.is_multiple_of(1000) { json!(p / 1000) } else { json!(p as f64 / 1000.0) }
    };
    match *op {
        Op::Burst(n) => json!({"burst": n}),
        Op::Add(n) => json!({"add": n}),
        Op::Remove(n) => json!({"remove": n}),
        Op::Weight(n, w) => json!({"weight": w, "backend": n}),
        Op::Slow(n, p) => json!({"slow": factor(p), "backend": n}),
    }
}

impl ScenarioProtocol for Balancer {
    const NAME: &'static str = "balancer";
    const MAX_NODES: u32 = MAX_NODES;

    fn from_config(config: &mut Obj<'_>, nodes: u32) -> Result<Self> {
        parse_config(config, nodes)
    }

    fn parse_durable(&self, _node: NodeId, o: &mut Obj<'_>, _nodes: u32) -> Result<u32> {
        Err(o.err(Detail::plain("balancer servers start empty: \"initial\" states are not supported")))
    }

    fn parse_request(&self, request: &Field<'_>) -> Result<Op> {
        parse_op(request, self.nodes)
    }

    fn request_json(&self, request: &Op) -> Value {
        op_json(request)
    }

    fn fuzz_request(&self, rng: &mut Rng, nodes: u32) -> Op {
        let backend = 2 + rng.below(nodes as u64 - 1) as NodeId;
        match rng.below(6) {
            0 | 1 => Op::Burst(1 + rng.below(50) as u32),
            2 => Op::Add(backend),
            3 => Op::Remove(backend),
            4 => Op::Weight(backend, 1 + rng.below(5) as u32),
            _ => Op::Slow(backend, [1000, 2000, 3000, 500][rng.below(4) as usize]),
        }
    }

    fn message_kinds(&self) -> &'static [&'static str] {
        KINDS
    }
}

/// `ms_value`, re-exported for the CLI's bench.
pub fn ms(us: Micros) -> Value {
    ms_value(us)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scenario::protocol::parse_config as parse;
    use serde_json::json;

    #[test]
    fn config_keys_set_the_fields() {
        let c: Balancer = parse(
            &json!({
                "strategy": {"name": "bounded_load", "vnodes": 50, "load_factor": 1.5},
                "backend": {"slots": 2, "service": {"dist": "constant", "mean_ms": 5}},
                "backends": [{"node": 3, "weight": 5, "slow": 3, "member": false, "service": {"dist": "pareto", "alpha": 2}}],
                "workload": {"rate_per_s": 250.5, "requests": 100, "keys": 50, "zipf": 1.1, "seed": 3},
                "health": {"interval_ms": 0}, "request_timeout_ms": 300, "retries": 2, "sample_ms": 50, "planted_bug": "lose_on_timeout"
            }),
            "config",
            4,
        )
        .unwrap();
        assert_eq!(c.strategy, StrategyConfig::BoundedLoad { vnodes: 50, factor_permille: 1500 });
        assert_eq!(c.backends.len(), 3);
        assert_eq!(c.backends[0].service, Service::Constant { mean_us: 5_000 });
        assert_eq!((c.backends[1].weight, c.backends[1].slow_permille, c.backends[1].member, c.backends[1].slots), (5, 3000, false, 2));
        assert_eq!(c.backends[1].service, Service::Pareto { mean_us: 5_000, alpha_milli: 2000 });
        assert_eq!(c.workload.arrivals, Arrivals::Poisson { rate_milli_per_s: 250_500 });
        assert_eq!((c.workload.requests, c.workload.keys.count(), c.workload.seed), (Some(100), 50, Some(3)));
        assert_eq!((c.health.interval_us, c.request_timeout_us, c.retries, c.sample_us), (0, 300_000, 2, 50_000));
        assert_eq!(c.planted_bug, Some(PlantedBug::LoseOnTimeout));
        let d: Balancer = parse(&json!({}), "config", 3).unwrap();
        assert_eq!(d, Balancer::new(StrategyConfig::RoundRobin, 2));
    }

    #[test]
    fn bad_configs_are_named() {
        let cases = [
            (
                json!({"strategy": "least_con"}),
                "config.strategy: unknown strategy \"least_con\" (expected one of: random, round_robin, weighted_random, smooth_wrr, least_conn, weighted_least_conn, p2c, peak_ewma, ring_hash, bounded_load, rendezvous, maglev; did you mean \"least_conn\"?)",
            ),
            (json!({"strategy": {"name": "maglev", "table_size": 100}}), "config.strategy.table_size: 100 is not a prime (Maglev needs a prime table size, e.g. 251, 65537)"),
            (json!({"strategy": {"name": "round_robin", "vnodes": 3}}), "config.strategy: unknown field \"vnodes\" (expected one of: name)"),
            (json!({"backends": [{"node": 1}]}), "config.backends[0].node: node 1 is the balancer; backends are nodes 2.."),
            (json!({"backend": {"service": {"dist": "normal"}}}), "config.backend.service: unknown service distribution \"normal\" (expected one of: constant, exponential, pareto)"),
            (json!({"workload": {"rate_per_s": 10, "burst": {"size": 1, "every_ms": 5}}}), "config.workload.burst: a workload has either \"rate_per_s\" or \"burst\", not both"),
            (json!({"workload": {"keys": 0}}), "config.workload.keys: 0 is out of range 1..=1000000"),
            (json!({"planted_bug": "lose"}), "config.planted_bug: unknown planted bug \"lose\" (expected one of: lose_on_timeout, answer_late)"),
        ];
        for (c, want) in cases {
            assert_eq!(parse::<Balancer>(&c, "config", 4).unwrap_err().to_string(), want, "{c}");
        }
        assert!(parse::<Balancer>(&json!({}), "config", 1).is_err());
    }

    #[test]
    fn requests_read_and_write_back() {
        let p = Balancer::new(StrategyConfig::RoundRobin, 5);
        for v in [json!({"burst": 30}), json!({"add": 4}), json!({"remove": 6}), json!({"weight": 5, "backend": 3}), json!({"slow": 3, "backend": 2}), json!({"slow": 0.5, "backend": 2})] {
            let op = p.parse_request(&Field::at(&v, "schedule[0].begin")).unwrap_or_else(|e| panic!("{v}: {e}"));
            assert_eq!(p.request_json(&op), v);
        }
        let bad = [
            (json!({"add": 1}), "schedule[0].begin.add: node 1 is the balancer; backends are nodes 2.."),
            (json!({"weight": 2}), "schedule[0].begin: missing field \"backend\""),
            (json!({"add": 2, "remove": 3}), "schedule[0].begin: more than one request: add, remove (expected exactly one)"),
            (json!({}), "schedule[0].begin: no request (expected one of: burst, add, remove, weight, slow)"),
        ];
        for (v, want) in bad {
            assert_eq!(p.parse_request(&Field::at(&v, "schedule[0].begin")).unwrap_err().to_string(), want, "{v}");
        }
        let mut rng = Rng::stream(1, "t");
        for _ in 0..100 {
            let op = p.fuzz_request(&mut rng, 6);
            assert_eq!(p.parse_request(&Field::root(&p.request_json(&op))).unwrap(), op);
        }
    }
}
