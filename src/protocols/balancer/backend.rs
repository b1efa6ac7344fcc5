//! A backend: `slots` requests served at once, the rest waiting in a FIFO queue; each request
//! takes a service time from the backend's distribution, multiplied while the backend is slowed
//! down. A request that waited in the queue longer than the backend's `timeout` is refused when
//! it reaches the head (its deadline is checked at dequeue, as servers that propagate deadlines
//! do), and a full queue (`queue_limit`) refuses new requests at once. A crash (the engine's
//! `crash`) loses the queue and the requests in service; the balancer learns of it from its
//! health checks and from its own request timeouts.

use std::collections::VecDeque;

use serde_json::{Value, json};

use super::fixed;
use super::stats::Series;
use super::{Balancer, Msg, Status, Timer};
use crate::sim::time::to_ms_f64;
use crate::sim::{Ctx, Micros, NodeId};

/// A service-time distribution, by its mean.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Service {
    /// Always the mean.
    Constant {
        /// The mean, µs.
        mean_us: Micros,
    },
    /// Exponential: memoryless, the M/M/c queue's.
    Exponential {
        /// The mean, µs.
        mean_us: Micros,
    },
    /// Pareto with shape α (heavy-tailed; infinite variance for α ≤ 2), capped at 1000 × the
    /// mean.
    Pareto {
        /// The mean, µs.
        mean_us: Micros,
        /// α in thousandths, above 1000.
        alpha_milli: u32,
    },
}

impl Service {
    /// Its name in scenario files.
    pub fn name(&self) -> &'static str {
        match self {
            Service::Constant { .. } => "constant",
            Service::Exponential { .. } => "exponential",
            Service::Pareto { .. } => "pareto",
        }
    }

    /// The mean, µs.
    pub fn mean_us(&self) -> Micros {
        match *self {
            Service::Constant { mean_us } | Service::Exponential { mean_us } | Service::Pareto { mean_us, .. } => mean_us,
        }
    }

    /// The service time of a request with work quantile `work`, by inverting the CDF with the
    /// reproducible [`fixed::ln`] and [`fixed::exp`].
    pub fn time_us(&self, work: u32) -> Micros {
        match *self {
            Service::Constant { mean_us } => mean_us,
            Service::Exponential { mean_us } => (-fixed::ln(fixed::unit(work)) * mean_us as f64) as Micros,
            Service::Pareto { mean_us, alpha_milli } => {
                let alpha = alpha_milli as f64 / 1000.0;
                let scale = mean_us as f64 * (alpha - 1.0) / alpha;
                let x = scale * fixed::exp(-fixed::ln(fixed::unit(work)) / alpha);
                (x.min(mean_us as f64 * 1000.0)) as Micros
            }
        }
    }

    /// As scenario JSON.
    pub fn json(&self) -> Value {
        let mut v = json!({"dist": self.name(), "mean_ms": to_ms_f64(self.mean_us())});
        if let Service::Pareto { alpha_milli, .. } = self {
            v["alpha"] = json!(*alpha_milli as f64 / 1000.0);
        }
        v
    }
}

/// A backend's configuration.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct BackendConfig {
    /// Weight, for the weighted strategies (at least 1).
    pub weight: u32,
    /// Requests served at once.
    pub slots: u32,
    /// Service times.
    pub service: Service,
    /// Longest wait in the queue before the request is refused, if any.
    pub timeout_us: Option<Micros>,
    /// Longest queue, if bounded.
    pub queue_limit: Option<u32>,
    /// In the balancer's membership from the start (else added later by an `add` request).
    pub member: bool,
    /// Initial slow-down factor in thousandths (1000 = normal speed).
    pub slow_permille: u32,
}

impl Default for BackendConfig {
    fn default() -> Self {
        BackendConfig { weight: 1, slots: 4, service: Service::Exponential { mean_us: 20_000 }, timeout_us: None, queue_limit: None, member: true, slow_permille: 1000 }
    }
}

/// A request at a backend.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Job {
    /// The balancer's request id.
    pub rid: u64,
    /// Which attempt of it.
    pub attempt: u32,
    /// Its key.
    pub key: u64,
    /// Its work quantile.
    pub work: u32,
    /// When it reached this backend.
    pub arrived_us: Micros,
}

/// A request in service, and when it will be done.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Running {
    /// The request.
    pub job: Job,
    /// When service ends.
    pub done_us: Micros,
}

/// A running backend.
#[derive(Clone, Debug)]
pub struct Backend {
    /// Its server id (2..).
    pub id: NodeId,
    /// Its slots, each idle or serving one request.
    pub slots: Vec<Option<Running>>,
    /// Requests waiting, oldest first.
    pub queue: VecDeque<Job>,
    /// Current slow-down factor, thousandths.
    pub slow_permille: u32,
    /// Requests served (answered Ok) since boot.
    pub served: u64,
    /// Requests refused (queue deadline passed or queue full) since boot.
    pub refused: u64,
    busy: u32,
    /// Queue length over time.
    pub queue_series: Series,
    /// Busy slots over time.
    pub busy_series: Series,
    /// Time of the latest event handled.
    pub clock_us: Micros,
}

impl Backend {
    /// A fresh backend (at boot or restart).
    pub fn new(id: NodeId, cfg: &BackendConfig, sample_us: Micros, now_us: Micros) -> Self {
        let mut b = Backend {
            id,
            slots: vec![None; cfg.slots as usize],
            queue: VecDeque::new(),
            slow_permille: cfg.slow_permille,
            served: 0,
            refused: 0,
            busy: 0,
            queue_series: Series::new(sample_us),
            busy_series: Series::new(sample_us),
            clock_us: now_us,
        };
        // A restarted backend has no samples of its own before now: they read as zero.
        b.track(now_us);
        b
    }

    /// Busy slots.
    pub fn busy(&self) -> u32 {
        self.busy
    }

    /// Records the values held up to `now_us`, before an event changes them.
    fn track(&mut self, now_us: Micros) {
        self.clock_us = now_us;
        self.queue_series.advance(now_us, self.queue.len() as u32);
        self.busy_series.advance(now_us, self.busy);
    }

    /// A request arrives.
    pub fn on_request(&mut self, p: &Balancer, job: Job, ctx: &mut Ctx<Balancer>) {
        let now = ctx.now();
        self.track(now);
        if let Some(slot) = self.slots.iter().position(Option::is_none) {
            self.start(p, slot, job, ctx);
        } else if p.backend(self.id).queue_limit.is_some_and(|l| self.queue.len() as u32 >= l) {
            self.refused += 1;
            ctx.send_node(1, Msg::Response { rid: job.rid, attempt: job.attempt, status: Status::Full });
        } else {
            self.queue.push_back(job);
        }
    }

    fn start(&mut self, p: &Balancer, slot: usize, job: Job, ctx: &mut Ctx<Balancer>) {
        let base = p.backend(self.id).service.time_us(job.work);
        let t = ((base as u128 * self.slow_permille as u128) / 1000) as Micros;
        let done_us = ctx.now() + t;
        self.slots[slot] = Some(Running { job, done_us });
        self.busy += 1;
        ctx.set_timer(Timer::Finish(slot as u32), t);
    }

    /// Slot `slot` finishes its request: answer it, then take the next one that is still
    /// within its deadline.
    pub fn on_finish(&mut self, p: &Balancer, slot: u32, ctx: &mut Ctx<Balancer>) {
        let now = ctx.now();
        self.track(now);
        let Some(r) = self.slots.get_mut(slot as usize).and_then(Option::take) else {
            return;
        };
        self.busy -= 1;
        self.served += 1;
        ctx.send_node(1, Msg::Response { rid: r.job.rid, attempt: r.job.attempt, status: Status::Ok });
        let timeout = p.backend(self.id).timeout_us;
        while let Some(job) = self.queue.pop_front() {
            if timeout.is_some_and(|t| now - job.arrived_us > t) {
                self.refused += 1;
                ctx.send_node(1, Msg::Response { rid: job.rid, attempt: job.attempt, status: Status::Timeout });
                continue;
            }
            self.start(p, slot as usize, job, ctx);
            break;
        }
    }

    /// The inspector's view.
    pub fn view(&self, p: &Balancer) -> Value {
        let cfg = p.backend(self.id);
        let jobs: Vec<Value> = self.slots.iter().flatten().map(|r| json!({"request": r.job.rid, "key": r.job.key, "attempt": r.job.attempt, "done_ms": to_ms_f64(r.done_us)})).collect();
        json!({
            "role": "backend",
            "slots": self.slots.len(),
            "busy": self.busy,
            "queue": self.queue.len(),
            "queued": self.queue.iter().take(32).map(|j| j.rid).collect::<Vec<_>>(),
            "jobs": jobs,
            "slow": self.slow_permille as f64 / 1000.0,
            "state": if self.slow_permille > 1000 { "slow" } else { "ok" },
            "service": cfg.service.json(),
            "timeout_ms": cfg.timeout_us.map(to_ms_f64),
            "served": self.served,
            "refused": self.refused,
            "clock_ms": to_ms_f64(self.clock_us),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn service_times_have_their_means() {
        let n = 1u64 << 16;
        let mean = |s: Service| (0..n).map(|i| s.time_us((i * (1 << 16)) as u32) as f64).sum::<f64>() / n as f64;
        assert_eq!(mean(Service::Constant { mean_us: 7_000 }), 7_000.0);
        let e = mean(Service::Exponential { mean_us: 10_000 });
        assert!((e - 10_000.0).abs() < 100.0, "{e}");
        let p = mean(Service::Pareto { mean_us: 10_000, alpha_milli: 2_500 });
        assert!((p - 10_000.0).abs() < 500.0, "{p}");
        // Heavy tail: the top 1 % of Pareto(1.5) is far longer than the exponential's.
        let pareto = Service::Pareto { mean_us: 10_000, alpha_milli: 1_500 };
        let expo = Service::Exponential { mean_us: 10_000 };
        assert!(pareto.time_us(1 << 20) > 3 * expo.time_us(1 << 20));
    }
}
