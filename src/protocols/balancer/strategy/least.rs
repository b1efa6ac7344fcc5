//! Strategies that look at load: least connections (plain and weighted), the power of two
//! random choices, and peak-EWMA least response time.

use serde_json::{Value, json};

use super::{BackendIx, Loads, Strategy, uniform};
use crate::protocols::balancer::fixed::decay_q32;
use crate::sim::Micros;
use crate::sim::rng::Rng;
use crate::sim::time::to_ms_f64;

/// `a` is less loaded than `b`: fewer outstanding requests, or with weights fewer per unit of
/// weight (nginx's `conns_a * weight_b < conns_b * weight_a`, integers only).
fn lighter(loads: &Loads, a: BackendIx, b: BackendIx, weighted: bool) -> bool {
    let (fa, fb) = (loads.in_flight(a) as u64, loads.in_flight(b) as u64);
    if weighted { fa * (loads.weight(b) as u64) < fb * (loads.weight(a) as u64) } else { fa < fb }
}

/// The backend with the fewest outstanding requests (HAProxy's and nginx's `least_conn`).
/// Ties go round robin: the scan starts one place further each pick, so idle backends share
/// a light load instead of the first one taking it all.
#[derive(Clone, Debug)]
pub struct LeastConn {
    weighted: bool,
    start: usize,
}

impl LeastConn {
    /// Plain, or weighted.
    pub fn new(weighted: bool) -> Self {
        LeastConn { weighted, start: 0 }
    }
}

impl Strategy for LeastConn {
    fn rebuild(&mut self, _loads: &Loads) {}
    fn pick(&mut self, _key: u64, loads: &Loads, _rng: &mut Rng) -> Option<BackendIx> {
        let list = loads.eligible();
        let n = list.len();
        if n == 0 {
            return None;
        }
        let skip = loads.effective_exclude();
        let start = self.start % n;
        self.start = (start + 1) % n;
        let flights = loads.in_flight_all();
        let weights = loads.weights();
        // The scan from `start` round the list, as two plain slices (the hot loop of the
        // million-request benchmark).
        let (tail, head) = (&list[start..], &list[..start]);
        let mut best: Option<BackendIx> = None;
        let (mut best_f, mut best_w) = (u64::MAX, 1u64);
        for &b in tail.iter().chain(head) {
            if Some(b) == skip {
                continue;
            }
            let f = flights[b as usize] as u64;
            let better = if self.weighted {
                let w = weights[b as usize] as u64;
                best.is_none() || f * best_w < best_f * w
            } else {
                f < best_f
            };
            if better {
                best = Some(b);
                best_f = f;
                best_w = weights[b as usize] as u64;
            }
        }
        best
    }
    fn view(&self, _loads: &Loads) -> Value {
        json!({"weighted": self.weighted})
    }
}

/// Two distinct backends drawn uniformly; the one with fewer outstanding requests (per unit
/// of weight) wins, the first drawn on a tie (Mitzenmacher, "The Power of Two Choices in
/// Randomized Load Balancing", 2001). With n requests into n bins the fullest holds
/// ln ln n / ln 2 + O(1) instead of about ln n / ln ln n.
#[derive(Clone, Debug, Default)]
pub struct TwoChoices;

/// Two distinct allowed backends, or one if only one is allowed.
pub(crate) fn two(loads: &Loads, rng: &mut Rng) -> Option<(BackendIx, BackendIx)> {
    let list = loads.eligible();
    let skip = loads.effective_exclude();
    let n = list.len() - usize::from(skip.is_some());
    if n == 0 {
        return None;
    }
    let a = uniform(loads, rng)?;
    if n == 1 {
        return Some((a, a));
    }
    // The second among the allowed minus the first: draw over n - 1 slots and step over both.
    let mut i = rng.below(n as u64 - 1) as usize;
    let mut out = None;
    for &b in list {
        if Some(b) == skip || b == a {
            continue;
        }
        if i == 0 {
            out = Some(b);
            break;
        }
        i -= 1;
    }
    Some((a, out.expect("n - 1 others")))
}

impl Strategy for TwoChoices {
    fn rebuild(&mut self, _loads: &Loads) {}
    fn pick(&mut self, _key: u64, loads: &Loads, rng: &mut Rng) -> Option<BackendIx> {
        let (a, b) = two_fast(loads, rng)?;
        Some(if lighter(loads, b, a, true) { b } else { a })
    }
}

/// [`two`] without a walk over the list when nothing is excluded (the common case).
fn two_fast(loads: &Loads, rng: &mut Rng) -> Option<(BackendIx, BackendIx)> {
    let list = loads.eligible();
    if loads.effective_exclude().is_some() || list.len() < 2 {
        return two(loads, rng);
    }
    let n = list.len() as u64;
    let i = rng.below(n);
    let mut j = rng.below(n - 1);
    if j >= i {
        j += 1;
    }
    Some((list[i as usize], list[j as usize]))
}

/// Peak-EWMA (Finagle's `PeakEwma` balancer, Twitter 2016; Linkerd's and tower's
/// `PeakEwma`): each backend's latency estimate jumps up at once to any slower response (the
/// peak) and decays toward faster ones with time constant τ, e^(-Δt/τ) computed in fixed
/// point; its cost is estimate × (outstanding + 1). Like Finagle and Linkerd it compares two
/// random choices; `all` scans every backend instead (least response time proper).
#[derive(Clone, Debug)]
pub struct PeakEwma {
    estimate_us: Vec<u64>,
    stamp_us: Vec<Micros>,
    decay_us: Micros,
    default_rtt_us: Micros,
    all: bool,
}

impl PeakEwma {
    /// Estimates of `n` backends, all `default_rtt_us` to begin with.
    pub fn new(n: usize, decay_us: Micros, default_rtt_us: Micros, all: bool) -> Self {
        PeakEwma { estimate_us: vec![default_rtt_us; n], stamp_us: vec![0; n], decay_us, default_rtt_us, all }
    }

    /// `b`'s estimate decayed to `now_us` (toward zero: a backend not heard from for a while
    /// looks cheaper, so it is tried again).
    pub fn estimate(&self, b: BackendIx, now_us: Micros) -> u64 {
        let i = b as usize;
        let d = decay_q32(now_us.saturating_sub(self.stamp_us[i]), self.decay_us);
        ((self.estimate_us[i] as u128 * d as u128) >> 32) as u64
    }

    fn cost(&self, loads: &Loads, b: BackendIx) -> u128 {
        self.estimate(b, loads.now_us) as u128 * (loads.in_flight(b) as u128 + 1)
    }
}

impl Strategy for PeakEwma {
    fn rebuild(&mut self, loads: &Loads) {
        if self.estimate_us.len() < loads.len() {
            self.estimate_us.resize(loads.len(), self.default_rtt_us);
            self.stamp_us.resize(loads.len(), loads.now_us);
        }
    }
    fn pick(&mut self, _key: u64, loads: &Loads, rng: &mut Rng) -> Option<BackendIx> {
        if !self.all {
            let (a, b) = two_fast(loads, rng)?;
            return Some(if self.cost(loads, b) < self.cost(loads, a) { b } else { a });
        }
        let skip = loads.effective_exclude();
        let mut best: Option<(u128, u32, BackendIx)> = None;
        for &b in loads.eligible() {
            if Some(b) == skip {
                continue;
            }
            let c = (self.cost(loads, b), loads.in_flight(b), b);
            if best.is_none_or(|x| c < x) {
                best = Some(c);
            }
        }
        best.map(|x| x.2)
    }
    fn on_response(&mut self, b: BackendIx, rtt_us: Micros, now_us: Micros) {
        let i = b as usize;
        let d = decay_q32(now_us.saturating_sub(self.stamp_us[i]), self.decay_us) as u128;
        let old = self.estimate_us[i] as u128;
        let rtt = rtt_us as u128;
        self.estimate_us[i] = if rtt > old { rtt_us } else { ((old * d + rtt * ((1u128 << 32) - d)) >> 32) as u64 };
        self.stamp_us[i] = now_us;
    }
    fn view(&self, loads: &Loads) -> Value {
        let est: Vec<Value> = loads.eligible().iter().map(|&b| json!([b, to_ms_f64(self.estimate(b, loads.now_us))])).collect();
        json!({"estimate_ms": est, "decay_ms": to_ms_f64(self.decay_us), "choices": if self.all { "all" } else { "two" }})
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn least_conn_takes_the_emptiest_and_rotates_ties() {
        let mut l = Loads::new(3);
        let mut s = LeastConn::new(false);
        let mut rng = Rng::stream(1, "t");
        let first: Vec<_> = (0..3).map(|_| s.pick(0, &l, &mut rng).unwrap()).collect();
        assert_eq!(first, [0, 1, 2], "idle backends take turns");
        l.add(0);
        l.add(2);
        assert_eq!(s.pick(0, &l, &mut rng), Some(1));
        l.add(1);
        l.add(1);
        assert_eq!(s.pick(0, &l, &mut rng).map(|b| b != 1), Some(true));
    }

    #[test]
    fn weighted_least_conn_divides_by_weight() {
        let mut l = Loads::new(2);
        l.set_weight(1, 4);
        for _ in 0..3 {
            l.add(1);
        }
        l.add(0);
        let mut s = LeastConn::new(true);
        // 1/1 against 3/4: the heavier backend is lighter per unit of weight.
        assert_eq!(s.pick(0, &l, &mut Rng::stream(1, "t")), Some(1));
    }

    #[test]
    fn two_choices_takes_the_lighter_of_two_distinct() {
        let mut l = Loads::new(2);
        l.add(0);
        let mut rng = Rng::stream(3, "t");
        for _ in 0..50 {
            assert_eq!(TwoChoices.pick(0, &l, &mut rng), Some(1));
        }
        l.exclude = Some(1);
        assert_eq!(TwoChoices.pick(0, &l, &mut rng), Some(0));
    }

    #[test]
    fn peak_ewma_jumps_to_peaks_and_decays() {
        let mut s = PeakEwma::new(2, 1_000_000, 10_000, true);
        s.on_response(0, 50_000, 0);
        assert_eq!(s.estimate(0, 0), 50_000, "the peak is taken at once");
        s.on_response(0, 10_000, 1);
        assert!(s.estimate(0, 1) > 49_000, "a fast response barely moves it right away");
        let later = s.estimate(0, 1_000_001);
        assert!((18_000..19_000).contains(&later), "decays by e^-1 in τ: {later}");
        let l = Loads { now_us: 1, ..Loads::new(2) };
        assert_eq!(s.pick(0, &l, &mut Rng::stream(1, "t")), Some(1));
    }
}
