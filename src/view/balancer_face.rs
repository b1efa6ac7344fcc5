//! Load balancing in the lab: S1, the balancer, left of centre with the clients further left;
//! the backends in columns on the right, each with its slots (filled while busy) and its queue.
//! Requests and responses fly between them (a sample of them at high rates, said on the stage);
//! health probes are small squares. The panel under the stage charts what the issue's known
//! results are about: each backend's share and current load, latency percentiles over time,
//! and for the hashing strategies the ring (or Maglev's table) and the keys each backend owns,
//! with the keys the last membership change moved.

use serde_json::Value;

use crate::protocols::balancer::strategy::{NAMES, Strategy};
use crate::protocols::balancer::{Balancer, Msg, Node, Op, Status, node_of};
use crate::scenario::Scenario;
use crate::sim::{Engine, Message, Micros, NodeId, NodeSlot};

use super::face::{LabProtocol, Load, MessageFace, NodeFace, Panel};
use super::geometry::Layout;
use super::inspect::{Field, Inspection, field, message_as_text, sections, span_ms};

/// Latency samples the chart shows (the latest).
pub const CHART_SAMPLES: usize = 120;

/// The balancer's panel.
#[derive(Clone, Debug, PartialEq, Default)]
pub struct BalancerPanel {
    /// The strategy's name and parameters.
    pub strategy: String,
    /// Per backend.
    pub backends: Vec<BackendBar>,
    /// Run-wide figures (name, value).
    pub overall: Vec<(&'static str, String)>,
    /// The latency chart: sample width (ms) and p50, p95, p99 per sample, in ms.
    pub latency: (f64, [Vec<f64>; 3]),
    /// Consistent hashing's ring: (position on the ring 0..2^32, backend), in ring order.
    pub ring: Vec<(u32, NodeId)>,
    /// Maglev's table, its first entries (backend per slot), and its size.
    pub table: Option<(Vec<NodeId>, u32)>,
    /// The last membership change, in words, and the backends its moved keys went to.
    pub last_move: Option<(String, Vec<NodeId>)>,
    /// The settings a person can change (the run then starts over).
    pub settings: Settings,
}

/// What the panel's form shows and changes, as the scenario's `config` writes it.
#[derive(Clone, Debug, PartialEq, Default)]
pub struct Settings {
    /// The strategy's name.
    pub strategy: &'static str,
    /// Poisson arrivals a second (None for bursts).
    pub rate_per_s: Option<f64>,
    /// Zipf skew of the keys (0: uniform).
    pub zipf: f64,
    /// Health checks: interval (0: none) and failures before a backend is taken out.
    pub health_interval_ms: f64,
    pub health_fall: u32,
}

impl Settings {
    /// The `config` patch that turns `was` into these: the strategy only if it changed (a
    /// strategy written as an object keeps its parameters otherwise).
    pub fn patch(&self, was: &Settings) -> Value {
        let mut workload = serde_json::json!({"zipf": if self.zipf > 0.0 { serde_json::json!(self.zipf) } else { Value::Null }});
        if let Some(rate) = self.rate_per_s {
            workload["rate_per_s"] = serde_json::json!(rate);
        }
        let mut patch = serde_json::json!({
            "workload": workload,
            "health": {"interval_ms": self.health_interval_ms, "fall": self.health_fall},
        });
        if self.strategy != was.strategy {
            patch["strategy"] = Value::String(self.strategy.to_string());
        }
        patch
    }
}

fn settings(p: &Balancer) -> Settings {
    use crate::protocols::balancer::workload::{Arrivals, Keys};
    Settings {
        strategy: p.strategy.name(),
        rate_per_s: match p.workload.arrivals {
            Arrivals::Poisson { rate_milli_per_s } => Some(rate_milli_per_s as f64 / 1000.0),
            _ => None,
        },
        zipf: match &p.workload.keys {
            Keys::Zipf { s, .. } => *s,
            Keys::Uniform { .. } => 0.0,
        },
        health_interval_ms: p.health.interval_us as f64 / 1000.0,
        health_fall: p.health.fall,
    }
}

/// One backend in the panel.
#[derive(Clone, Debug, PartialEq)]
pub struct BackendBar {
    /// Its server.
    pub id: NodeId,
    /// Requests it served, and failed while assigned to it.
    pub served: u64,
    pub failed: u64,
    /// Its share of the served requests, ‰.
    pub share_permille: u64,
    /// The balancer's count of requests sent to it and not yet answered.
    pub in_flight: u32,
    /// Its slots at work, slots and queue.
    pub load: Option<Load>,
    /// In the membership; believed healthy by the balancer's checks; running.
    pub member: bool,
    pub healthy: bool,
    pub up: bool,
    /// Keys it owns (hashing strategies).
    pub keys: Option<u64>,
    /// Its weight.
    pub weight: u32,
}

fn lb_of(engine: &Engine<Balancer>) -> Option<&crate::protocols::balancer::Lb> {
    engine.nodes().first().and_then(|s| s.state()).and_then(Node::lb)
}

fn ms(us: Micros) -> String {
    span_ms(us)
}

fn panel(engine: &Engine<Balancer>) -> BalancerPanel {
    let p = engine.protocol();
    let now = engine.now();
    let Some(lb) = lb_of(engine) else {
        return BalancerPanel { strategy: format!("{} (the balancer is down)", p.strategy.name()), settings: settings(p), ..BalancerPanel::default() };
    };
    let total: u64 = lb.stats.iter().map(|s| s.served).sum();
    let keys = p.strategy.is_hashing().then(|| lb.keys_per_backend());
    let backends = (0..p.backends.len())
        .map(|b| {
            let id = node_of(b as u32);
            let slot = &engine.nodes()[id as usize - 1];
            let s = &lb.stats[b];
            BackendBar {
                id,
                served: s.served,
                failed: s.failed,
                share_permille: (s.served * 1000).checked_div(total).unwrap_or(0),
                in_flight: lb.loads.in_flight(b as u32),
                load: p.load(slot),
                member: lb.member[b],
                healthy: lb.health.checks[b].healthy,
                up: slot.up(),
                keys: keys.as_ref().map(|k| k[b]),
                weight: lb.loads.weight(b as u32),
            }
        })
        .collect();
    let overall = overall(lb, now);
    let filled = lb.latency_over_time.filled(now);
    let bucket_ms = filled[0].bucket_us() as f64 / 1000.0;
    let latency = filled.map(|s| {
        let samples = s.samples();
        let skip = samples.len().saturating_sub(CHART_SAMPLES);
        samples[skip..].iter().map(|&v| f64::from(v) / 1000.0).collect()
    });
    let view = lb.strategy.view(&lb.loads);
    let ring = view
        .get("ring")
        .and_then(Value::as_array)
        .map(|points| points.iter().filter_map(|p| Some((p.get(0)?.as_u64()? as u32, node_of(p.get(1)?.as_u64()? as u32)))).collect())
        .unwrap_or_default();
    let table = view.get("head").and_then(Value::as_array).map(|head| {
        let cells = head.iter().filter_map(|b| b.as_u64().map(|b| node_of(b as u32))).collect();
        (cells, view.get("table_size").and_then(Value::as_u64).unwrap_or(0) as u32)
    });
    let last_move = lb.moves.last().map(|m| {
        let to: Vec<String> = m.to.iter().filter(|(_, k)| *k > 0).map(|(b, k)| format!("S{} {k}", node_of(*b))).collect();
        let text = format!(
            "{} at {}: {} of {} keys moved ({:.1} %){}",
            m.change,
            ms(m.at_us),
            m.moved,
            m.keys,
            m.moved as f64 * 100.0 / m.keys.max(1) as f64,
            if to.is_empty() { String::new() } else { format!(", to {}", to.join(", ")) }
        );
        (text, m.to.iter().filter(|(_, k)| *k > 0).map(|(b, _)| node_of(*b)).collect())
    });
    BalancerPanel {
        strategy: format!("{} {}", p.strategy.name(), p.strategy.params_json()).replace(" {}", ""),
        backends,
        overall,
        latency: (bucket_ms, latency),
        ring,
        table,
        last_move,
        settings: settings(p),
    }
}

/// The run's figures so far: the panel's first line and compare mode's table.
fn overall(lb: &crate::protocols::balancer::Lb, now: Micros) -> Vec<(&'static str, String)> {
    let h = &lb.latency;
    let pct = |r: u64| if h.count() == 0 { "—".to_string() } else { ms(h.percentile(r)) };
    let elapsed_s = now as f64 / 1e6;
    vec![
        ("received", lb.received.to_string()),
        ("served", lb.served.to_string()),
        ("failed", lb.failed.to_string()),
        ("pending", lb.pending_count().to_string()),
        ("retried", lb.retried.to_string()),
        ("throughput", if elapsed_s > 0.0 { format!("{:.0}/s", lb.served as f64 / elapsed_s) } else { "—".to_string() }),
        ("latency p50", pct(500)),
        ("latency p95", pct(950)),
        ("latency p99", pct(990)),
        ("max/mean load", max_mean(&lb.stats.iter().zip(&lb.member).filter(|(_, m)| **m).map(|(s, _)| s.served).collect::<Vec<_>>())),
    ]
}

/// The most loaded backend's count over the mean, as the issue's max/mean load ratio.
fn max_mean(counts: &[u64]) -> String {
    let sum: u64 = counts.iter().sum();
    if counts.is_empty() || sum == 0 {
        return "—".to_string();
    }
    let max = counts.iter().copied().max().unwrap_or(0) as f64;
    format!("{:.2}", max * counts.len() as f64 / sum as f64)
}

fn kind_class(kind: &str, _heartbeat: bool) -> &'static str {
    match kind {
        "Request" => "ae",
        "Response" => "aer",
        "Probe" => "rv",
        "ProbeAck" => "rvr",
        _ => "client",
    }
}

impl LabProtocol for Balancer {
    fn node_face(&self, slot: &NodeSlot<Self>, _now_us: Micros) -> NodeFace {
        let Some(node) = slot.state() else {
            return NodeFace { role: "down", badge: "✕", caption: "down".to_string(), state: "down (crashed)".to_string(), timer_left: None };
        };
        match node {
            Node::Balancer(_) => NodeFace {
                role: "balancer",
                badge: "LB",
                caption: self.strategy.name().to_string(),
                // No running counts in the label: it is the server's tooltip and accessible name,
                // and at thousands of requests a second rewriting it on every frame was a good
                // share of the stage's work. The panel and the inspector count.
                state: format!("balancer, {}", self.strategy.name()),
                timer_left: None,
            },
            Node::Backend(b) => {
                let slow = b.slow_permille != 1000;
                NodeFace {
                    role: if slow { "slow" } else { "backend" },
                    badge: "B",
                    // Not the served count: it changes on every response, and the caption would
                    // redraw the server sixty times a second (the panel's bars count instead).
                    caption: if slow { format!("×{:.1} slow", f64::from(b.slow_permille) / 1000.0) } else { String::new() },
                    state: format!("backend, {} slots{}", b.slots.len(), if slow { ", slow" } else { "" }),
                    timer_left: None,
                }
            }
        }
    }

    fn load(&self, slot: &NodeSlot<Self>) -> Option<Load> {
        let b = slot.state()?.backend()?;
        Some(Load { busy: b.busy(), slots: b.slots.len() as u32, queued: b.queue.len() as u32 })
    }

    fn layout(&self) -> Layout {
        Layout::Fan
    }

    fn message_face(&self, msg: &Msg) -> MessageFace {
        let label = match msg {
            Msg::Response { status: Status::Ok, .. } | Msg::Request { .. } | Msg::Probe { .. } | Msg::ProbeAck { .. } => String::new(),
            Msg::Response { status, .. } => status.as_str().to_string(),
            Msg::Control(op) => op.to_string(),
        };
        let routine = matches!(msg, Msg::Probe { .. } | Msg::ProbeAck { .. });
        let class = kind_class(msg.kind(), routine);
        MessageFace { label, class, square: matches!(class, "rv" | "rvr"), routine }
    }

    fn kind_class(kind: &str, heartbeat: bool) -> &'static str {
        kind_class(kind, heartbeat)
    }

    fn inspect_node(engine: &Engine<Self>, id: NodeId) -> Option<Inspection> {
        let slot = engine.nodes().get((id as usize).checked_sub(1)?)?;
        let p = engine.protocol();
        let now = engine.now();
        let status = if !slot.up() { "down (crashed)" } else if slot.paused() { "paused" } else { "running" };
        let timers: Vec<Field> = slot.timers().iter().map(|t| field("timer", format!("{} in {}", t.timer, span_ms(t.due_us.saturating_sub(now))), "")).collect();
        let (title, mut out, entries_title, entries) = match slot.state() {
            Some(Node::Balancer(lb)) => {
                let fields = vec![
                    field("status", status, "the balancer: every request arrives here and is sent to a backend the strategy picks"),
                    field("strategy", format!("{} {}", p.strategy.name(), p.strategy.params_json()), "how it picks a backend for each request"),
                    field("received", lb.received.to_string(), "requests that arrived"),
                    field("served / failed", format!("{} / {}", lb.served, lb.failed), "answered: served by a backend, or failed after every retry"),
                    field("pending", lb.pending_count().to_string(), "requests in the system now"),
                    field("retried / late", format!("{} / {}", lb.retried, lb.late), "attempts retried on another backend; answers that came after their attempt was given up"),
                ];
                let health: Vec<String> = (0..p.backends.len())
                    .map(|b| {
                        let c = &lb.health.checks[b];
                        format!("S{}: {}{}, {} in flight, weight {}", node_of(b as u32), if lb.member[b] { "" } else { "not a member, " }, if c.healthy { "healthy" } else { "unhealthy" }, lb.loads.in_flight(b as u32), lb.loads.weight(b as u32))
                    })
                    .collect();
                (format!("S{id}: balancer"), vec![(sections::SERVER, fields)], "backends, as the balancer sees them", health)
            }
            Some(Node::Backend(b)) => {
                let fields = vec![
                    field("status", status, "a crashed backend loses its queue; the balancer learns of it through health checks"),
                    field("slots", format!("{} of {} busy", b.busy(), b.slots.len()), "requests it serves at once"),
                    field("queue", b.queue.len().to_string(), "requests waiting for a slot (first in, first out)"),
                    field("service", p.backend(id).service.name(), "how long a request takes"),
                    field("slow-down", format!("×{:.2}", f64::from(b.slow_permille) / 1000.0), "a factor on every service time"),
                    field("served / refused", format!("{} / {}", b.served, b.refused), "refused: waited past its deadline or found the queue full"),
                ];
                let jobs: Vec<String> = b
                    .slots
                    .iter()
                    .flatten()
                    .map(|r| format!("r{} key {}: done at {}", r.job.rid, r.job.key, span_ms(r.done_us)))
                    .chain(b.queue.iter().map(|j| format!("r{} key {}: queued", j.rid, j.key)))
                    .collect();
                (format!("S{id}: backend"), vec![(sections::SERVER, fields)], "requests (at work, then queued)", jobs)
            }
            None => (format!("S{id}: down"), vec![(sections::SERVER, vec![field("status", status, "")])], "", Vec::new()),
        };
        if !timers.is_empty() {
            out.push((sections::TIMERS, timers));
        }
        Some(Inspection { title, sections: out, entries_title, entries, entries_committed: 0 })
    }

    fn inspect_message(engine: &Engine<Self>, id: u64) -> Option<Inspection> {
        message_as_text(engine, id, "r<request>#<attempt>; the key decides the backend under hashing")
    }

    /// A burst of requests at once.
    fn user_request(&self, _n: u64) -> Op {
        Op::Burst(50)
    }

    fn panel(engine: &Engine<Self>, _leader: Option<NodeId>) -> Panel {
        Panel::Balancer(Box::new(panel(engine)))
    }

    fn playground(&self, nodes: u32, seed: u64) -> String {
        let nodes = nodes.max(2);
        format!(
            r#"{{"protocol": "balancer", "nodes": {nodes}, "seed": {seed},
                "description": "S1 balances requests over {} backends by round robin, 200 a second: press Play, crash or pause backends from their menus, send a burst with Client request (c), and compare strategies.",
                "config": {{"strategy": "round_robin", "backend": {{"slots": 4, "service": {{"dist": "exponential", "mean_ms": 10}}}}, "workload": {{"rate_per_s": 200, "keys": 1000}}}},
                "until_ms": 600000}}"#,
            nodes - 1
        )
    }

    fn metrics(engine: &Engine<Self>) -> Vec<(&'static str, String)> {
        let Some(lb) = lb_of(engine) else { return vec![("balancer", "down".to_string())] };
        let mut m = overall(lb, engine.now());
        m.retain(|(n, _)| *n != "pending");
        m
    }

    /// The same workload under every other strategy.
    fn twins(scenario: &Scenario) -> Vec<(String, Scenario)> {
        let current = scenario.config.get("strategy").and_then(|s| s.as_str().or_else(|| s.get("name")?.as_str())).unwrap_or("round_robin");
        NAMES
            .iter()
            .filter(|n| **n != current)
            .filter_map(|n| {
                let mut sc = scenario.clone();
                let config = sc.config.as_object_mut()?;
                config.insert("strategy".to_string(), Value::String(n.to_string()));
                sc.guide = None;
                Some((format!("{n} on the same workload"), sc))
            })
            .collect()
    }

    fn legend(&self) -> &'static [(&'static str, &'static str)] {
        &[
            ("balancer", "LB the balancer (S1); requests arrive from the clients at the left"),
            ("backend", "B a backend: squares are its slots (filled: at work), the bar its queue"),
            ("slow", "a backend slowed down"),
            ("msg ae", "requests (dots) and responses (pale dots); a sample when there are many"),
            ("msg rv", "health checks (small squares)"),
        ]
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::view::lab::LabRun;

    fn at(name: &str, us: Micros) -> LabRun {
        let mut run = LabRun::shipped(name).expect("shipped");
        run.advance_to(us);
        run
    }

    fn panel_of(run: &LabRun) -> BalancerPanel {
        let Panel::Balancer(p) = run.panel() else { panic!("a balancer panel") };
        *p
    }

    #[test]
    fn the_stage_shows_the_balancer_and_busy_backends_with_slots_and_queues() {
        let run = at("balancer-round-robin-slow-backend.json", 1_000_000);
        let nodes = run.nodes();
        assert_eq!((nodes[0].role, nodes[0].badge), ("balancer", "LB"));
        assert!(nodes[1..].iter().all(|n| n.load.is_some_and(|l| l.slots > 0)), "every backend shows its slots");
        assert!(nodes[1..].iter().any(|n| n.load.is_some_and(|l| l.busy > 0)), "some backend is at work");
        assert!(run.messages().iter().any(|m| m.kind == "Request"), "requests in flight");
    }

    #[test]
    fn the_panel_charts_shares_latency_over_time_and_counts_that_add_up() {
        let run = at("balancer-round-robin-slow-backend.json", 3_000_000);
        let p = panel_of(&run);
        let served: u64 = p.backends.iter().map(|b| b.served).sum();
        let overall = |k: &str| p.overall.iter().find(|(n, _)| *n == k).map(|(_, v)| v.clone()).expect("a figure");
        assert_eq!(overall("served"), served.to_string());
        let shares: u64 = p.backends.iter().map(|b| b.share_permille).sum();
        assert!((990..=1000).contains(&shares), "shares add up to 100 %: {shares}");
        let (bucket_ms, series) = &p.latency;
        assert!(*bucket_ms > 0.0 && !series[0].is_empty(), "{:?}", p.latency);
        for i in 0..series[0].len() {
            assert!(series[0][i] <= series[1][i] && series[1][i] <= series[2][i], "p50 ≤ p95 ≤ p99 in sample {i}");
        }
        assert!(series[2].iter().any(|&v| v > 0.0));
    }

    #[test]
    fn hashing_shows_the_ring_the_keys_and_the_last_move() {
        let p = panel_of(&at("balancer-ring-hash-add-backend.json", 3_000_000));
        assert_eq!(p.ring.len(), 1100, "100 points per backend, 11 backends");
        assert!(p.ring.windows(2).all(|w| w[0].0 <= w[1].0), "in ring order");
        let keys: u64 = p.backends.iter().filter_map(|b| b.keys).sum();
        assert_eq!(keys, 10_000);
        let (text, to) = p.last_move.expect("a move");
        assert!(text.starts_with("add S12") && text.contains("keys moved"), "{text}");
        assert_eq!(to, vec![12], "every moved key went to S12");
        let maglev = panel_of(&at("balancer-maglev-remove-backend.json", 3_000_000));
        assert!(maglev.table.is_some_and(|(cells, size)| !cells.is_empty() && size > 0));
    }

    #[test]
    fn compare_offers_every_other_strategy_on_the_same_workload() {
        let run = LabRun::shipped("balancer-round-robin-slow-backend.json").expect("shipped");
        let twins = run.twins();
        assert!(twins.iter().any(|(l, _)| l == "least_conn on the same workload"));
        assert!(!twins.iter().any(|(l, _)| l.starts_with("round_robin")));
        let (_, sc) = twins.iter().find(|(l, _)| l.starts_with("least_conn")).expect("least_conn");
        let mut twin = LabRun::from_scenario("twin", sc.clone()).expect("builds");
        let mut run = run;
        run.advance_to(2_000_000);
        twin.advance_to(2_000_000);
        let received = |r: &LabRun| r.metrics().into_iter().find(|(n, _)| *n == "received").map(|(_, v)| v);
        assert_eq!(received(&run), received(&twin), "the same requests arrive under both strategies");
    }

    #[test]
    fn operators_remove_and_slow_backends_from_the_lab() {
        let mut run = at("balancer-round-robin-slow-backend.json", 500_000);
        run.operator_request(1, &serde_json::json!({"remove": 3})).expect("a removal");
        run.operator_request(1, &serde_json::json!({"slow": 3, "backend": 4})).expect("a slow-down");
        assert!(run.operator_request(1, &serde_json::json!({"explode": 1})).is_err());
        run.advance_to(1_000_000);
        let p = panel_of(&run);
        assert!(!p.backends.iter().find(|b| b.id == 3).expect("S3").member, "S3 left");
        assert_eq!(run.nodes()[3].role, "slow");
        let exported = run.export();
        assert!(exported.schedule.len() >= 2, "the operator's requests are recorded for replay");
    }

    #[test]
    fn the_settings_form_restarts_the_run_with_a_new_strategy_rate_and_skew() {
        let run = at("balancer-round-robin-slow-backend.json", 1_000_000);
        let mut s = panel_of(&run).settings;
        assert_eq!(s.strategy, "round_robin");
        s.strategy = "least_conn";
        s.rate_per_s = Some(900.0);
        s.zipf = 1.2;
        s.health_fall = 3;
        let was = panel_of(&run).settings;
        let mut again = run.reconfigured(&s.patch(&was)).expect("reconfigures");
        assert_eq!(again.now_us(), 0, "from the start");
        assert_eq!(panel_of(&again).settings, s, "every setting taken");
        again.advance_to(500_000);
        assert!(again.invariants().iter().all(|i| i.violation.is_none()));
        let bad = run.reconfigured(&serde_json::json!({"strategy": "fastest"})).expect_err("an unknown strategy");
        assert!(bad.contains("strategy") && bad.contains("fastest"), "{bad}");
        // A strategy with parameters keeps them when only the rate changes.
        let bounded = LabRun::shipped("balancer-zipf-bounded-load.json").expect("shipped");
        let was = panel_of(&bounded).settings;
        let faster = Settings { rate_per_s: was.rate_per_s.map(|r| r * 2.0), ..was.clone() };
        let again = bounded.reconfigured(&faster.patch(&was)).expect("reconfigures");
        assert_eq!(again.scenario().config["strategy"], bounded.scenario().config["strategy"], "load_factor and vnodes kept");
    }

    #[test]
    fn a_playground_balances_and_a_burst_arrives() {
        let run = LabRun::shipped("balancer-smooth-wrr.json").expect("shipped");
        let mut p = run.playground(6, 1).expect("a blank balancer");
        p.advance_to(500_000);
        p.node_command(1, crate::view::NodeCommand::ClientRequest);
        p.advance_to(1_000_000);
        assert!(p.invariants().iter().all(|i| i.violation.is_none()));
        let served: u64 = panel_of(&p).backends.iter().map(|b| b.served).sum();
        assert!(served > 100, "{served}");
    }
}
