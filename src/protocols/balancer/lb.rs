//! The balancer, S1: it makes the workload's requests as they arrive, picks a backend for each
//! with its strategy, tracks what it has outstanding where, times out and retries, runs the
//! health checks, applies membership changes (counting the keys that move) and measures
//! everything.

use std::collections::VecDeque;

use serde_json::{Value, json};

use super::health::{Health, Verdict};
use super::stats::{Histogram, Series};
use super::strategy::{AnyStrategy, BackendIx, Loads, Strategy};
use super::workload::{Arrivals, Draw, Generator};
use super::{Balancer, BalancerNote, Msg, Op, PlantedBug, Status, Timer, backend_ix, node_of};
use crate::sim::time::to_ms_f64;
use crate::sim::{Ctx, Micros};

/// A request id, 1.. in arrival order (shown as r1, r2, ...).
pub type Rid = u64;

/// Most assignments kept in order, for checking a sequence.
pub const FIRST_ASSIGNMENTS: usize = 64;

/// Largest key space whose owners are tracked (and moves counted) inside a run.
pub const OWNERS_CAP: u64 = 1_000_000;

/// A request the balancer has not answered yet.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Pending {
    /// Its key.
    pub key: u64,
    /// Its work quantile.
    pub work: u32,
    /// When it arrived.
    pub arrived_us: Micros,
    /// Attempts so far (1 once sent).
    pub attempt: u32,
    /// Where the current attempt went.
    pub backend: BackendIx,
    /// When the current attempt was sent.
    pub sent_us: Micros,
}

/// One backend's figures, as the balancer measured them.
#[derive(Clone, Debug)]
pub struct BackendStats {
    /// Requests it answered Ok.
    pub served: u64,
    /// Attempts that failed there (refused, or timed out at the balancer).
    pub failed: u64,
    /// Latency of the requests it served, from arrival at the balancer to the answer.
    pub latency: Histogram,
    /// Requests outstanding there over time.
    pub in_flight: Series,
}

/// A membership change and the keys it moved (hashing strategies).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Move {
    /// When.
    pub at_us: Micros,
    /// What happened ("add S12", "S4 down", ...).
    pub change: String,
    /// Keys whose owner changed.
    pub moved: u64,
    /// Keys in all.
    pub keys: u64,
    /// Where moved keys went: (backend, keys).
    pub to: Vec<(BackendIx, u64)>,
    /// Where they came from.
    pub from: Vec<(BackendIx, u64)>,
}

/// The balancer node.
#[derive(Clone, Debug)]
pub struct Lb {
    /// Boots so far (the checker starts over when it changes).
    pub epoch: u32,
    /// Loads as strategies see them.
    pub loads: Loads,
    /// The strategy.
    pub strategy: AnyStrategy,
    /// In the membership (added and not removed).
    pub member: Vec<bool>,
    /// Health-check beliefs.
    pub health: Health,
    workload: Generator,
    pending: VecDeque<Option<Pending>>,
    /// The id of `pending[0]`.
    base: Rid,
    pending_count: u64,
    deadlines: VecDeque<(Micros, Rid, u32)>,
    sweep_due: Option<Micros>,
    /// Requests received (made by the workload).
    pub received: u64,
    /// Requests answered Ok.
    pub served: u64,
    /// Requests answered with a failure.
    pub failed: u64,
    /// Attempts retried.
    pub retried: u64,
    /// Responses that came after their attempt was given up.
    pub late: u64,
    /// Every answer in order: rid·2 + (1 if served), for the checker.
    pub answers: Vec<u64>,
    /// Per backend.
    pub stats: Vec<BackendStats>,
    /// All served requests' latencies.
    pub latency: Histogram,
    /// Latency percentiles over time (the lab's chart): see [`LatencyOverTime`].
    pub latency_over_time: LatencyOverTime,
    /// The first assignments, in order: (rid, key, backend).
    pub first: Vec<(Rid, u64, BackendIx)>,
    /// Each key's owner (hashing strategies with at most [`OWNERS_CAP`] keys).
    pub owners: Vec<u32>,
    /// Membership changes and the keys they moved.
    pub moves: Vec<Move>,
    /// Time of the latest event handled.
    pub clock_us: Micros,
}

const NO_OWNER: u32 = u32::MAX;

/// p50, p95 and p99 of the latencies of the requests served in each sample bucket (µs, 0 for
/// a bucket without one): what the lab's latency chart draws. Sample i covers the responses
/// between sample times i−1 and i, so a change of strategy, a slow backend or a failure shows
/// when it happens rather than diluted in the whole run's histogram.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LatencyOverTime {
    window: Histogram,
    /// Per percentile (p50, p95, p99).
    pub series: [Series; 3],
}

/// The per-mille ranks of [`LatencyOverTime::series`].
pub const LATENCY_RANKS: [u64; 3] = [500, 950, 990];

impl LatencyOverTime {
    /// Empty, sampled every `sample_us`.
    pub fn new(sample_us: Micros) -> Self {
        LatencyOverTime { window: Histogram::default(), series: std::array::from_fn(|_| Series::new(sample_us)) }
    }

    /// A response at `now_us` after `latency_us`.
    pub fn record(&mut self, now_us: Micros, latency_us: Micros) {
        self.close(now_us);
        self.window.record(latency_us);
    }

    /// Closes the buckets due by `now_us` with the window's percentiles.
    fn close(&mut self, now_us: Micros) {
        let s = &self.series[0];
        if (s.samples().len() as u64) * s.bucket_us() > now_us {
            return;
        }
        let values = LATENCY_RANKS.map(|r| if self.window.count() == 0 { 0 } else { self.window.percentile(r).min(u32::MAX as u64) as u32 });
        for (series, v) in self.series.iter_mut().zip(values) {
            series.advance(now_us, v);
        }
        self.window = Histogram::default();
    }

    /// The series filled up to `now_us` (a report or chart at that moment).
    pub fn filled(&self, now_us: Micros) -> [Series; 3] {
        let mut copy = self.clone();
        copy.close(now_us);
        copy.series
    }
}

impl Lb {
    /// Boots the balancer: seeds the workload, builds the strategy, arms the first arrival and
    /// health check.
    pub fn boot(p: &Balancer, epoch: u32, ctx: &mut Ctx<Balancer>) -> Self {
        let drawn = ctx.rng().next_u64();
        let seed = p.workload.seed.unwrap_or(drawn);
        let n = p.backends.len();
        let mut loads = Loads::new(n);
        loads.now_us = ctx.now();
        let member: Vec<bool> = p.backends.iter().map(|b| b.member).collect();
        for (i, b) in p.backends.iter().enumerate() {
            loads.set_weight(i as u32, b.weight);
            loads.set_eligible(i as u32, b.member);
        }
        let strategy = p.strategy.build(&loads);
        let stats = (0..n).map(|_| BackendStats { served: 0, failed: 0, latency: Histogram::default(), in_flight: Series::new(p.sample_us) }).collect();
        let mut lb = Lb {
            epoch,
            loads,
            strategy,
            member,
            health: Health::new(n),
            workload: Generator::new(seed),
            pending: VecDeque::new(),
            base: 1,
            pending_count: 0,
            deadlines: VecDeque::new(),
            sweep_due: None,
            received: 0,
            served: 0,
            failed: 0,
            retried: 0,
            late: 0,
            answers: Vec::new(),
            stats,
            latency: Histogram::default(),
            latency_over_time: LatencyOverTime::new(p.sample_us),
            first: Vec::new(),
            owners: Vec::new(),
            moves: Vec::new(),
            clock_us: ctx.now(),
        };
        if p.strategy.is_hashing() && p.workload.keys.count() <= OWNERS_CAP {
            lb.owners = lb.compute_owners(p);
        }
        match p.workload.arrivals {
            Arrivals::Poisson { rate_milli_per_s } if lb.workload.more(&p.workload) => {
                let gap = lb.workload.gap_us(rate_milli_per_s);
                ctx.set_timer(Timer::Arrival, gap);
            }
            Arrivals::Bursts { .. } => ctx.set_timer(Timer::Burst, 0),
            _ => {}
        }
        if p.health.interval_us > 0 {
            ctx.set_timer(Timer::Health, p.health.interval_us);
        }
        lb
    }

    /// Requests pending (received, not answered).
    pub fn pending_count(&self) -> u64 {
        self.pending_count
    }

    /// The oldest pending request: (rid, arrival time).
    pub fn oldest_pending(&self) -> Option<(Rid, Micros)> {
        self.pending.front().and_then(|p| p.as_ref()).map(|p| (self.base, p.arrived_us))
    }

    /// A pending request.
    pub fn pending(&self, rid: Rid) -> Option<&Pending> {
        rid.checked_sub(self.base).and_then(|i| self.pending.get(i as usize)).and_then(Option::as_ref)
    }

    fn pending_mut(&mut self, rid: Rid) -> Option<&mut Pending> {
        rid.checked_sub(self.base).and_then(|i| self.pending.get_mut(i as usize)).and_then(Option::as_mut)
    }

    fn tick(&mut self, ctx: &Ctx<Balancer>) {
        self.clock_us = ctx.now();
        self.loads.now_us = ctx.now();
    }

    /// A timer of the balancer.
    pub fn on_timer(&mut self, p: &Balancer, timer: Timer, ctx: &mut Ctx<Balancer>) {
        self.tick(ctx);
        match timer {
            Timer::Arrival => {
                if self.workload.more(&p.workload) {
                    let d = self.workload.draw(&p.workload);
                    self.arrive(p, d, ctx);
                }
                if let Arrivals::Poisson { rate_milli_per_s } = p.workload.arrivals
                    && self.workload.more(&p.workload)
                {
                    let gap = self.workload.gap_us(rate_milli_per_s);
                    ctx.set_timer(Timer::Arrival, gap);
                }
            }
            Timer::Burst => {
                if let Arrivals::Bursts { size, every_us } = p.workload.arrivals {
                    self.burst(p, size, ctx);
                    if self.workload.more(&p.workload) {
                        ctx.set_timer(Timer::Burst, every_us);
                    }
                }
            }
            Timer::Sweep => self.sweep(p, ctx),
            Timer::Health => self.health_round(p, ctx),
            Timer::Finish(_) => {}
        }
    }

    fn burst(&mut self, p: &Balancer, size: u32, ctx: &mut Ctx<Balancer>) {
        for _ in 0..size {
            if !self.workload.more(&p.workload) {
                break;
            }
            let d = self.workload.draw(&p.workload);
            self.arrive(p, d, ctx);
        }
    }

    fn arrive(&mut self, p: &Balancer, d: Draw, ctx: &mut Ctx<Balancer>) {
        let rid = self.base + self.pending.len() as u64;
        self.received += 1;
        self.pending_count += 1;
        self.pending.push_back(Some(Pending { key: d.key, work: d.work, arrived_us: ctx.now(), attempt: 0, backend: 0, sent_us: 0 }));
        self.dispatch(p, rid, None, ctx);
    }

    /// Sends (or resends) request `rid`, avoiding `exclude` if possible; fails it if no
    /// backend is eligible.
    fn dispatch(&mut self, p: &Balancer, rid: Rid, exclude: Option<BackendIx>, ctx: &mut Ctx<Balancer>) {
        let Some(key) = self.pending(rid).map(|r| r.key) else {
            return;
        };
        self.loads.exclude = exclude;
        let pick = self.strategy.pick(key, &self.loads, ctx.rng());
        self.loads.exclude = None;
        let Some(b) = pick else {
            self.finish(rid, false, ctx);
            return;
        };
        let now = ctx.now();
        let r = self.pending_mut(rid).expect("pending");
        r.attempt += 1;
        r.backend = b;
        r.sent_us = now;
        let (attempt, work) = (r.attempt, r.work);
        self.add_in_flight(b, now);
        if self.first.len() < FIRST_ASSIGNMENTS {
            self.first.push((rid, key, b));
        }
        ctx.send_node(node_of(b), Msg::Request { rid, attempt, key, work });
        let due = now + p.request_timeout_us;
        self.deadlines.push_back((due, rid, attempt));
        if self.sweep_due.is_none() {
            self.sweep_due = Some(due);
            ctx.set_timer(Timer::Sweep, p.request_timeout_us);
        }
    }

    fn add_in_flight(&mut self, b: BackendIx, now: Micros) {
        self.stats[b as usize].in_flight.advance(now, self.loads.in_flight(b));
        self.loads.add(b);
    }

    fn remove_in_flight(&mut self, b: BackendIx, now: Micros) {
        self.stats[b as usize].in_flight.advance(now, self.loads.in_flight(b));
        self.loads.remove(b);
    }

    /// Answers request `rid`: served or failed, exactly once.
    fn finish(&mut self, rid: Rid, ok: bool, ctx: &mut Ctx<Balancer>) {
        let Some(i) = rid.checked_sub(self.base) else {
            return;
        };
        let Some(r) = self.pending.get_mut(i as usize).and_then(Option::take) else {
            return;
        };
        self.pending_count -= 1;
        self.answers.push(rid << 1 | ok as u64);
        if ok {
            self.served += 1;
            let latency = ctx.now() - r.arrived_us;
            self.latency.record(latency);
            self.latency_over_time.record(ctx.now(), latency);
            let s = &mut self.stats[r.backend as usize];
            s.served += 1;
            s.latency.record(latency);
        } else {
            self.failed += 1;
            ctx.note(BalancerNote::Failed { rid });
        }
        self.trim();
    }

    fn trim(&mut self) {
        while let Some(None) = self.pending.front() {
            self.pending.pop_front();
            self.base += 1;
        }
    }

    /// A backend answers an attempt.
    pub fn on_response(&mut self, p: &Balancer, from: BackendIx, rid: Rid, attempt: u32, status: Status, ctx: &mut Ctx<Balancer>) {
        self.tick(ctx);
        let now = ctx.now();
        let current = self.pending(rid).filter(|r| r.attempt == attempt && r.backend == from).copied();
        let Some(r) = current else {
            self.late += 1;
            if p.planted_bug == Some(PlantedBug::AnswerLate) && status == Status::Ok {
                // The planted bug: a late answer is passed on as if it were the first.
                self.answers.push(rid << 1 | 1);
                self.served += 1;
                ctx.note(BalancerNote::PlantedBug { rid });
            }
            return;
        };
        self.remove_in_flight(from, now);
        if status == Status::Ok {
            self.strategy.on_response(from, now - r.sent_us, now);
            self.finish(rid, true, ctx);
        } else {
            self.stats[from as usize].failed += 1;
            self.retry_or_fail(p, rid, from, ctx);
        }
    }

    fn retry_or_fail(&mut self, p: &Balancer, rid: Rid, failed_at: BackendIx, ctx: &mut Ctx<Balancer>) {
        let attempts = self.pending(rid).map_or(0, |r| r.attempt);
        if attempts <= p.retries {
            self.retried += 1;
            self.dispatch(p, rid, Some(failed_at), ctx);
        } else {
            self.finish(rid, false, ctx);
        }
    }

    /// The request timer: gives up on every attempt past its deadline, then re-arms for the
    /// oldest attempt still outstanding.
    fn sweep(&mut self, p: &Balancer, ctx: &mut Ctx<Balancer>) {
        let now = ctx.now();
        self.sweep_due = None;
        while let Some(&(due, rid, attempt)) = self.deadlines.front() {
            let live = self.pending(rid).filter(|r| r.attempt == attempt).copied();
            let Some(r) = live else {
                self.deadlines.pop_front();
                continue;
            };
            if due > now {
                break;
            }
            self.deadlines.pop_front();
            self.remove_in_flight(r.backend, now);
            self.stats[r.backend as usize].failed += 1;
            ctx.note(BalancerNote::TimedOut { rid, backend: node_of(r.backend) });
            if p.planted_bug == Some(PlantedBug::LoseOnTimeout) {
                // The planted bug: the request is dropped without an answer.
                if let Some(slot) = rid.checked_sub(self.base).and_then(|i| self.pending.get_mut(i as usize)) {
                    *slot = None;
                    self.pending_count -= 1;
                    self.trim();
                }
                ctx.note(BalancerNote::PlantedBug { rid });
                continue;
            }
            self.retry_or_fail(p, rid, r.backend, ctx);
        }
        if let Some(&(due, _, _)) = self.deadlines.front() {
            self.sweep_due = Some(due);
            ctx.set_timer(Timer::Sweep, due - now);
        }
    }

    fn health_round(&mut self, p: &Balancer, ctx: &mut Ctx<Balancer>) {
        for b in 0..self.member.len() {
            let (seq, verdict) = self.health.tick(b, &p.health);
            if let Some(v) = verdict {
                self.on_verdict(p, b as BackendIx, v, ctx);
            }
            ctx.send_node(node_of(b as BackendIx), Msg::Probe { seq });
        }
        ctx.set_timer(Timer::Health, p.health.interval_us);
    }

    /// A backend answers a probe.
    pub fn on_probe_ack(&mut self, p: &Balancer, from: BackendIx, seq: u64, ctx: &mut Ctx<Balancer>) {
        self.tick(ctx);
        if let Some(v) = self.health.answer(from as usize, seq, &p.health) {
            self.on_verdict(p, from, v, ctx);
        }
    }

    fn on_verdict(&mut self, p: &Balancer, b: BackendIx, v: Verdict, ctx: &mut Ctx<Balancer>) {
        let change = match v {
            Verdict::Down => format!("S{} down", node_of(b)),
            Verdict::Up => format!("S{} up", node_of(b)),
        };
        ctx.note(BalancerNote::Health { backend: node_of(b), up: v == Verdict::Up });
        self.refresh(p, change, ctx);
    }

    /// An operator's request (add, remove, weight, burst; a slow-down is passed on to its
    /// backend).
    pub fn on_op(&mut self, p: &Balancer, op: Op, ctx: &mut Ctx<Balancer>) {
        self.tick(ctx);
        match op {
            Op::Burst(n) => self.burst(p, n, ctx),
            Op::Add(node) | Op::Remove(node) => {
                let Some(b) = backend_ix(node, p) else {
                    return ctx.note(BalancerNote::Refused { op });
                };
                let add = matches!(op, Op::Add(_));
                if self.member[b as usize] == add {
                    return ctx.note(BalancerNote::Refused { op });
                }
                self.member[b as usize] = add;
                ctx.note(BalancerNote::Member { backend: node, added: add });
                self.refresh(p, format!("{} S{node}", if add { "add" } else { "remove" }), ctx);
            }
            Op::Weight(node, w) => {
                let Some(b) = backend_ix(node, p) else {
                    return ctx.note(BalancerNote::Refused { op });
                };
                self.loads.set_weight(b, w);
                ctx.note(BalancerNote::Weight { backend: node, weight: w.max(1) });
                self.refresh(p, format!("weight S{node} {}", w.max(1)), ctx);
            }
            Op::Slow(node, _) => {
                if backend_ix(node, p).is_some() {
                    ctx.send_node(node, Msg::Control(op));
                } else {
                    ctx.note(BalancerNote::Refused { op });
                }
            }
        }
    }

    /// Eligibility follows membership and health; the strategy is rebuilt and, for hashing
    /// strategies, the keys that changed owner are counted.
    fn refresh(&mut self, p: &Balancer, change: String, ctx: &mut Ctx<Balancer>) {
        for b in 0..self.member.len() {
            let on = self.member[b] && self.health.checks[b].healthy;
            self.loads.set_eligible(b as BackendIx, on);
        }
        self.strategy.rebuild(&self.loads);
        if self.owners.is_empty() && !(p.strategy.is_hashing() && p.workload.keys.count() <= OWNERS_CAP) {
            return;
        }
        let after = self.compute_owners(p);
        let n = self.member.len();
        let (mut to, mut from) = (vec![0u64; n], vec![0u64; n]);
        let mut moved = 0;
        for (&a, &b) in self.owners.iter().zip(&after) {
            if a != b {
                moved += 1;
                if b != NO_OWNER {
                    to[b as usize] += 1;
                }
                if a != NO_OWNER {
                    from[a as usize] += 1;
                }
            }
        }
        let list = |v: Vec<u64>| v.into_iter().enumerate().filter(|x| x.1 > 0).map(|(b, k)| (b as BackendIx, k)).collect();
        let keys = after.len() as u64;
        self.moves.push(Move { at_us: ctx.now(), change, moved, keys, to: list(to), from: list(from) });
        ctx.note(BalancerNote::Moved { keys: moved, of: keys });
        self.owners = after;
    }

    fn compute_owners(&self, p: &Balancer) -> Vec<u32> {
        (0..p.workload.keys.count()).map(|k| self.strategy.owner(k).unwrap_or(NO_OWNER)).collect()
    }

    /// Keys owned per backend (hashing strategies).
    pub fn keys_per_backend(&self) -> Vec<u64> {
        let mut c = vec![0; self.member.len()];
        for &o in &self.owners {
            if o != NO_OWNER {
                c[o as usize] += 1;
            }
        }
        c
    }

    /// The inspector's view.
    pub fn view(&self, p: &Balancer) -> Value {
        let backends: Vec<Value> = (0..self.member.len())
            .map(|b| {
                let bi = b as BackendIx;
                json!({
                    "id": node_of(bi),
                    "member": self.member[b],
                    "eligible": self.loads.is_eligible(bi),
                    "weight": self.loads.weight(bi),
                    "in_flight": self.loads.in_flight(bi),
                    "served": self.stats[b].served,
                    "failed": self.stats[b].failed,
                    "health": self.health.view(b),
                })
            })
            .collect();
        let mut strategy = self.strategy.view(&self.loads);
        // Backend indices in the strategy's view read better as server ids.
        relabel(&mut strategy);
        json!({
            "role": "balancer",
            "strategy": p.strategy.name(),
            "params": p.strategy.params_json(),
            "state": strategy,
            "backends": backends,
            "received": self.received,
            "served": self.served,
            "failed": self.failed,
            "pending": self.pending_count,
            "retried": self.retried,
            "late": self.late,
            "clock_ms": to_ms_f64(self.clock_us),
        })
    }
}

/// Rewrites `[index, value]` pairs and index lists of a strategy view to server ids.
fn relabel(v: &mut Value) {
    let Value::Object(map) = v else { return };
    for (k, val) in map.iter_mut() {
        let Value::Array(items) = val else { continue };
        match k.as_str() {
            "ring" | "entries" | "current" | "estimate_ms" => {
                let col = if k == "ring" { 1 } else { 0 };
                for item in items.iter_mut() {
                    if let Some(x) = item.get_mut(col).and_then(|x| x.as_u64()) {
                        item[col] = json!(node_of(x as BackendIx));
                    }
                }
            }
            "head" => {
                for item in items.iter_mut() {
                    if let Some(x) = item.as_u64() {
                        *item = json!(node_of(x as BackendIx));
                    }
                }
            }
            _ => {}
        }
    }
}
