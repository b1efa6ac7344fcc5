//! Measurements: latency histograms with percentiles, and time series sampled at fixed
//! virtual-time buckets. Both are integers, bounded in size, and cheap enough to update on every
//! request of a million-request run.

use serde_json::{Value, json};

use crate::sim::Micros;
use crate::sim::time::to_ms_f64;

/// Sub-buckets per power of two: latencies are kept to within 1/32 (about 3 %).
const SUB_BITS: u32 = 5;
const SUB: u64 = 1 << SUB_BITS;

/// A log-linear histogram of latencies in µs (HdrHistogram's layout, in miniature): exact
/// below 32 µs, then 32 buckets per power of two. It grows only as far as the largest value.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Histogram {
    counts: Vec<u32>,
    count: u64,
    max_us: Micros,
    sum_us: u128,
}

fn index(v: Micros) -> usize {
    if v < SUB {
        return v as usize;
    }
    let e = 63 - v.leading_zeros();
    let sub = (v >> (e - SUB_BITS)) & (SUB - 1);
    ((e - SUB_BITS + 1) as u64 * SUB + sub) as usize
}

/// The lowest value of bucket `i` and its width.
fn bucket(i: usize) -> (Micros, Micros) {
    let i = i as u64;
    if i < SUB {
        return (i, 1);
    }
    let e = i / SUB + SUB_BITS as u64 - 1;
    let sub = i % SUB;
    let width = 1u64 << (e - SUB_BITS as u64);
    ((SUB + sub) * width, width)
}

impl Histogram {
    /// Records one latency.
    pub fn record(&mut self, v: Micros) {
        let i = index(v);
        if i >= self.counts.len() {
            self.counts.resize(i + 1, 0);
        }
        self.counts[i] += 1;
        self.count += 1;
        self.max_us = self.max_us.max(v);
        self.sum_us += v as u128;
    }

    /// How many latencies were recorded.
    pub fn count(&self) -> u64 {
        self.count
    }

    /// The largest, exactly.
    pub fn max(&self) -> Micros {
        self.max_us
    }

    /// The mean, rounded down.
    pub fn mean(&self) -> Micros {
        if self.count == 0 { 0 } else { (self.sum_us / self.count as u128) as Micros }
    }

    /// The `per_mille`-th permille (500 = median): the middle of the bucket holding the
    /// ceil(count * p / 1000)-th smallest value, never above the maximum; 0 when empty.
    pub fn percentile(&self, per_mille: u64) -> Micros {
        if self.count == 0 {
            return 0;
        }
        let rank = (self.count * per_mille).div_ceil(1000).max(1);
        let mut seen = 0u64;
        for (i, &c) in self.counts.iter().enumerate() {
            seen += c as u64;
            if seen >= rank {
                let (lo, width) = bucket(i);
                return (lo + width / 2).min(self.max_us);
            }
        }
        self.max_us
    }

    /// Adds another histogram's counts.
    pub fn merge(&mut self, other: &Histogram) {
        if other.counts.len() > self.counts.len() {
            self.counts.resize(other.counts.len(), 0);
        }
        for (a, b) in self.counts.iter_mut().zip(&other.counts) {
            *a += b;
        }
        self.count += other.count;
        self.max_us = self.max_us.max(other.max_us);
        self.sum_us += other.sum_us;
    }

    /// `{"p50", "p95", "p99", "max", "mean"}` in milliseconds.
    pub fn json(&self) -> Value {
        json!({
            "p50": to_ms_f64(self.percentile(500)),
            "p95": to_ms_f64(self.percentile(950)),
            "p99": to_ms_f64(self.percentile(990)),
            "max": to_ms_f64(self.max_us),
            "mean": to_ms_f64(self.mean()),
        })
    }
}

/// Most samples a series keeps: when full, it keeps every other one and doubles its bucket, so
/// it always covers the whole run.
pub const SERIES_CAP: usize = 1024;

/// A quantity sampled at times 0, b, 2b, ...: sample i is the value just before any event at
/// time i·b. The owner calls [`Series::advance`] with the value held so far before changing
/// it, so no timer is needed; the bucket b doubles as needed (a function of time alone, so
/// every series of a run ends with the same bucket when filled to the same time).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Series {
    bucket_us: Micros,
    samples: Vec<u32>,
}

impl Series {
    /// An empty series with bucket `bucket_us` (at least 1 µs).
    pub fn new(bucket_us: Micros) -> Self {
        Series { bucket_us: bucket_us.max(1), samples: Vec::new() }
    }

    /// Records that the quantity held `value` up to `now_us` (inclusive of samples due then).
    pub fn advance(&mut self, now_us: Micros, value: u32) {
        loop {
            let next = self.samples.len() as u64 * self.bucket_us;
            if next > now_us {
                return;
            }
            if self.samples.len() == SERIES_CAP {
                self.halve();
                continue;
            }
            self.samples.push(value);
        }
    }

    fn halve(&mut self) {
        let kept: Vec<u32> = self.samples.iter().step_by(2).copied().collect();
        self.samples = kept;
        self.bucket_us *= 2;
    }

    /// The samples so far.
    pub fn samples(&self) -> &[u32] {
        &self.samples
    }

    /// The bucket, µs.
    pub fn bucket_us(&self) -> Micros {
        self.bucket_us
    }

    /// A copy filled up to `now_us` with `value` (the current value), for reports.
    pub fn filled(&self, now_us: Micros, value: u32) -> Series {
        let mut s = self.clone();
        s.advance(now_us, value);
        s
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn buckets_cover_values_in_order() {
        let mut last = 0;
        for v in (0..1_000_000u64).step_by(7).chain([u32::MAX as u64, 1 << 40]) {
            let i = index(v);
            assert!(i >= last);
            last = i;
            let (lo, w) = bucket(i);
            assert!(lo <= v && v < lo + w, "{v} in bucket {i} = [{lo}, {})", lo + w);
            assert!(w == 1 || w * 32 <= lo);
        }
    }

    #[test]
    fn percentiles_are_within_three_percent() {
        let mut h = Histogram::default();
        for v in 1..=10_000u64 {
            h.record(v * 10);
        }
        for (p, want) in [(500, 50_000.0), (950, 95_000.0), (990, 99_000.0)] {
            let got = h.percentile(p) as f64;
            assert!((got - want).abs() / want < 0.03, "p{p}: {got} vs {want}");
        }
        assert_eq!(h.max(), 100_000);
        assert_eq!(h.count(), 10_000);
        assert_eq!(Histogram::default().percentile(990), 0);
        let mut one = Histogram::default();
        one.record(7);
        assert_eq!((one.percentile(500), one.percentile(990)), (7, 7));
    }

    #[test]
    fn series_samples_at_bucket_boundaries_and_doubles_when_full() {
        let mut s = Series::new(10);
        s.advance(0, 5); // sample at 0 = 5
        s.advance(25, 7); // samples at 10, 20 = 7
        assert_eq!(s.samples(), &[5, 7, 7]);
        s.advance(25, 9); // nothing new
        assert_eq!(s.samples().len(), 3);
        let f = s.filled(10 * SERIES_CAP as u64 + 5, 1);
        assert_eq!(f.bucket_us(), 20);
        assert_eq!(f.samples().len(), SERIES_CAP / 2 + 1);
        assert_eq!(&f.samples()[..2], &[5, 7]);
    }
}
