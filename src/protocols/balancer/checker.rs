//! The balancer's checker: every request answered or failed exactly once, none lost, none
//! kept waiting past what its attempts allow. It reads the balancer from outside after every
//! event that touches it and keeps its own record of which requests were answered (a bit per
//! request), so an answer given twice cannot hide.

use super::lb::Lb;
use super::{BALANCER, Balancer};
use crate::sim::time::AsMs;
use crate::sim::{Breach, Checker, Invariant, Micros, NodeId, World};

/// The invariants, in display order.
pub const INVARIANTS: &[Invariant] = &[
    Invariant { name: "No request lost", statement: "Every request the balancer received is pending, served or failed: received = served + failed + pending." },
    Invariant { name: "Answered once", statement: "No request is answered twice, and every answer is for a request that was received." },
    Invariant { name: "Bounded wait", statement: "No request stays pending longer than its attempts allow: (retries + 1) × the request timeout, plus any time the balancer was paused." },
];

const LOST: usize = 0;
const ONCE: usize = 1;
const BOUNDED: usize = 2;

/// The checker's own record.
#[derive(Clone, Debug)]
pub struct BalancerChecker {
    epoch: u32,
    read: usize,
    answered: Vec<u64>,
    bound_us: Micros,
    /// Intervals during which the balancer was paused (its timers wait, so requests may too).
    pauses: Vec<(Micros, Micros)>,
    paused_since: Option<Micros>,
}

impl BalancerChecker {
    /// A checker for `p`'s balancer.
    pub fn new(p: &Balancer) -> Self {
        BalancerChecker { epoch: 0, read: 0, answered: Vec::new(), bound_us: p.request_timeout_us.saturating_mul(p.retries as u64 + 1), pauses: Vec::new(), paused_since: None }
    }

    /// Time the balancer spent paused between `from_us` and `now_us`.
    fn paused_during(&self, from_us: Micros, now_us: Micros) -> Micros {
        let ongoing = self.paused_since.map(|s| (s, now_us));
        self.pauses.iter().copied().chain(ongoing).map(|(a, b)| b.min(now_us).saturating_sub(a.max(from_us))).sum()
    }

    /// Requests seen answered so far (this boot of the balancer).
    pub fn answered(&self) -> u64 {
        self.answered.iter().map(|w| w.count_ones() as u64).sum()
    }

    fn observe(&mut self, lb: &Lb, now_us: Micros, out: &mut Vec<Breach>) {
        if lb.epoch != self.epoch {
            // A restarted balancer starts over, with new request ids.
            self.epoch = lb.epoch;
            self.read = 0;
            self.answered.clear();
        }
        let one = |invariant, detail| Breach { invariant, detail, nodes: vec![BALANCER as NodeId], positions: Vec::new() };
        for &a in &lb.answers[self.read..] {
            let rid = a >> 1;
            if rid == 0 || rid > lb.received {
                out.push(one(ONCE, crate::sim::Detail::new("an answer for r{rid}, which was never received (received {received})", &[("rid", &rid), ("received", &lb.received)])));
                continue;
            }
            let (w, bit) = ((rid / 64) as usize, rid % 64);
            if w >= self.answered.len() {
                self.answered.resize(w + 1, 0);
            }
            if self.answered[w] & (1 << bit) != 0 {
                let values: &[(&str, &dyn std::fmt::Display)] = &[("rid", &rid), ("ms", &AsMs(now_us))];
                let detail = if a & 1 == 1 {
                    crate::sim::Detail::new("r{rid} is answered a second time (served) at {ms} ms", values)
                } else {
                    crate::sim::Detail::new("r{rid} is answered a second time (failed) at {ms} ms", values)
                };
                out.push(one(ONCE, detail));
            }
            self.answered[w] |= 1 << bit;
        }
        self.read = lb.answers.len();
        let accounted = lb.served + lb.failed + lb.pending_count();
        if accounted != lb.received {
            out.push(one(
                LOST,
                crate::sim::Detail::new(
                    "received {received} but served {served} + failed {failed} + pending {pending} = {accounted}: {lost} request(s) vanished without an answer",
                    &[
                        ("received", &lb.received),
                        ("served", &lb.served),
                        ("failed", &lb.failed),
                        ("pending", &lb.pending_count()),
                        ("accounted", &accounted),
                        ("lost", &(lb.received as i128 - accounted as i128)),
                    ],
                ),
            ));
        }
        if let Some((rid, arrived)) = lb.oldest_pending() {
            let bound = self.bound_us + self.paused_during(arrived, now_us);
            if now_us - arrived > bound {
                out.push(one(
                    BOUNDED,
                    crate::sim::Detail::new(
                        "r{rid} has waited {waited} ms, longer than its attempts allow ({bound} ms)",
                        &[("rid", &rid), ("waited", &AsMs(now_us - arrived)), ("bound", &AsMs(bound))],
                    ),
                ));
            }
        }
    }
}

impl Checker<Balancer> for BalancerChecker {
    fn invariants(&self) -> &'static [Invariant] {
        INVARIANTS
    }

    fn check(&mut self, world: &World<'_, Balancer>, touched: Option<NodeId>, breaches: &mut Vec<Breach>) {
        // Pauses and resumes are checked with `touched` = None, at the moment they happen.
        match (world.node(BALANCER).paused(), self.paused_since) {
            (true, None) => self.paused_since = Some(world.now_us),
            (false, Some(since)) => {
                self.pauses.push((since, world.now_us));
                self.paused_since = None;
            }
            _ => {}
        }
        if touched.is_some_and(|t| t != BALANCER) {
            return;
        }
        let Some(lb) = world.node(BALANCER).state().and_then(|n| n.lb()) else {
            return;
        };
        self.observe(lb, world.now_us, breaches);
    }
}
