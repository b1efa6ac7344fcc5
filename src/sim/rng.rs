//! Seeded randomness. One root seed fans out to named streams (`network`, `node/3`, `client/1`,
//! `schedule`), so a new draw in one subsystem never shifts the draws of another: adding a
//! client request does not change which messages the network drops.
//!
//! The generator is named and pinned (Xoshiro256++ from `rand_xoshiro`), never `SmallRng`,
//! whose algorithm differs between 64-bit hosts and wasm32. Sampling is done here with integer
//! arithmetic (Lemire's bounded draw with rejection), not with `rand`'s distributions, whose code
//! may change between releases; the golden vectors below catch any drift.

use rand::{Rng as _, SeedableRng};
use rand_xoshiro::Xoshiro256PlusPlus;

/// Parts per million: probabilities as integer ratios, so deciding an event never rounds
/// differently on another platform.
pub type Ppm = u32;

/// One million: a probability of 1 in [`Ppm`].
pub const PPM_ONE: Ppm = 1_000_000;

/// A deterministic random stream.
#[derive(Clone, Debug)]
pub struct Rng(Xoshiro256PlusPlus);

impl Rng {
    /// The stream called `name` under the root `seed`.
    pub fn stream(seed: u64, name: &str) -> Self {
        Rng(Xoshiro256PlusPlus::seed_from_u64(splitmix64(seed ^ fnv1a64(name.as_bytes()))))
    }

    /// A raw 64-bit draw.
    pub fn next_u64(&mut self) -> u64 {
        self.0.next_u64()
    }

    /// A uniform draw in `0..n`; `n` must be positive.
    pub fn below(&mut self, n: u64) -> u64 {
        assert!(n > 0, "Rng::below(0)");
        // Lemire, "Fast Random Integer Generation in an Interval" (2019): multiply-shift with a
        // rejection zone, so the result is exactly uniform.
        let threshold = n.wrapping_neg() % n;
        loop {
            let product = (self.next_u64() as u128) * (n as u128);
            if (product as u64) >= threshold {
                return (product >> 64) as u64;
            }
        }
    }

    /// A uniform draw in `lo..=hi`; returns `lo` when `hi <= lo`.
    pub fn range_inclusive(&mut self, lo: u64, hi: u64) -> u64 {
        if hi <= lo {
            return lo;
        }
        match (hi - lo).checked_add(1) {
            Some(span) => lo + self.below(span),
            None => self.next_u64(),
        }
    }

    /// True with probability `p` parts per million.
    pub fn chance(&mut self, p: Ppm) -> bool {
        p > 0 && (p >= PPM_ONE || self.below(PPM_ONE as u64) < p as u64)
    }
}

/// FNV-1a, 64 bits: a stable, dependency-free hash for stream names and trace digests.
pub fn fnv1a64(bytes: &[u8]) -> u64 {
    let mut h = Fnv1a::new();
    h.write(bytes);
    h.finish()
}

/// An incremental FNV-1a 64 hasher.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Fnv1a(u64);

impl Fnv1a {
    /// The FNV-1a 64 offset basis.
    pub const fn new() -> Self {
        Fnv1a(0xcbf2_9ce4_8422_2325)
    }
    /// Feeds bytes.
    pub fn write(&mut self, bytes: &[u8]) {
        for &b in bytes {
            self.0 ^= b as u64;
            self.0 = self.0.wrapping_mul(0x0000_0100_0000_01b3);
        }
    }
    /// The digest so far.
    pub fn finish(&self) -> u64 {
        self.0
    }
}

impl Default for Fnv1a {
    fn default() -> Self {
        Self::new()
    }
}

impl std::fmt::Write for Fnv1a {
    fn write_str(&mut self, s: &str) -> std::fmt::Result {
        self.write(s.as_bytes());
        Ok(())
    }
}

fn splitmix64(mut z: u64) -> u64 {
    z = z.wrapping_add(0x9e37_79b9_7f4a_7c15);
    z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    z ^ (z >> 31)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Golden vectors: if the generator, the seeding or the sampling ever changes (a crate
    /// upgrade, a refactor), every stored trace digest would silently change with it.
    #[test]
    fn golden_vectors_are_stable() {
        let mut r = Rng::stream(7, "network");
        let draws: Vec<u64> = (0..4).map(|_| r.below(1000)).collect();
        assert_eq!(draws, GOLDEN_NETWORK_7);
    }

    /// The published FNV-1a 64 test vectors.
    #[test]
    fn fnv1a_matches_reference_vectors() {
        assert_eq!(fnv1a64(b""), 0xcbf2_9ce4_8422_2325);
        assert_eq!(fnv1a64(b"a"), 0xaf63_dc4c_8601_ec8c);
        assert_eq!(fnv1a64(b"foobar"), 0x8594_4171_f739_67e8);
    }

    const GOLDEN_NETWORK_7: [u64; 4] = [572, 10, 299, 238];

    #[test]
    fn streams_are_independent_and_seeded() {
        let a: Vec<u64> = {
            let mut r = Rng::stream(1, "a");
            (0..8).map(|_| r.next_u64()).collect()
        };
        let a2: Vec<u64> = {
            let mut r = Rng::stream(1, "a");
            (0..8).map(|_| r.next_u64()).collect()
        };
        let b: Vec<u64> = {
            let mut r = Rng::stream(1, "b");
            (0..8).map(|_| r.next_u64()).collect()
        };
        let a_other_seed: Vec<u64> = {
            let mut r = Rng::stream(2, "a");
            (0..8).map(|_| r.next_u64()).collect()
        };
        assert_eq!(a, a2);
        assert_ne!(a, b);
        assert_ne!(a, a_other_seed);
    }

    #[test]
    fn bounded_draws_stay_in_range_and_cover_it() {
        let mut r = Rng::stream(3, "t");
        let mut seen = [0u32; 7];
        for _ in 0..7_000 {
            let x = r.range_inclusive(10, 16);
            assert!((10..=16).contains(&x));
            seen[(x - 10) as usize] += 1;
        }
        assert!(seen.iter().all(|&c| (800..1200).contains(&c)), "{seen:?}");
        assert_eq!(r.range_inclusive(5, 5), 5);
        assert_eq!(r.range_inclusive(9, 2), 9);
    }

    #[test]
    fn chance_respects_its_extremes_and_rate() {
        let mut r = Rng::stream(4, "t");
        assert!((0..1000).all(|_| !r.chance(0)));
        assert!((0..1000).all(|_| r.chance(PPM_ONE)));
        let hits = (0..100_000).filter(|_| r.chance(250_000)).count();
        assert!((24_000..26_000).contains(&hits), "{hits}");
    }
}
