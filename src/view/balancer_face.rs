//! Load balancing in the lab: S1, the balancer, left of centre with the clients further left and
//! its key space about it (the hash ring around it, or a strip of Maglev's table or of where the
//! first keys go under it: [`stage_keys`]); the backends in columns on the right, each in its
//! colour ([`super::palette`]) with its slots (filled while busy) and its queue beside it.
//! Requests and responses fly between them (a sample of them at high rates, said on the stage);
//! health probes are small squares. Strategies are named in words throughout
//! ([`StrategyConfig::label`]). The panel under the stage charts what the issue's known
//! results are about: each backend's share and current load, latency percentiles over time,
//! and for the hashing strategies the ring (or Maglev's table) and the keys each backend owns,
//! with the keys the last membership change moved. Each backend's row also has a sparkline of
//! its requests in flight and its queue over the latest seconds, its `d` strings built here so
//! that the component only sets them.

use std::fmt::Write as _;

use serde_json::Value;

use crate::protocols::balancer::stats::Series;
use crate::protocols::balancer::strategy::hashing::{RING_VIEW_CAP, Ring};
use crate::protocols::balancer::strategy::{AnyStrategy, NAMES, Strategy, StrategyConfig, words};
use crate::protocols::balancer::{BackendIx, Balancer, Msg, Node, Op, Status, node_of};
use crate::scenario::Scenario;
use crate::sim::{Engine, Message, Micros, NodeId, NodeSlot};

use super::face::{LabProtocol, Load, MessageFace, NodeFace, Panel};
use super::geometry::Layout;
use super::inspect::{Field, Inspection, field, message_as_text, sections, span_ms};
use super::labels::StageKeys;

/// Latency samples the chart shows (the latest).
pub const CHART_SAMPLES: usize = 120;

/// Points a backend's sparkline draws per series, at most: few enough that rebuilding them six
/// times a second for 20 backends costs nothing to speak of.
pub const SPARK_POINTS: usize = 60;

/// Samples per sparkline point: each point is the largest of this many consecutive samples, so
/// a short queue between two samples' neighbours is not lost and the line spans
/// `SPARK_POINTS × SPARK_GROUP` samples (12 s at the usual 100 ms).
pub const SPARK_GROUP: usize = 2;

/// A sparkline's box, in its `viewBox` units: the first point at `x = 0`, one point every
/// `SPARK_W / (SPARK_POINTS − 1)` (a full window ends at `SPARK_W`); zero at `y = SPARK_BASE_Y`, the scale's top at
/// `y = SPARK_TOP_Y`. Whole numbers, so the path strings are short and need no float formatting.
pub const SPARK_W: u32 = 118;
/// See [`SPARK_W`].
pub const SPARK_H: u32 = 24;
/// See [`SPARK_W`].
pub const SPARK_BASE_Y: u32 = 23;
/// See [`SPARK_W`].
pub const SPARK_TOP_Y: u32 = 2;
/// `0 0 SPARK_W SPARK_H`, as the `viewBox` attribute wants it (a test keeps them in step).
pub const SPARK_VIEWBOX: &str = "0 0 118 24";
const _: () = assert!(SPARK_TOP_Y < SPARK_BASE_Y && SPARK_BASE_Y < SPARK_H && SPARK_W.is_multiple_of(SPARK_POINTS as u32 - 1), "the line fits its box, its points on whole units");

/// One backend's recent history, drawn as a sparkline in its row: what the balancer has
/// outstanding there and its queue, on the panel's shared scale ([`BalancerPanel::spark_top`]).
#[derive(Clone, Debug, PartialEq, Default)]
pub struct Sparks {
    /// The `d` of the in-flight line (empty before the first sample).
    pub in_flight_d: String,
    /// The `d` of the queue's filled area, closed along the zero line.
    pub queue_d: String,
    /// The largest in-flight count over the window, and the latest sample's.
    pub in_flight_max: u32,
    pub in_flight_latest: u32,
    /// The longest queue over the window, and the latest sample's.
    pub queue_len_max: u32,
    pub queue_len_latest: u32,
}

/// The latest `points` groups of `group` consecutive samples, each reduced to its largest. Groups
/// are aligned on the samples' absolute indices, so a point does not change as later samples
/// arrive (only the last, partial group grows).
pub fn spark_points(samples: &[u32], points: usize, group: usize) -> Vec<u32> {
    let group = group.max(1);
    let groups = samples.len().div_ceil(group);
    let first = groups.saturating_sub(points);
    samples[first * group..].chunks(group).map(|c| c.iter().copied().max().unwrap_or(0)).collect()
}

/// The smallest of 1, 2, 5, 10, 20, 50, ... at or above `v`: the sparklines' shared scale, so
/// that it changes only when the load crosses one of these rather than with every new peak.
pub fn nice_ceiling(v: u32) -> u32 {
    let mut decade = 1u32;
    loop {
        for step in [1, 2, 5] {
            let top = decade.saturating_mul(step);
            if top >= v || top == u32::MAX {
                return top;
            }
        }
        decade = decade.saturating_mul(10);
    }
}

fn spark_xy(values: &[u32], top: u32) -> impl Iterator<Item = (u32, u32)> + '_ {
    let top = u64::from(top.max(1));
    let step = SPARK_W / (SPARK_POINTS as u32 - 1);
    values.iter().enumerate().map(move |(i, &v)| {
        // From the left edge: a young run's line grows rightwards, as a chart fills, until the
        // window is full and the latest point is at the right edge.
        let x = (i as u32 * step).min(SPARK_W);
        let rise = (u64::from(v.min(top as u32)) * u64::from(SPARK_BASE_Y - SPARK_TOP_Y) + top / 2) / top;
        (x, SPARK_BASE_Y - rise as u32)
    })
}

/// A sparkline's line through `values` on a scale from 0 to `top`: `M x y L x y x y ...`.
pub fn spark_line(values: &[u32], top: u32) -> String {
    let mut d = String::with_capacity(values.len() * 7);
    for (i, (x, y)) in spark_xy(values, top).enumerate() {
        let _ = match i {
            0 => write!(d, "M{x} {y}"),
            1 => write!(d, "L{x} {y}"),
            _ => write!(d, " {x} {y}"),
        };
    }
    d
}

/// The area under `values` on a scale from 0 to `top`, closed along the zero line; empty when
/// every value is zero, so an empty queue draws nothing.
pub fn spark_area(values: &[u32], top: u32) -> String {
    if values.iter().all(|&v| v == 0) {
        return String::new();
    }
    let mut d = String::with_capacity(values.len() * 7 + 16);
    let mut last_x = 0;
    for (i, (x, y)) in spark_xy(values, top).enumerate() {
        let _ = if i == 0 { write!(d, "M{x} {SPARK_BASE_Y}L{x} {y}") } else { write!(d, " {x} {y}") };
        last_x = x;
    }
    let _ = write!(d, " {last_x} {SPARK_BASE_Y}Z");
    d
}

/// The sparklines of every backend from their series filled up to now (in-flight, queue), all
/// on one scale: the nice ceiling of the largest value any of them shows.
pub fn sparks(series: &[(Vec<u32>, Vec<u32>)]) -> (Vec<Sparks>, u32) {
    let reduced: Vec<(Vec<u32>, Vec<u32>)> = series.iter().map(|(f, q)| (spark_points(f, SPARK_POINTS, SPARK_GROUP), spark_points(q, SPARK_POINTS, SPARK_GROUP))).collect();
    let peak = reduced.iter().flat_map(|(f, q)| f.iter().chain(q)).copied().max().unwrap_or(0);
    let top = nice_ceiling(peak.max(1));
    let all = reduced
        .iter()
        .zip(series)
        .map(|((f, q), (raw_f, raw_q))| Sparks {
            in_flight_d: spark_line(f, top),
            queue_d: spark_area(q, top),
            in_flight_max: f.iter().copied().max().unwrap_or(0),
            in_flight_latest: raw_f.last().copied().unwrap_or(0),
            queue_len_max: q.iter().copied().max().unwrap_or(0),
            queue_len_latest: raw_q.last().copied().unwrap_or(0),
        })
        .collect();
    (all, top)
}

/// The latest samples of `series` filled up to `now_us` with the current `value` (every series
/// of a run then has the same bucket), from a multiple of [`SPARK_GROUP`] so that the groups of
/// [`spark_points`] stay aligned on absolute indices; and the bucket, µs.
fn recent(series: &Series, now_us: Micros, value: u32) -> (Vec<u32>, Micros) {
    let filled = series.filled(now_us, value);
    let samples = filled.samples();
    let keep = samples.len().saturating_sub(SPARK_POINTS * SPARK_GROUP) / SPARK_GROUP * SPARK_GROUP;
    (samples[keep..].to_vec(), filled.bucket_us())
}

/// Keys whose backends a rendezvous-hashing balancer shows under S1 on the stage.
pub const KEY_STRIP: u64 = 64;

/// What the stage draws of a balancer's key space about S1: the ring (ring hash, bounded loads),
/// or a strip of cells (Maglev's table, rendezvous hashing's first keys) with its words.
pub fn stage_keys(p: &BalancerPanel) -> StageKeys {
    if !p.ring.is_empty() {
        StageKeys::Ring
    } else if let Some((cells, _)) = p.table.as_ref().filter(|(c, _)| !c.is_empty()) {
        StageKeys::Strip { cells: cells.len(), words: format!("its table's first {} entries", cells.len()) }
    } else if let Some(keys) = p.owners.as_ref().filter(|k| !k.is_empty()) {
        StageKeys::Strip { cells: keys.len(), words: format!("where keys 0 to {} go", keys.len() - 1) }
    } else {
        StageKeys::None
    }
}

/// The words a backend outside the balancer's pool (removed, or never added) shows on the stage.
pub const OUT_OF_POOL: &str = crate::tr_key!("not in the pool");

/// The backends outside the balancer's pool (not members: removed, or not yet added).
pub fn out_of_pool(p: &BalancerPanel) -> Vec<NodeId> {
    p.backends.iter().filter(|b| !b.member).map(|b| b.id).collect()
}

/// The stage's servers with the backends `out` of the balancer's pool ([`out_of_pool`]) saying
/// so, in their caption and their accessible name, and drawn dotted (role `unpooled`); `None` when
/// every backend is in the pool. The servers' faces do not know it (the balancer does), so the
/// stage takes it from the panel.
pub fn mark_out_of_pool(nodes: &[super::NodeView], out: &[NodeId]) -> Option<Vec<super::NodeView>> {
    (!out.is_empty()).then(|| {
        nodes
            .iter()
            .map(|n| {
                let mut n = n.clone();
                if out.contains(&n.id) && n.role != "down" {
                    n.role = "unpooled";
                    let out_of_pool = crate::view::i18n::tr(OUT_OF_POOL);
                    n.caption = if n.caption.is_empty() { out_of_pool.to_string() } else { format!("{out_of_pool}\n{}", n.caption) };
                    n.state.push_str(crate::tr!(", "));
                    n.state.push_str(out_of_pool);
                }
                n
            })
            .collect()
    })
}

/// A strategy as S1's caption on the stage: its name, then each parameter, a line each.
pub fn caption_lines(s: &StrategyConfig) -> String {
    std::iter::once(strategy_name(s.name()).to_string()).chain(strategy_params(s)).collect::<Vec<_>>().join("\n")
}

/// A strategy's name (its scenario name, `round_robin`) as the page says it, in the page's
/// language ([`words`] is the CLI's, in English: the tests keep the two the same).
pub fn strategy_name(name: &str) -> &'static str {
    crate::view::i18n::tr(match name {
        "random" => crate::tr_key!("random"),
        "round_robin" => crate::tr_key!("round robin"),
        "weighted_random" => crate::tr_key!("weighted random"),
        "smooth_wrr" => crate::tr_key!("smooth weighted round robin"),
        "least_conn" => crate::tr_key!("least connections"),
        "weighted_least_conn" => crate::tr_key!("weighted least connections"),
        "p2c" => crate::tr_key!("power of two choices"),
        "peak_ewma" => "peak-EWMA",
        "ring_hash" => crate::tr_key!("ring hash"),
        "bounded_load" => crate::tr_key!("bounded loads"),
        "rendezvous" => crate::tr_key!("rendezvous hashing"),
        "maglev" => "Maglev",
        other => words(other),
    })
}

/// A strategy's parameters in the page's language, a phrase each (as
/// [`StrategyConfig::params_words`] says them in English).
pub fn strategy_params(s: &StrategyConfig) -> Vec<String> {
    use crate::protocols::balancer::strategy::{duration_words, factor_words, thousands};
    match *s {
        StrategyConfig::PeakEwma { decay_us, default_rtt_us, all } => vec![
            (if all { crate::tr!("the best of all backends") } else { crate::tr!("the better of two random backends") }).to_string(),
            crate::tr!("decay time {t}", t = duration_words(decay_us)),
            crate::tr!("{t} assumed before a first reply", t = duration_words(default_rtt_us)),
        ],
        StrategyConfig::RingHash { vnodes } => vec![crate::tr!("{n} virtual nodes per backend", n = thousands(u64::from(vnodes)))],
        StrategyConfig::BoundedLoad { vnodes, factor_permille } => {
            vec![crate::tr!("{n} virtual nodes per backend", n = thousands(u64::from(vnodes))), crate::tr!("at most {f} × the mean load", f = factor_words(factor_permille))]
        }
        StrategyConfig::Maglev { table_size } => vec![crate::tr!("table of {n} entries", n = thousands(u64::from(table_size)))],
        _ => Vec::new(),
    }
}

/// A strategy's name and parameters in the page's language: "ring hash, 100 virtual nodes per
/// backend".
pub fn strategy_label(s: &StrategyConfig) -> String {
    std::iter::once(strategy_name(s.name()).to_string()).chain(strategy_params(s)).collect::<Vec<_>>().join(crate::tr!(", "))
}

/// A slow-down factor in words: "×3 slow", "×1.5 slow".
pub fn slow_words(permille: u32) -> String {
    crate::tr!("×{factor} slow", factor = crate::num::short(f64::from(permille) / 1000.0, 2))
}

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
    /// The backends' sparklines' shared scale (the value at their top) and the time one point
    /// covers, ms.
    pub spark_top: u32,
    pub spark_point_ms: f64,
    /// Consistent hashing's ring: (position on the ring 0..2^32, backend), in ring order.
    pub ring: Vec<(u32, NodeId)>,
    /// The arcs of the backends the last change took off the ring (removed, or down), as
    /// (start, end, backend) with positions 0..2^32: where the keys that moved were. Empty
    /// unless the last change took a backend off a ring.
    pub ring_left: Vec<(u32, u32, NodeId)>,
    /// Maglev's table, its first entries (backend per slot), and its size.
    pub table: Option<(Vec<NodeId>, u32)>,
    /// Rendezvous hashing: the backends of the first [`KEY_STRIP`] keys (0, 1, ...).
    pub owners: Option<Vec<NodeId>>,
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
    /// Its in-flight count and queue over the latest seconds.
    pub sparks: Sparks,
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
        return BalancerPanel { strategy: crate::tr!("{strategy} (the balancer is down)", strategy = strategy_label(&p.strategy)), settings: settings(p), ..BalancerPanel::default() };
    };
    let total: u64 = lb.stats.iter().map(|s| s.served).sum();
    let keys = p.strategy.is_hashing().then(|| lb.keys_per_backend());
    let mut bucket_us = p.sample_us;
    let history: Vec<(Vec<u32>, Vec<u32>)> = (0..p.backends.len())
        .map(|b| {
            let (in_flight, bucket) = recent(&lb.stats[b].in_flight, now, lb.loads.in_flight(b as u32));
            bucket_us = bucket;
            // A crashed backend's queue went with it: zero until it restarts.
            let queue = match engine.nodes()[node_of(b as u32) as usize - 1].state().and_then(Node::backend) {
                Some(be) => recent(&be.queue_series, now, be.queue.len() as u32).0,
                None => vec![0; in_flight.len()],
            };
            (in_flight, queue)
        })
        .collect();
    let (mut spark_rows, spark_top) = sparks(&history);
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
                sparks: std::mem::take(&mut spark_rows[b]),
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
    let ring_strategy = match &lb.strategy {
        AnyStrategy::Ring(r) => Some(r),
        _ => None,
    };
    // Read from the ring itself: its JSON view (thousands of points) six times a second was
    // the panel's largest cost under hashing strategies.
    let ring = ring_strategy.map(|r| r.points().iter().take(RING_VIEW_CAP).map(|&(p, b)| ((p >> 32) as u32, node_of(b))).collect()).unwrap_or_default();
    let ring_left = match (ring_strategy, lb.moves.last()) {
        (Some(r), Some(m)) => ring_left(r, &lb.loads, m.from.iter().map(|&(b, _)| b)),
        _ => Vec::new(),
    };
    let view = if ring_strategy.is_some() { Value::Null } else { lb.strategy.view(&lb.loads) };
    let owners = matches!(lb.strategy, AnyStrategy::Rendezvous(_)).then(|| (0..KEY_STRIP).map(|k| lb.strategy.owner(k).map(node_of)).collect::<Option<Vec<_>>>()).flatten();
    let table = view.get("head").and_then(Value::as_array).map(|head| {
        let cells = head.iter().filter_map(|b| b.as_u64().map(|b| node_of(b as u32))).collect();
        (cells, view.get("table_size").and_then(Value::as_u64).unwrap_or(0) as u32)
    });
    let last_move = lb.moves.last().map(|m| {
        let to: Vec<String> = m.to.iter().filter(|(_, k)| *k > 0).map(|(b, k)| format!("S{} {k}", node_of(*b))).collect();
        // The change as the scenario writes it (`add S12`): notation, in every language.
        let text = crate::tr!(
            "{change} at {at}: {moved} of {keys} keys moved ({share} %){to}",
            change = m.change,
            at = ms(m.at_us),
            moved = m.moved,
            keys = m.keys,
            share = crate::num::fixed(m.moved as f64 * 100.0 / m.keys.max(1) as f64, 1),
            to = if to.is_empty() { String::new() } else { crate::tr!(", to {list}", list = to.join(crate::tr!(", "))) }
        );
        (text, m.to.iter().filter(|(_, k)| *k > 0).map(|(b, _)| node_of(*b)).collect())
    });
    BalancerPanel {
        strategy: strategy_label(&p.strategy),
        backends,
        overall,
        latency: (bucket_ms, latency),
        spark_top,
        spark_point_ms: (bucket_us * SPARK_GROUP as u64) as f64 / 1000.0,
        ring,
        ring_left,
        table,
        owners,
        last_move,
        settings: settings(p),
    }
}

/// The ring's arcs as a drawing of it shows them: each point's backend owns the arc ending at it
/// (clockwise from the point before), consecutive arcs of one backend make one, and an arc
/// shorter than `min_span` (ring positions; too short to see at the drawing's size) goes to the
/// arc before it. (start, end, backend) in ring order, covering the whole ring: a few hundred
/// strokes where a hundred virtual nodes per backend make a thousand or more, which the stage
/// repaints under every message that crosses the ring.
pub fn ring_runs(ring: &[(u32, NodeId)], min_span: u32) -> Vec<(u32, u32, NodeId)> {
    let n = ring.len();
    let mut runs: Vec<(u32, u32, NodeId)> = Vec::new();
    for i in 0..n {
        let (start, (end, id)) = (ring[(i + n - 1) % n].0, ring[i]);
        match runs.last_mut() {
            Some(last) if last.2 == id || end.wrapping_sub(start) < min_span => last.1 = end,
            _ => runs.push((start, end, id)),
        }
    }
    // The last run may go on into the first.
    if runs.len() > 1 && runs[0].2 == runs[runs.len() - 1].2 {
        let last = runs.pop().expect("two runs");
        runs[0].0 = last.0;
    }
    runs
}

/// The key ranges of the ring the last membership change moved, as (start, end, the backend they
/// went to), in ring order: after backends left (`left`, see [`BalancerPanel::ring_left`]), the
/// arcs they held, each now owned by the backend of the next point clockwise; otherwise the arcs
/// of the backends keys moved to (`moved_to`: after an addition, the newcomer's, which are
/// exactly the keys that moved).
pub fn moved_ranges(ring: &[(u32, NodeId)], left: &[(u32, u32, NodeId)], moved_to: &[NodeId]) -> Vec<(u32, u32, NodeId)> {
    let n = ring.len();
    if n == 0 {
        return Vec::new();
    }
    if left.is_empty() {
        return (0..n).filter(|&i| moved_to.contains(&ring[i].1)).map(|i| (ring[(i + n - 1) % n].0, ring[i].0, ring[i].1)).collect();
    }
    left.iter()
        .map(|&(start, end, _)| {
            let next = ring.partition_point(|&(q, _)| q < end);
            (start, end, ring[next % n].1)
        })
        .collect()
}

/// The `d` of arcs on a circle of radius `r` around (`c`, `c`), each clockwise from `start` to
/// `end` (ring positions 0..2^32, 0 at the top): the ring view's arcs.
pub fn ring_arcs_d(arcs: impl Iterator<Item = (u32, u32)>, c: f64, r: f64) -> String {
    let at = |p: u32| {
        let a = f64::from(p) / 4_294_967_296.0 * std::f64::consts::TAU - std::f64::consts::FRAC_PI_2;
        let (sin, cos) = super::trig::sin_cos(a);
        (c + r * cos, c + r * sin)
    };
    let mut d = String::new();
    for (start, end) in arcs {
        let ((x0, y0), (x1, y1)) = (at(start), at(end));
        let large = u8::from(end.wrapping_sub(start) > u32::MAX / 2);
        // Two decimals: a short arc's ends rounded to tenths can turn its stroke across the ring.
        let f = |v: f64| crate::num::fixed(v, 2);
        let r = crate::num::short(r, 2);
        let _ = write!(d, "M{} {} A{r} {r} 0 {large} 1 {} {} ", f(x0), f(y0), f(x1), f(y1));
    }
    d
}

/// The arcs that the backends in `from` held before they left `ring` (those of them still on it
/// are skipped): each of a leaver's points ends an arc that starts at the point before it on the
/// ring as it was, the current points and the leavers' together. At most [`RING_VIEW_CAP`].
fn ring_left(ring: &Ring, loads: &crate::protocols::balancer::strategy::Loads, from: impl Iterator<Item = BackendIx>) -> Vec<(u32, u32, NodeId)> {
    let left: Vec<BackendIx> = from.filter(|&b| !loads.is_eligible(b)).collect();
    if left.is_empty() {
        return Vec::new();
    }
    // (point, backend, left the ring): sorted, the ring before the change.
    let mut before: Vec<(u64, BackendIx, bool)> = ring.points().iter().map(|&(p, b)| (p, b, false)).collect();
    for &b in &left {
        before.extend(ring.points_of(b, loads).map(|p| (p, b, true)));
    }
    before.sort_unstable();
    let n = before.len();
    let mut arcs: Vec<(u32, u32, NodeId)> = Vec::new();
    for i in (0..n).filter(|&i| before[i].2) {
        let (start, end, id) = (before[(i + n - 1) % n].0 >> 32, before[i].0 >> 32, node_of(before[i].1));
        let full = arcs.len() == RING_VIEW_CAP;
        match arcs.last_mut() {
            // A leaver's consecutive points make one arc: fewer, longer strokes to draw.
            Some(last) if last.1 == start as u32 && last.2 == id => last.1 = end as u32,
            _ if full => break,
            _ => arcs.push((start as u32, end as u32, id)),
        }
    }
    arcs
}

/// The run's figures so far: the panel's first line and compare mode's table.
fn overall(lb: &crate::protocols::balancer::Lb, now: Micros) -> Vec<(&'static str, String)> {
    let h = &lb.latency;
    let pct = |r: u64| {
        if h.count() == 0 { "—".to_string() } else { ms(h.percentile(r)) }
    };
    let elapsed_s = now as f64 / 1e6;
    vec![
        (crate::tr_key!("received"), lb.received.to_string()),
        (crate::tr_key!("served"), lb.served.to_string()),
        (crate::tr_key!("failed"), lb.failed.to_string()),
        (crate::tr_key!("pending"), lb.pending_count().to_string()),
        (crate::tr_key!("retried"), lb.retried.to_string()),
        (crate::tr_key!("throughput"), if elapsed_s > 0.0 { format!("{}/s", crate::num::fixed(lb.served as f64 / elapsed_s, 0)) } else { "—".to_string() }),
        (crate::tr_key!("latency p50"), pct(500)),
        (crate::tr_key!("latency p95"), pct(950)),
        (crate::tr_key!("latency p99"), pct(990)),
        (crate::tr_key!("max/mean load"), max_mean(&lb.stats.iter().zip(&lb.member).filter(|(_, m)| **m).map(|(s, _)| s.served).collect::<Vec<_>>())),
    ]
}

/// The most loaded backend's count over the mean, as the issue's max/mean load ratio.
fn max_mean(counts: &[u64]) -> String {
    let sum: u64 = counts.iter().sum();
    if counts.is_empty() || sum == 0 {
        return "—".to_string();
    }
    let max = counts.iter().copied().max().unwrap_or(0) as f64;
    crate::num::fixed(max * counts.len() as f64 / sum as f64, 2)
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
            return NodeFace { role: "down", badge: "✕", caption: crate::tr!("down").to_string(), state: crate::tr!("down (crashed)").to_string(), timer: None };
        };
        match node {
            Node::Balancer(_) => NodeFace {
                role: "balancer",
                badge: "LB",
                caption: caption_lines(&self.strategy),
                // No running counts in the label: it is the server's tooltip and accessible name,
                // and at thousands of requests a second rewriting it on every frame was a good
                // share of the stage's work. The panel and the inspector count.
                state: crate::tr!("balancer, {strategy}", strategy = strategy_label(&self.strategy)),
                timer: None,
            },
            Node::Backend(b) => {
                let slow = b.slow_permille != 1000;
                NodeFace {
                    role: if slow { "slow" } else { "backend" },
                    badge: "B",
                    // Not the served count: it changes on every response, and the caption would
                    // redraw the server sixty times a second (the panel's bars count instead).
                    caption: if slow { slow_words(b.slow_permille) } else { String::new() },
                    state: format!("{}{}", crate::tr!("backend, {n} slots", n = b.slots.len()), if slow { crate::tr!(", slow") } else { "" }),
                    timer: None,
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
            Msg::Response { status: Status::Timeout, .. } => crate::tr!("timeout").to_string(),
            Msg::Response { status: Status::Full, .. } => crate::tr!("full").to_string(),
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
        let status = if !slot.up() {
            "down (crashed)"
        } else if slot.paused() {
            "paused"
        } else {
            "running"
        };
        let timers: Vec<Field> = slot.timers().iter().map(|t| field(crate::tr_key!("timer"), format!("{} in {}", t.timer, span_ms(t.due_us.saturating_sub(now))), "")).collect();
        let (title, mut out, entries_title, entries) = match slot.state() {
            Some(Node::Balancer(lb)) => {
                let fields = vec![
                    field(crate::tr_key!("status"), status, crate::tr_key!("the balancer: every request arrives here and is sent to a backend the strategy picks")),
                    field(crate::tr_key!("strategy"), strategy_label(&p.strategy), crate::tr_key!("how it picks a backend for each request")),
                    field(crate::tr_key!("received"), lb.received.to_string(), crate::tr_key!("requests that arrived")),
                    field(crate::tr_key!("served / failed"), format!("{} / {}", lb.served, lb.failed), crate::tr_key!("answered: served by a backend, or failed after every retry")),
                    field(crate::tr_key!("pending"), lb.pending_count().to_string(), crate::tr_key!("requests in the system now")),
                    field(
                        crate::tr_key!("retried / late"),
                        format!("{} / {}", lb.retried, lb.late),
                        crate::tr_key!("attempts retried on another backend; answers that came after their attempt was given up"),
                    ),
                ];
                let health: Vec<String> = (0..p.backends.len())
                    .map(|b| {
                        let c = &lb.health.checks[b];
                        format!(
                            "S{}: {}{}, {} in flight, weight {}",
                            node_of(b as u32),
                            if lb.member[b] { "" } else { "not a member, " },
                            if c.healthy { "healthy" } else { "unhealthy" },
                            lb.loads.in_flight(b as u32),
                            lb.loads.weight(b as u32)
                        )
                    })
                    .collect();
                (format!("S{id}: balancer"), vec![(sections::SERVER, fields)], "backends, as the balancer sees them", health)
            }
            Some(Node::Backend(b)) => {
                let fields = vec![
                    field(crate::tr_key!("status"), status, crate::tr_key!("a crashed backend loses its queue; the balancer learns of it through health checks")),
                    field(crate::tr_key!("slots"), format!("{} of {} busy", b.busy(), b.slots.len()), crate::tr_key!("requests it serves at once")),
                    field(crate::tr_key!("queue"), b.queue.len().to_string(), crate::tr_key!("requests waiting for a slot (first in, first out)")),
                    field(crate::tr_key!("service"), p.backend(id).service.name(), crate::tr_key!("how long a request takes")),
                    field(crate::tr_key!("slow-down"), format!("×{}", crate::num::fixed(f64::from(b.slow_permille) / 1000.0, 2)), crate::tr_key!("a factor on every service time")),
                    field(crate::tr_key!("served / refused"), format!("{} / {}", b.served, b.refused), crate::tr_key!("refused: waited past its deadline or found the queue full")),
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
            None => (format!("S{id}: down"), vec![(sections::SERVER, vec![field(crate::tr_key!("status"), status, "")])], "", Vec::new()),
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
        Panel::new(panel(engine))
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
        let mut m = match lb_of(engine) {
            Some(lb) => overall(lb, engine.now()),
            None => vec![(crate::tr_key!("the balancer"), crate::tr!("down").to_string())],
        };
        m.retain(|(n, _)| *n != "pending");
        m.extend(super::face::message_metrics(engine.messages()));
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
                Some((crate::tr!("{strategy} on the same workload", strategy = strategy_name(n)), sc))
            })
            .collect()
    }

    fn lead_word(&self) -> Option<&'static str> {
        Some(crate::tr_key!("the balancer"))
    }

    fn legend(&self) -> &'static [(&'static str, &'static str)] {
        &[
            ("balancer", crate::tr_key!("LB the balancer (S1); requests arrive from the clients at the left")),
            ("backend", crate::tr_key!("B a backend, each in its own colour: squares are its slots (filled: at work), the bar its queue, with its length")),
            ("slow", crate::tr_key!("a backend slowed down: dashed, “×3 slow”")),
            ("hash-ring", crate::tr_key!("hashing: the ring around S1 (or a strip of cells under it) in the colour of the backend each key goes to; thicker, the keys the last change moved")),
            ("msg ae", crate::tr_key!("requests (dots) and responses (pale dots); a sample when there are many")),
            ("msg rv", crate::tr_key!("health checks (small squares)")),
        ]
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::protocols::balancer::strategy::key_hash;
    use crate::view::geometry::Point;
    use crate::view::lab::LabRun;

    fn at(name: &str, us: Micros) -> LabRun {
        let mut run = LabRun::shipped(name).expect("shipped");
        run.advance_to(us);
        run
    }

    /// The run at `us`, however many events that takes (`advance_to` does a frame's worth).
    fn until(name: &str, us: Micros) -> LabRun {
        let mut run = LabRun::shipped(name).expect("shipped");
        advance(&mut run, us);
        run
    }

    fn advance(run: &mut LabRun, us: Micros) {
        for _ in 0..1000 {
            if run.now_us() >= us {
                return;
            }
            run.advance_to(us);
        }
        panic!("stuck at {} µs short of {us}", run.now_us());
    }

    fn panel_of(run: &LabRun) -> BalancerPanel {
        let panel = run.panel();
        let p = panel.get::<BalancerPanel>().expect("a balancer panel");
        p.clone()
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
        for (i, ((p50, p95), p99)) in series[0].iter().zip(&series[1]).zip(&series[2]).enumerate() {
            assert!(p50 <= p95 && p95 <= p99, "p50 ≤ p95 ≤ p99 in sample {i}");
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
        let ranges = moved_ranges(&p.ring, &p.ring_left, &to);
        assert_eq!(ranges.len(), 100, "S12's arcs, the moved keys");
        assert!(ranges.iter().all(|r| r.2 == 12));
        let maglev = panel_of(&at("balancer-maglev-remove-backend.json", 3_000_000));
        assert!(maglev.table.is_some_and(|(cells, size)| !cells.is_empty() && size > 0));
    }

    #[test]
    fn sparkline_points_are_the_latest_groups_maxima_aligned_on_absolute_samples() {
        assert_eq!(spark_points(&[], 60, 2), Vec::<u32>::new());
        assert_eq!(spark_points(&[3, 1, 0, 4, 2], 60, 2), vec![3, 4, 2], "the last group is partial");
        assert_eq!(spark_points(&[3, 1, 0, 4, 2], 2, 2), vec![4, 2], "only the latest groups");
        assert_eq!(spark_points(&[3, 1, 0, 4, 2], 60, 1), vec![3, 1, 0, 4, 2]);
        // A point keeps its value while later samples arrive.
        let samples: Vec<u32> = (0..500).map(|i| (i * 7919 % 13) as u32).collect();
        let before = spark_points(&samples[..400], SPARK_POINTS, SPARK_GROUP);
        let after = spark_points(&samples[..402], SPARK_POINTS, SPARK_GROUP);
        assert_eq!(before.len(), SPARK_POINTS);
        assert_eq!(before[1..], after[..SPARK_POINTS - 1], "shifted by one point, the same values");
    }

    #[test]
    fn the_shared_scale_is_a_nice_ceiling() {
        let got: Vec<u32> = [0, 1, 2, 3, 5, 6, 10, 11, 49, 51, 999].map(nice_ceiling).to_vec();
        assert_eq!(got, vec![1, 1, 2, 5, 5, 10, 10, 20, 50, 100, 1000]);
        assert_eq!(nice_ceiling(u32::MAX), u32::MAX, "no overflow at the end of the range");
    }

    #[test]
    fn a_sparkline_fills_from_the_left_and_spans_zero_to_the_scales_top() {
        let step = SPARK_W / (SPARK_POINTS as u32 - 1);
        assert_eq!(step, 2);
        assert_eq!(spark_line(&[], 10), "");
        assert_eq!(spark_line(&[0, 10, 5], 10), format!("M0 {SPARK_BASE_Y}L2 {SPARK_TOP_Y} 4 12"));
        // Above the scale is clipped to its top.
        assert_eq!(spark_line(&[20], 10), format!("M0 {SPARK_TOP_Y}"));
        let full: Vec<u32> = (0..SPARK_POINTS as u32).collect();
        let d = spark_line(&full, 59);
        assert!(d.starts_with(&format!("M0 {SPARK_BASE_Y}L")) && d.ends_with(&format!("{SPARK_W} {SPARK_TOP_Y}")), "{d}");
        assert_eq!(d.split([' ', 'L']).count(), 2 * SPARK_POINTS, "one x and one y per point");
        assert_eq!(SPARK_VIEWBOX, format!("0 0 {SPARK_W} {SPARK_H}"));
    }

    #[test]
    fn a_queues_area_closes_on_the_zero_line_and_an_empty_queue_draws_nothing() {
        assert_eq!(spark_area(&[0, 0, 0], 5), "");
        assert_eq!(spark_area(&[], 5), "");
        assert_eq!(spark_area(&[0, 5], 5), format!("M0 {SPARK_BASE_Y}L0 {SPARK_BASE_Y} 2 {SPARK_TOP_Y} 2 {SPARK_BASE_Y}Z"));
    }

    #[test]
    fn every_backends_sparkline_shares_one_scale() {
        let (rows, top) = sparks(&[(vec![1, 3, 2], vec![0, 0, 0]), (vec![4, 7, 6], vec![0, 2, 1])]);
        assert_eq!(top, 10, "the nice ceiling of 7");
        assert_eq!((rows[0].in_flight_max, rows[0].in_flight_latest, rows[0].queue_len_max), (3, 2, 0));
        assert_eq!((rows[1].in_flight_max, rows[1].in_flight_latest, rows[1].queue_len_max, rows[1].queue_len_latest), (7, 6, 2, 1));
        assert_eq!(rows[0].queue_d, "", "no queue, no area");
        assert!(!rows[1].queue_d.is_empty());
        assert_eq!(rows[0].in_flight_d, spark_line(&spark_points(&[1, 3, 2], SPARK_POINTS, SPARK_GROUP), 10));
        let (_, idle) = sparks(&[(vec![0; 4], vec![0; 4])]);
        assert_eq!(idle, 1, "a scale of at least one request");
    }

    #[test]
    fn each_backend_row_has_its_in_flight_and_queue_over_the_latest_seconds() {
        let early = panel_of(&until("balancer-p2c-many-backends.json", 2_000_000));
        let p = panel_of(&until("balancer-p2c-many-backends.json", 9_000_000));
        assert_eq!(p.backends.len(), 20);
        assert_eq!(p.spark_point_ms, 200.0, "two 100 ms samples a point");
        for b in &p.backends {
            let s = &b.sparks;
            assert!(s.in_flight_max > 0, "S{} had requests in flight", b.id);
            assert!(s.in_flight_max <= p.spark_top && s.queue_len_max <= p.spark_top, "S{}: one scale for all", b.id);
            assert!(s.in_flight_latest <= s.in_flight_max, "S{}", b.id);
            let points = s.in_flight_d.split([' ', 'L']).count() / 2;
            assert_eq!(points, 46, "S{}: 91 samples (0 to 9 s) in twos", b.id);
        }
        let peak = p.backends.iter().map(|b| b.sparks.in_flight_max.max(b.sparks.queue_len_max)).max().unwrap_or(0);
        assert_eq!(p.spark_top, nice_ceiling(peak), "the scale is set by the busiest backend");
        assert!(p.backends.iter().any(|b| b.sparks.queue_len_max > 0 && !b.sparks.queue_d.is_empty()), "one slot each at 80 % busy: queues form");
        assert_ne!(early.backends[0].sparks, p.backends[0].sparks, "the sparkline moves with the run");
        // Round robin keeps sending to the slow S4: its queue is the longest, and still growing.
        let slow = panel_of(&until("balancer-round-robin-slow-backend.json", 3_000_000));
        let longest = slow.backends.iter().max_by_key(|b| b.sparks.queue_len_max).expect("backends");
        assert_eq!(longest.id, 4, "{:?}", slow.backends.iter().map(|b| (b.id, b.sparks.queue_len_max)).collect::<Vec<_>>());
        assert!(longest.sparks.queue_len_latest > 10 && longest.sparks.queue_d.len() > 20, "{:?}", longest.sparks);
    }

    #[test]
    fn a_removed_backends_former_arcs_are_where_the_moved_keys_were() {
        let mut run = until("balancer-ring-hash-add-backend.json", 3_000_000);
        assert!(panel_of(&run).ring_left.is_empty(), "an addition leaves no arcs behind");
        run.operator_request(1, &serde_json::json!({"remove": 5})).expect("a removal");
        advance(&mut run, 3_100_000);
        let p = panel_of(&run);
        let (text, to) = p.last_move.clone().expect("a move");
        assert!(text.starts_with("remove S5"), "{text}");
        assert!((50..=100).contains(&p.ring_left.len()), "S5's 100 points end its arcs, the adjacent ones merged: {}", p.ring_left.len());
        assert!(p.ring_left.iter().all(|&(_, _, b)| b == 5));
        assert!(p.ring_left.windows(2).all(|w| w[0].1 < w[1].1), "in ring order, none empty or overlapping");
        // The keys that moved are those whose hash falls in S5's former arcs (at the ring's
        // 32-bit resolution, a key on an arc's very edge may be counted on the wrong side).
        let moved: u64 = text.split(": ").nth(1).and_then(|t| t.split(' ').next()).and_then(|n| n.parse().ok()).expect("a count");
        let inside = (0..10_000u64)
            .filter(|&k| {
                let h = (key_hash(k) >> 32) as u32;
                p.ring_left.iter().any(|&(start, end, _)| h.wrapping_sub(start).wrapping_sub(1) < end.wrapping_sub(start))
            })
            .count() as u64;
        assert!(moved.abs_diff(inside) <= 2, "{moved} keys moved, {inside} in S5's former arcs");
        assert!(p.ring.iter().all(|&(_, b)| b != 5), "S5 is off the ring");
        // Each former arc's keys now go to the owner of the next point clockwise: together they
        // are the backends the keys moved to.
        let next = |end: u32| p.ring.iter().find(|&&(q, _)| q >= end).or(p.ring.first()).map(|&(_, b)| b).expect("a point");
        let mut heirs: Vec<NodeId> = p.ring_left.iter().map(|&(_, end, _)| next(end)).collect();
        heirs.sort_unstable();
        heirs.dedup();
        assert!(to.iter().all(|b| heirs.contains(b)), "moved to {to:?}, next after S5's arcs {heirs:?}");
        // Drawn thicker on the stage: those arcs, each in the colour of the backend it went to.
        let ranges = moved_ranges(&p.ring, &p.ring_left, &to);
        assert_eq!(ranges.len(), p.ring_left.len());
        assert!(ranges.iter().zip(&p.ring_left).all(|(m, l)| (m.0, m.1) == (l.0, l.1) && m.2 == next(l.1) && to.contains(&m.2)));
        // A later change that takes nobody off the ring clears them.
        run.operator_request(1, &serde_json::json!({"add": 5})).expect("an addition");
        advance(&mut run, 3_200_000);
        assert!(panel_of(&run).ring_left.is_empty());
    }

    #[test]
    fn the_drawn_ring_merges_what_is_too_short_to_see_and_still_covers_it_all() {
        let p = panel_of(&at("balancer-ring-hash-add-backend.json", 3_000_000));
        let exact = ring_runs(&p.ring, 0);
        let drawn = ring_runs(&p.ring, 1 << 22);
        assert!(exact.len() <= p.ring.len() && drawn.len() * 2 < exact.len(), "{} points, {} arcs, {} drawn", p.ring.len(), exact.len(), drawn.len());
        for runs in [&exact, &drawn] {
            let covered: u64 = runs.iter().map(|&(a, b, _)| u64::from(b.wrapping_sub(a))).sum();
            assert_eq!(covered, 1 << 32, "the whole ring, once");
            assert!(runs.windows(2).all(|w| w[0].1 == w[1].0 && w[0].2 != w[1].2), "each run ends where the next starts, and they differ");
        }
        // Unmerged, every backend's share of the ring is its arcs'.
        let share = |runs: &[(u32, u32, NodeId)], id: NodeId| runs.iter().filter(|r| r.2 == id).map(|&(a, b, _)| u64::from(b.wrapping_sub(a))).sum::<u64>();
        let n = p.ring.len();
        let s12: u64 = (0..n).filter(|&i| p.ring[i].1 == 12).map(|i| u64::from(p.ring[i].0.wrapping_sub(p.ring[(i + n - 1) % n].0))).sum();
        assert_eq!(share(&exact, 12), s12);
        // Merged, about the same: the slivers given away and taken in roughly balance.
        let merged = share(&drawn, 12) as f64 / s12 as f64;
        assert!((0.7..1.3).contains(&merged), "{merged}");
        assert_eq!(ring_runs(&[], 0), Vec::new());
        assert_eq!(ring_runs(&[(7, 3)], 0), vec![(7, 7, 3)], "one point: from it round to it");
    }

    #[test]
    fn ring_arcs_go_clockwise_from_the_top_with_the_large_flag_past_half_a_turn() {
        assert_eq!(ring_arcs_d(std::iter::empty(), 110.0, 90.0), "");
        let quarter = 1u32 << 30;
        assert_eq!(ring_arcs_d([(0, quarter)].into_iter(), 110.0, 90.0), "M110.00 20.00 A90 90 0 0 1 200.00 110.00 ");
        assert_eq!(ring_arcs_d([(quarter, 0)].into_iter(), 110.0, 90.0), "M200.00 110.00 A90 90 0 1 1 110.00 20.00 ", "three quarters, wrapping");
    }

    #[test]
    fn compare_offers_every_other_strategy_on_the_same_workload() {
        let run = LabRun::shipped("balancer-round-robin-slow-backend.json").expect("shipped");
        let twins = run.twins();
        assert!(twins.iter().any(|(l, _)| l == "least connections on the same workload"));
        assert!(!twins.iter().any(|(l, _)| l.starts_with("round robin")));
        assert!(twins.iter().all(|(l, _)| !l.contains('_')), "words, not scenario names");
        let (_, sc) = twins.iter().find(|(l, _)| l.starts_with("least connections")).expect("least connections");
        let mut twin = LabRun::from_scenario("twin", sc.clone()).expect("builds");
        let mut run = run;
        run.advance_to(2_000_000);
        twin.advance_to(2_000_000);
        let received = |r: &LabRun| r.metrics().into_iter().find(|(n, _)| *n == "received").map(|(_, v)| v);
        assert_eq!(received(&run), received(&twin), "the same requests arrive under both strategies");
    }

    /// Every figure the comparison table names is a word the page translates, the balancer's
    /// being down included (its row was an untranslated "balancer").
    #[test]
    fn the_figures_are_named_in_words_the_page_translates_even_with_the_balancer_down() {
        let zh = crate::view::i18n::Catalogue::parse(include_str!("../../static/i18n/zh.json")).expect("the catalogue parses");
        let mut run = LabRun::shipped("balancer-round-robin-slow-backend.json").expect("shipped");
        run.advance_to(500_000);
        let up: Vec<&str> = run.metrics().into_iter().map(|(n, _)| n).collect();
        run.node_command(1, crate::view::commands::NodeCommand::Crash);
        let down: Vec<&str> = run.metrics().into_iter().map(|(n, _)| n).collect();
        assert!(down.contains(&"the balancer"), "{down:?}");
        for name in up.into_iter().chain(down) {
            assert!(zh.get(name).is_some(), "\"{name}\" has no Chinese");
        }
    }

    /// The run as near `us` as it goes (it may end before).
    fn towards(run: &mut LabRun, us: Micros) {
        for _ in 0..1000 {
            let was = run.now_us();
            if was >= us {
                return;
            }
            run.advance_to(us);
            if run.now_us() == was {
                return;
            }
        }
    }

    #[test]
    fn strategies_reach_people_in_words() {
        let p = panel_of(&at("balancer-ring-hash-add-backend.json", 100_000));
        assert_eq!(p.strategy, "ring hash, 100 virtual nodes per backend");
        let run = at("balancer-maglev-remove-backend.json", 100_000);
        assert_eq!(panel_of(&run).strategy, "Maglev, table of 65,537 entries");
        let s1 = &run.nodes()[0];
        assert_eq!(s1.caption, "Maglev\ntable of 65,537 entries", "a line each on the stage");
        assert_eq!(s1.state, "balancer, Maglev, table of 65,537 entries");
        let inspected = run.inspect_node(1).expect("S1");
        let fields: Vec<String> = inspected.sections.iter().flat_map(|(_, f)| f.iter().map(|f| format!("{f:?}"))).collect();
        assert!(fields.iter().any(|f| f.contains("Maglev, table of 65,537 entries")) && !fields.iter().any(|f| f.contains("table_size")), "{fields:?}");
        let slow = at("balancer-round-robin-slow-backend.json", 100_000);
        assert_eq!(slow.nodes()[3].caption, "×3 slow");
        assert_eq!(slow_words(1500), "×1.5 slow");
        assert_eq!(slow_words(2250), "×2.25 slow");
    }

    #[test]
    fn backends_outside_the_pool_say_so_on_the_stage() {
        let run = at("balancer-ring-hash-add-backend.json", 500_000);
        let p = panel_of(&run);
        assert_eq!(out_of_pool(&p), vec![12]);
        let marked = mark_out_of_pool(&run.nodes(), &out_of_pool(&p)).expect("S12 is not in the pool yet");
        assert_eq!((marked[11].role, marked[11].caption.as_str()), ("unpooled", OUT_OF_POOL));
        assert!(marked[11].state.ends_with(", not in the pool"));
        assert_eq!(marked[..11], run.nodes()[..11], "the others as they were");
        let all_in = at("balancer-round-robin-slow-backend.json", 500_000);
        assert!(mark_out_of_pool(&all_in.nodes(), &out_of_pool(&panel_of(&all_in))).is_none());
    }

    #[test]
    fn the_stage_draws_the_key_space_of_the_hashing_strategies() {
        let cases = [
            ("balancer-ring-hash-add-backend.json", "ring"),
            ("balancer-zipf-bounded-load.json", "ring"),
            ("balancer-maglev-remove-backend.json", "its table's first 64 entries"),
            ("balancer-rendezvous-remove-backend.json", "where keys 0 to 63 go"),
            ("balancer-round-robin-slow-backend.json", ""),
        ];
        for (name, want) in cases {
            let p = panel_of(&at(name, 500_000));
            let got = match stage_keys(&p) {
                StageKeys::Ring => "ring".to_string(),
                StageKeys::Strip { cells, words } => {
                    assert_eq!(cells, 64, "{name}");
                    words
                }
                StageKeys::None => String::new(),
            };
            assert_eq!(got, want, "{name}");
        }
        // Rendezvous hashing: where the first keys go, each to a member.
        let mut run = until("balancer-rendezvous-remove-backend.json", 500_000);
        let before = panel_of(&run).owners.expect("the first keys' backends");
        assert!(before.iter().all(|id| (2..=11).contains(id)));
        // Removing a backend moves its keys only.
        let gone = before[0];
        run.operator_request(1, &serde_json::json!({"remove": gone})).expect("a removal");
        advance(&mut run, 600_000);
        let after = panel_of(&run).owners.expect("still");
        for (b, a) in before.iter().zip(&after) {
            assert!(*a != gone && (b == a || *b == gone), "S{b} → S{a}");
        }
    }

    #[test]
    fn every_shipped_scenarios_stage_words_stay_apart_inside_and_off_the_circles() {
        use crate::view::geometry::{self, Layout};
        use crate::view::labels::{TextBox, stage_node_texts};
        let mut checked = 0;
        for (name, _) in crate::view::shipped::runnable().filter(|(n, _)| n.starts_with("balancer-")) {
            let mut run = LabRun::shipped(name).expect("shipped");
            for us in [0, 700_000, 2_500_000, 4_000_000] {
                towards(&mut run, us);
                let panel = panel_of(&run);
                let keys = stage_keys(&panel);
                let nodes = mark_out_of_pool(&run.nodes(), &out_of_pool(&panel)).unwrap_or_else(|| run.nodes());
                // As they are, and at their widest: every backend slowed down by an odd factor.
                let mut slow = nodes.clone();
                for n in &mut slow[1..] {
                    n.caption = format!("{OUT_OF_POOL}\n{}", slow_words(2250));
                }
                // On a laptop's fan and on a phone's.
                for layout in [Layout::Fan, Layout::FanNarrow] {
                    let s1 = geometry::balancer_point(layout);
                    for nodes in [&nodes, &slow] {
                        let n = nodes.len() as u32;
                        let (at, r) = (geometry::positions(layout, n), geometry::radius(layout, n));
                        let texts = stage_node_texts(layout, nodes, &keys);
                        let mut boxes: Vec<(usize, TextBox)> = texts.iter().enumerate().flat_map(|(i, t)| t.boxes().map(move |b| (i, b))).collect();
                        // The clients' mark: its word, in its box.
                        boxes.push((usize::MAX, TextBox::of("clients", 13.0, geometry::client_point(layout))));
                        let at_t = format!("{name} at {us} µs, {layout:?}");
                        for (k, (i, a)) in boxes.iter().enumerate() {
                            assert!(
                                a.x - a.w / 2.0 >= 0.0 && a.x + a.w / 2.0 <= geometry::view_width(layout) && a.top() >= 0.0 && a.bottom() <= geometry::VIEW_SIZE,
                                "{at_t}: S{} {a:?} outside",
                                i + 1
                            );
                            for (j, b) in &boxes[k + 1..] {
                                assert!(!a.overlaps(b), "{at_t}: S{}'s {a:?} and S{}'s {b:?} overlap", i + 1, j + 1);
                            }
                            for (j, c) in at.iter().enumerate() {
                                let circle = TextBox { x: c.x, y: c.y, w: 2.0 * r, h: 2.0 * r };
                                assert!(j == *i || !a.overlaps(&circle), "{at_t}: S{}'s {a:?} over S{}", i + 1, j + 1);
                            }
                            // Off the ring (S1's own badge and name are inside it).
                            if keys == StageKeys::Ring && *i != 0 {
                                let nearest = Point { x: s1.x.clamp(a.x - a.w / 2.0, a.x + a.w / 2.0), y: s1.y.clamp(a.top(), a.bottom()) };
                                assert!(nearest.dist(s1) > geometry::key_ring_outer(r), "{at_t}: S{}'s {a:?} on the ring", i + 1);
                            }
                        }
                        if let StageKeys::Ring = keys {
                            let (b, _) = texts[0].caption.expect("S1's caption");
                            assert!(b.top() > s1.y + geometry::key_ring_outer(r), "{at_t}: S1's caption under the ring");
                        }
                        checked += 1;
                    }
                }
            }
        }
        assert!(checked >= 15 * 4 * 2 * 2, "{checked}");
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
