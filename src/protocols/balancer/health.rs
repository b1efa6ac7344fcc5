//! Active health checks, as HAProxy and Envoy do them: every `interval` the balancer sends each
//! backend a probe; a probe still unanswered when the next one is due counts as a failure.
//! `fall` failures in a row mark a healthy backend down, `rise` answers in a row mark a down
//! one up again. Between a crash and the `fall`-th missed probe the balancer still sends the
//! backend requests: they are lost, and its request timeout fails or retries them.

use serde_json::{Value, json};

use crate::sim::Micros;
use crate::sim::time::to_ms_f64;

/// Health-check settings.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct HealthConfig {
    /// Probe period; 0 disables health checks (every backend stays healthy).
    pub interval_us: Micros,
    /// Consecutive missed probes that mark a backend down.
    pub fall: u32,
    /// Consecutive answered probes that mark it up again.
    pub rise: u32,
}

impl Default for HealthConfig {
    fn default() -> Self {
        HealthConfig { interval_us: 500_000, fall: 2, rise: 1 }
    }
}

/// What the balancer believes of one backend.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Check {
    /// Believed up.
    pub healthy: bool,
    /// Consecutive misses.
    pub fails: u32,
    /// Consecutive answers.
    pub oks: u32,
    /// The probe awaiting an answer.
    pub waiting: Option<u64>,
}

/// A change of belief.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Verdict {
    /// Marked down.
    Down,
    /// Marked up.
    Up,
}

/// Health of every backend (index 0..n).
#[derive(Clone, Debug)]
pub struct Health {
    /// Per backend.
    pub checks: Vec<Check>,
    /// Probes sent so far (a probe's number).
    pub probes: u64,
}

impl Health {
    /// `n` backends believed healthy.
    pub fn new(n: usize) -> Self {
        Health { checks: vec![Check { healthy: true, fails: 0, oks: 0, waiting: None }; n], probes: 0 }
    }

    /// A probe round is due for backend `b`: counts a miss if the last probe is unanswered,
    /// returns the new probe's number and any change of belief.
    pub fn tick(&mut self, b: usize, cfg: &HealthConfig) -> (u64, Option<Verdict>) {
        let c = &mut self.checks[b];
        let mut verdict = None;
        if c.waiting.is_some() {
            c.fails += 1;
            c.oks = 0;
            if c.healthy && c.fails >= cfg.fall {
                c.healthy = false;
                verdict = Some(Verdict::Down);
            }
        }
        self.probes += 1;
        c.waiting = Some(self.probes);
        (self.probes, verdict)
    }

    /// An answer to probe `seq` from backend `b`.
    pub fn answer(&mut self, b: usize, seq: u64, cfg: &HealthConfig) -> Option<Verdict> {
        let c = &mut self.checks[b];
        if c.waiting != Some(seq) {
            return None;
        }
        c.waiting = None;
        c.fails = 0;
        c.oks += 1;
        if !c.healthy && c.oks >= cfg.rise {
            c.healthy = true;
            return Some(Verdict::Up);
        }
        None
    }

    /// One backend's check, as JSON.
    pub fn view(&self, b: usize) -> Value {
        let c = &self.checks[b];
        json!({"healthy": c.healthy, "fails": c.fails, "oks": c.oks, "waiting": c.waiting.is_some()})
    }
}

/// The settings as scenario JSON.
pub fn config_json(c: &HealthConfig) -> Value {
    json!({"interval_ms": to_ms_f64(c.interval_us), "fall": c.fall, "rise": c.rise})
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fall_misses_mark_down_and_rise_answers_mark_up() {
        let cfg = HealthConfig { interval_us: 100, fall: 2, rise: 2 };
        let mut h = Health::new(1);
        let (p1, v) = h.tick(0, &cfg);
        assert_eq!(v, None);
        assert_eq!(h.answer(0, p1, &cfg), None);
        let (_, v) = h.tick(0, &cfg); // unanswered
        assert_eq!(v, None);
        let (_, v) = h.tick(0, &cfg); // 1 miss
        assert_eq!(v, None);
        let (p4, v) = h.tick(0, &cfg); // 2 misses: down
        assert_eq!(v, Some(Verdict::Down));
        assert_eq!(h.answer(0, p4 - 1, &cfg), None, "a stale answer counts for nothing");
        assert_eq!(h.answer(0, p4, &cfg), None, "one answer of two");
        let (p5, _) = h.tick(0, &cfg);
        assert_eq!(h.answer(0, p5, &cfg), Some(Verdict::Up));
    }
}
