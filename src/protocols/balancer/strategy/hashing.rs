//! Hashing strategies: a key always goes to the same backend while the membership stays the
//! same, and a change of membership moves few keys. Consistent hashing on a ring (plain and with
//! bounded loads), rendezvous hashing and Maglev.

use serde_json::{Value, json};

use super::{BackendIx, Loads, Strategy, backend_hash, key_hash};
use crate::sim::rng::Rng;

/// Most ring points the inspector lists.
pub const RING_VIEW_CAP: usize = 4096;

/// Consistent hashing (Karger, Lehman, Leighton, Panigrahy, Levine and Lewin, "Consistent
/// Hashing and Random Trees", STOC 1997): each backend puts `vnodes × weight` points on a
/// 64-bit ring; a key belongs to the first point at or after its hash, wrapping around. Adding
/// a backend takes from each other backend only the arcs its new points cover: about 1/(n+1)
/// of the keys move, all to the newcomer. More points per backend even out the arcs.
///
/// With `bound` (Mirrokni, Thorup and Zadimoghaddam, "Consistent Hashing with Bounded Loads",
/// SODA 2018; as in HAProxy and Vimeo's deployment): no backend may hold more than
/// c = `bound`/1000 times the mean outstanding load, ⌈c (m + 1) / n⌉ with m requests
/// outstanding over n backends; a key whose backend is full walks on along the ring to the
/// first backend with room.
#[derive(Clone, Debug)]
pub struct Ring {
    vnodes: u32,
    bound: Option<u32>,
    points: Vec<(u64, BackendIx)>,
    members: u64,
}

impl Ring {
    /// A ring of `vnodes` points per backend (per unit of weight), with an optional load bound
    /// in thousandths of the mean.
    pub fn new(vnodes: u32, bound: Option<u32>) -> Self {
        Ring { vnodes: vnodes.max(1), bound, points: Vec::new(), members: 0 }
    }

    /// The sorted (point, backend) pairs.
    pub fn points(&self) -> &[(u64, BackendIx)] {
        &self.points
    }

    /// The points `b` holds while it is eligible, at its weight in `loads`, unsorted. For a
    /// backend that has left the ring they are where its arcs were, so the lab can show where
    /// the keys it lost came from without keeping the ring from before the change.
    pub fn points_of(&self, b: BackendIx, loads: &Loads) -> impl Iterator<Item = u64> + use<> {
        (0..self.vnodes as u64 * loads.weight(b) as u64).map(move |r| backend_hash(b, r))
    }

    fn home(&self, key: u64) -> usize {
        let h = key_hash(key);
        let i = self.points.partition_point(|p| p.0 < h);
        if i == self.points.len() { 0 } else { i }
    }

    /// The most requests a backend may hold under the bound: ⌈c (m + 1) / n⌉.
    pub fn capacity(&self, loads: &Loads) -> u64 {
        let c = self.bound.unwrap_or(u32::MAX) as u64;
        let n = self.members.max(1);
        (c * (loads.total_in_flight() + 1)).div_ceil(1000 * n)
    }
}

impl Strategy for Ring {
    fn rebuild(&mut self, loads: &Loads) {
        self.points.clear();
        for &b in loads.eligible() {
            let points = self.points_of(b, loads);
            self.points.extend(points.map(|p| (p, b)));
        }
        self.points.sort_unstable();
        self.members = loads.eligible().len() as u64;
    }
    fn pick(&mut self, key: u64, loads: &Loads, _rng: &mut Rng) -> Option<BackendIx> {
        if self.points.is_empty() {
            return None;
        }
        let skip = loads.effective_exclude();
        let cap = self.bound.map(|_| self.capacity(loads));
        let start = self.home(key);
        let n = self.points.len();
        let mut fallback = None;
        for i in 0..n {
            let b = self.points[(start + i) % n].1;
            if Some(b) == skip {
                continue;
            }
            match cap {
                Some(cap) if loads.in_flight(b) as u64 + 1 > cap => fallback = fallback.or(Some(b)),
                _ => return Some(b),
            }
        }
        fallback
    }
    fn owner(&self, key: u64) -> Option<BackendIx> {
        self.points.get(self.home(key)).map(|p| p.1)
    }
    fn view(&self, loads: &Loads) -> Value {
        let shown: Vec<Value> = self.points.iter().take(RING_VIEW_CAP).map(|&(p, b)| json!([p >> 32, b])).collect();
        let mut v = json!({"vnodes": self.vnodes, "points": self.points.len(), "ring": shown});
        if let Some(c) = self.bound {
            v["load_factor"] = json!(c as f64 / 1000.0);
            v["capacity"] = json!(self.capacity(loads));
        }
        v
    }
}

/// Rendezvous or highest-random-weight hashing (Thaler and Ravishankar, "Using Name-Based
/// Mappings to Increase Hit Rates", IEEE/ACM ToN 1998): a key goes to the backend with the
/// highest hash of (key, backend). Removing a backend moves exactly its own keys, each to its
/// second choice; adding one moves to it exactly the keys it now wins. One hash per backend
/// per pick: O(n). Weights are not used (the weighted variant needs a logarithm per score).
#[derive(Clone, Debug, Default)]
pub struct Rendezvous {
    members: Vec<(BackendIx, u64)>,
}

impl Rendezvous {
    fn best(&self, key: u64, skip: Option<BackendIx>) -> Option<BackendIx> {
        let k = key_hash(key);
        let mut best: Option<(u64, BackendIx)> = None;
        for &(b, h) in &self.members {
            if Some(b) == skip {
                continue;
            }
            let score = super::mix64(k ^ h);
            if best.is_none_or(|x| (score, b) > x) {
                best = Some((score, b));
            }
        }
        best.map(|x| x.1)
    }
}

impl Strategy for Rendezvous {
    fn rebuild(&mut self, loads: &Loads) {
        self.members = loads.eligible().iter().map(|&b| (b, backend_hash(b, 0x5eed))).collect();
    }
    fn pick(&mut self, key: u64, loads: &Loads, _rng: &mut Rng) -> Option<BackendIx> {
        self.best(key, loads.effective_exclude())
    }
    fn owner(&self, key: u64) -> Option<BackendIx> {
        self.best(key, None)
    }
    fn view(&self, _loads: &Loads) -> Value {
        json!({"members": self.members.len()})
    }
}

/// Maglev hashing (Eisenbud et al., "Maglev: A Fast and Reliable Software Network Load
/// Balancer", NSDI 2016, section 3.4): each backend has a permutation of the M table slots,
/// offset + j·skip mod M (M prime, both from the backend's name hash); backends take turns
/// claiming their next preferred free slot until the table is full. So every backend gets
/// ⌊M/n⌋ or ⌈M/n⌉ slots, a lookup is one table read, and a membership change moves little
/// beyond the keys that must move (the paper's Figure 13 reports a few per cent at M = 65537).
/// Weights are not used.
#[derive(Clone, Debug)]
pub struct Maglev {
    size: u32,
    table: Vec<BackendIx>,
}

impl Maglev {
    /// A table of `size` entries (a prime).
    pub fn new(size: u32) -> Self {
        Maglev { size: size.max(2), table: Vec::new() }
    }

    /// The lookup table, slot → backend (empty with no member).
    pub fn table(&self) -> &[BackendIx] {
        &self.table
    }

    /// Slots held by each backend index (0..n).
    pub fn counts(&self, n: usize) -> Vec<u32> {
        let mut c = vec![0; n];
        for &b in &self.table {
            c[b as usize] += 1;
        }
        c
    }
}

/// Whether `n` is prime (trial division; table sizes are small).
pub fn is_prime(n: u32) -> bool {
    if n < 2 {
        return false;
    }
    let mut d = 2u32;
    while (d as u64) * (d as u64) <= n as u64 {
        if n.is_multiple_of(d) {
            return false;
        }
        d += 1;
    }
    true
}

impl Strategy for Maglev {
    fn rebuild(&mut self, loads: &Loads) {
        let m = self.size as u64;
        let members = loads.eligible();
        self.table.clear();
        if members.is_empty() {
            return;
        }
        let perm: Vec<(u64, u64)> = members.iter().map(|&b| (backend_hash(b, 1) % m, backend_hash(b, 2) % (m - 1) + 1)).collect();
        let mut next = vec![0u64; members.len()];
        let mut entry = vec![u32::MAX; m as usize];
        let mut filled = 0u64;
        'fill: loop {
            for (i, &b) in members.iter().enumerate() {
                let (offset, skip) = perm[i];
                let mut c = (offset + next[i] * skip) % m;
                while entry[c as usize] != u32::MAX {
                    next[i] += 1;
                    c = (offset + next[i] * skip) % m;
                }
                entry[c as usize] = b;
                next[i] += 1;
                filled += 1;
                if filled == m {
                    break 'fill;
                }
            }
        }
        self.table = entry;
    }
    fn pick(&mut self, key: u64, loads: &Loads, _rng: &mut Rng) -> Option<BackendIx> {
        if self.table.is_empty() {
            return None;
        }
        let m = self.table.len();
        let mut slot = (key_hash(key) % m as u64) as usize;
        let skip = loads.effective_exclude();
        for _ in 0..m {
            let b = self.table[slot];
            if Some(b) != skip {
                return Some(b);
            }
            slot = (slot + 1) % m;
        }
        None
    }
    fn owner(&self, key: u64) -> Option<BackendIx> {
        if self.table.is_empty() {
            return None;
        }
        Some(self.table[(key_hash(key) % self.table.len() as u64) as usize])
    }
    fn view(&self, loads: &Loads) -> Value {
        let counts = self.counts(loads.len());
        let entries: Vec<Value> = loads.eligible().iter().map(|&b| json!([b, counts[b as usize]])).collect();
        json!({"table_size": self.size, "entries": entries, "head": self.table.iter().take(64).collect::<Vec<_>>()})
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_ring_maps_every_key_to_a_member_and_keeps_its_points_sorted() {
        let mut l = Loads::new(4);
        l.set_eligible(2, false);
        let mut r = Ring::new(10, None);
        r.rebuild(&l);
        assert_eq!(r.points().len(), 30);
        assert!(r.points().windows(2).all(|w| w[0] <= w[1]));
        for k in 0..1000 {
            assert_ne!(r.owner(k), Some(2));
        }
        l.set_weight(0, 3);
        r.rebuild(&l);
        assert_eq!(r.points().iter().filter(|p| p.1 == 0).count(), 30);
    }

    #[test]
    fn a_backend_that_left_the_ring_still_names_the_points_it_held() {
        let mut l = Loads::new(4);
        l.set_weight(1, 2);
        let mut r = Ring::new(10, None);
        r.rebuild(&l);
        let mut held: Vec<u64> = r.points().iter().filter(|p| p.1 == 1).map(|p| p.0).collect();
        l.set_eligible(1, false);
        r.rebuild(&l);
        assert!(r.points().iter().all(|p| p.1 != 1), "S1 left the ring");
        let mut named: Vec<u64> = r.points_of(1, &l).collect();
        held.sort_unstable();
        named.sort_unstable();
        assert_eq!(named.len(), 20, "10 points per unit of weight");
        assert_eq!(named, held);
    }

    #[test]
    fn bounded_loads_walk_past_a_full_backend() {
        let l0 = Loads::new(3);
        let mut r = Ring::new(50, Some(1000));
        r.rebuild(&l0);
        let key = 17;
        let home = r.owner(key).unwrap();
        let mut l = l0.clone();
        for _ in 0..5 {
            l.add(home);
        }
        // c = 1: capacity ⌈6 / 3⌉ = 2, the home backend holds 5.
        let got = r.pick(key, &l, &mut Rng::stream(1, "t")).unwrap();
        assert_ne!(got, home);
        assert_eq!(r.pick(key, &l0, &mut Rng::stream(1, "t")), Some(home));
    }

    #[test]
    fn maglev_fills_its_table_evenly() {
        assert!(is_prime(65_537) && is_prime(251) && !is_prime(65_536) && !is_prime(1));
        let l = Loads::new(7);
        let mut m = Maglev::new(251);
        m.rebuild(&l);
        let c = m.counts(7);
        assert_eq!(c.iter().sum::<u32>(), 251);
        assert!(c.iter().all(|&x| x == 251 / 7 || x == 251 / 7 + 1), "{c:?}");
    }

    #[test]
    fn rendezvous_moves_only_the_removed_backends_keys() {
        let mut l = Loads::new(5);
        let mut r = Rendezvous::default();
        r.rebuild(&l);
        let before: Vec<_> = (0..2000).map(|k| r.owner(k).unwrap()).collect();
        l.set_eligible(3, false);
        r.rebuild(&l);
        for (k, &b) in before.iter().enumerate() {
            let now = r.owner(k as u64).unwrap();
            assert!(now == b || b == 3, "key {k} moved from S{b} to S{now}");
        }
    }
}
