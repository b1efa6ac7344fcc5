//! The workload: when requests arrive, which key each carries, and how much work each is.
//!
//! Arrivals are a Poisson process at `rate_per_s` (exponential gaps, drawn by inverting the
//! CDF with [`fixed::ln`]) or periodic bursts of `size` requests every `every_ms`. Keys are
//! uniform over `0..keys` or Zipf-distributed with skew `s` (key k, 0-based, with probability ∝
//! 1/(k+1)^s), drawn from an integer inverse-CDF table built once. Each request also carries a
//! 32-bit *work quantile*; a backend turns it into a service time through its own distribution,
//! so the same request is equally hard (the same quantile) wherever it lands.
//!
//! The generator owns its random stream, seeded once when the balancer boots and never drawn
//! from by anything else: the requests are a function of the seed alone, whatever the strategy
//! does with them and whatever answers come back — every strategy sees exactly the same
//! requests at the same moments (common random numbers, so comparisons are fair).

use std::sync::Arc;

use super::fixed;
use crate::sim::Micros;
use crate::sim::rng::Rng;

/// How requests arrive.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Arrivals {
    /// A Poisson process: `rate_milli_per_s` / 1000 requests per second on average.
    Poisson {
        /// Rate in thousandths of a request per second.
        rate_milli_per_s: u64,
    },
    /// `size` requests at once every `every_us`, the first at time 0.
    Bursts {
        /// Requests per burst.
        size: u32,
        /// Period.
        every_us: Micros,
    },
    /// None on its own: only `burst` requests in the schedule.
    None,
}

/// How keys are drawn.
#[derive(Clone, Debug, PartialEq)]
pub enum Keys {
    /// Uniform over `0..count`.
    Uniform {
        /// Number of keys.
        count: u64,
    },
    /// Zipf with skew `s` over `0..count`.
    Zipf {
        /// The skew, as written.
        s: f64,
        /// The inverse-CDF table.
        table: Arc<ZipfTable>,
    },
}

impl Keys {
    /// Number of distinct keys.
    pub fn count(&self) -> u64 {
        match self {
            Keys::Uniform { count } => *count,
            Keys::Zipf { table, .. } => table.cumulative.len() as u64,
        }
    }
}

/// The cumulative weights of a Zipf law, scaled to integers: key k is drawn when a uniform
/// draw in `0..total` falls in `[cumulative[k-1], cumulative[k])`.
#[derive(Debug, PartialEq, Eq)]
pub struct ZipfTable {
    cumulative: Vec<u64>,
}

impl ZipfTable {
    /// The table for `count` keys and skew `s` ≥ 0. Weights (k+1)^-s come from [`fixed::exp`]
    /// and [`fixed::ln`], so the table is the same on every platform.
    pub fn new(count: u64, s: f64) -> Self {
        let weights: Vec<f64> = (0..count).map(|k| fixed::exp(-s * fixed::ln((k + 1) as f64))).collect();
        let total: f64 = weights.iter().sum();
        // Scale so that the total is about 2^52: every key keeps a weight of at least 1.
        let scale = (1u64 << 52) as f64 / total;
        let mut sum = 0u64;
        let cumulative = weights
            .iter()
            .map(|w| {
                sum += ((w * scale) as u64).max(1);
                sum
            })
            .collect();
        ZipfTable { cumulative }
    }

    /// A key drawn from the law.
    pub fn draw(&self, rng: &mut Rng) -> u64 {
        let total = *self.cumulative.last().expect("at least one key");
        let r = rng.below(total);
        self.cumulative.partition_point(|&c| c <= r) as u64
    }

    /// The probability of key `k`, in parts per million (for reports).
    pub fn ppm(&self, k: u64) -> u64 {
        let total = *self.cumulative.last().expect("at least one key") as u128;
        let lo = if k == 0 { 0 } else { self.cumulative[k as usize - 1] };
        ((self.cumulative[k as usize] - lo) as u128 * 1_000_000 / total) as u64
    }
}

/// The workload's configuration.
#[derive(Clone, Debug, PartialEq)]
pub struct Workload {
    /// How requests arrive.
    pub arrivals: Arrivals,
    /// How keys are drawn.
    pub keys: Keys,
    /// Stop after this many requests (arrivals and bursts together), if set.
    pub requests: Option<u64>,
    /// A seed for the workload alone, or `None` to take one from the balancer's stream at boot.
    pub seed: Option<u64>,
}

impl Default for Workload {
    fn default() -> Self {
        Workload { arrivals: Arrivals::Poisson { rate_milli_per_s: 200_000 }, keys: Keys::Uniform { count: 1000 }, requests: None, seed: None }
    }
}

/// One request as the workload makes it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Draw {
    /// Its key.
    pub key: u64,
    /// Its work quantile.
    pub work: u32,
}

/// The generator's state.
#[derive(Clone, Debug)]
pub struct Generator {
    rng: Rng,
    /// Requests made so far.
    pub made: u64,
}

impl Generator {
    /// A generator seeded with `seed` (the stream `workload` under it).
    pub fn new(seed: u64) -> Self {
        Generator { rng: Rng::stream(seed, "workload"), made: 0 }
    }

    /// Whether the workload may make another request.
    pub fn more(&self, w: &Workload) -> bool {
        w.requests.is_none_or(|n| self.made < n)
    }

    /// The next request's key and work (the caller checks [`Generator::more`]).
    pub fn draw(&mut self, w: &Workload) -> Draw {
        self.made += 1;
        let key = match &w.keys {
            Keys::Uniform { count } => self.rng.below(*count),
            Keys::Zipf { table, .. } => table.draw(&mut self.rng),
        };
        let work = self.rng.next_u64() as u32;
        Draw { key, work }
    }

    /// The gap to the next Poisson arrival, at least 1 µs.
    pub fn gap_us(&mut self, rate_milli_per_s: u64) -> Micros {
        let u = fixed::unit(self.rng.next_u64() as u32);
        let mean_us = 1e9 / rate_milli_per_s as f64;
        ((-fixed::ln(u) * mean_us) as Micros).max(1)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn zipf_favours_low_keys_by_the_power_law() {
        let t = ZipfTable::new(1000, 1.0);
        let mut rng = Rng::stream(1, "z");
        let mut c = vec![0u32; 1000];
        for _ in 0..200_000 {
            c[t.draw(&mut rng) as usize] += 1;
        }
        // P(k) = 1 / ((k+1) H_1000), H_1000 ≈ 7.485: key 0 about 13.4 %, key 1 half that.
        assert!((26_000..27_500).contains(&c[0]), "{}", c[0]);
        assert!((12_700..14_100).contains(&c[1]), "{}", c[1]);
        assert_eq!(t.ppm(0) / 1000, 133);
        let flat = ZipfTable::new(10, 0.0);
        assert!((0..10).all(|k| flat.ppm(k) == 100_000));
    }

    #[test]
    fn poisson_gaps_have_the_right_mean() {
        let mut g = Generator::new(5);
        let n = 100_000;
        let total: u64 = (0..n).map(|_| g.gap_us(1_000_000)).sum();
        let mean = total as f64 / n as f64;
        assert!((990.0..1010.0).contains(&mean), "{mean}");
    }

    #[test]
    fn the_same_seed_makes_the_same_requests() {
        let w = Workload { keys: Keys::Zipf { s: 1.1, table: Arc::new(ZipfTable::new(100, 1.1)) }, ..Workload::default() };
        let a: Vec<Draw> = {
            let mut g = Generator::new(9);
            (0..50).map(|_| g.draw(&w)).collect()
        };
        let b: Vec<Draw> = {
            let mut g = Generator::new(9);
            (0..50).map(|_| g.draw(&w)).collect()
        };
        assert_eq!(a, b);
    }
}
