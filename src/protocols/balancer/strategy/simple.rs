//! Strategies that ignore load: random, round robin, weighted random and nginx's smooth
//! weighted round robin.

use serde_json::{Value, json};

use super::{BackendIx, Loads, Strategy, uniform};
use crate::sim::rng::Rng;

/// Uniformly at random among the eligible backends.
#[derive(Clone, Debug, Default)]
pub struct RandomPick;

impl Strategy for RandomPick {
    fn rebuild(&mut self, _loads: &Loads) {}
    fn pick(&mut self, _key: u64, loads: &Loads, rng: &mut Rng) -> Option<BackendIx> {
        uniform(loads, rng)
    }
}

/// Each eligible backend in turn, in index order: over any run of picks the counts differ by
/// at most one.
#[derive(Clone, Debug, Default)]
pub struct RoundRobin {
    next: usize,
}

impl Strategy for RoundRobin {
    fn rebuild(&mut self, _loads: &Loads) {}
    fn pick(&mut self, _key: u64, loads: &Loads, _rng: &mut Rng) -> Option<BackendIx> {
        let list = loads.eligible();
        if list.is_empty() {
            return None;
        }
        let skip = loads.effective_exclude();
        loop {
            let b = list[self.next % list.len()];
            self.next = (self.next + 1) % list.len();
            if Some(b) != skip {
                return Some(b);
            }
        }
    }
    fn view(&self, _loads: &Loads) -> Value {
        json!({"next": self.next})
    }
}

/// At random, each eligible backend with probability weight / total weight: a draw in
/// 0..total and a binary search over the cumulative weights.
#[derive(Clone, Debug, Default)]
pub struct WeightedRandom {
    cumulative: Vec<u64>,
    ids: Vec<BackendIx>,
}

impl Strategy for WeightedRandom {
    fn rebuild(&mut self, loads: &Loads) {
        self.ids = loads.eligible().to_vec();
        let mut sum = 0;
        self.cumulative = self
            .ids
            .iter()
            .map(|&b| {
                sum += loads.weight(b) as u64;
                sum
            })
            .collect();
    }
    fn pick(&mut self, _key: u64, loads: &Loads, rng: &mut Rng) -> Option<BackendIx> {
        let total = *self.cumulative.last()?;
        let skip = loads.effective_exclude();
        // Rejection of the excluded backend: at most a few redraws, then any other one.
        for _ in 0..32 {
            let r = rng.below(total);
            let i = self.cumulative.partition_point(|&c| c <= r);
            if Some(self.ids[i]) != skip {
                return Some(self.ids[i]);
            }
        }
        self.ids.iter().copied().find(|&b| Some(b) != skip)
    }
    fn view(&self, _loads: &Loads) -> Value {
        json!({"total_weight": self.cumulative.last().copied().unwrap_or(0)})
    }
}

/// nginx's smooth weighted round robin (Maxim Dounin, nginx commit 52327e0, 2012,
/// `ngx_http_upstream_get_peer`): every pick adds each eligible backend's weight to its
/// `current`, takes the backend with the largest `current` (the first on a tie) and subtracts
/// the total weight from it. Weights 5, 1, 1 give a a b a c a a: the heavy backend's turns
/// are spread out rather than bunched, and every cycle of `total` picks matches the weights
/// exactly.
#[derive(Clone, Debug, Default)]
pub struct SmoothWrr {
    current: Vec<i64>,
}

impl Strategy for SmoothWrr {
    fn rebuild(&mut self, loads: &Loads) {
        // A new peer set starts from zero, as nginx does on reload.
        self.current = vec![0; loads.len()];
    }
    fn pick(&mut self, _key: u64, loads: &Loads, _rng: &mut Rng) -> Option<BackendIx> {
        let skip = loads.effective_exclude();
        let mut total = 0i64;
        let mut best: Option<BackendIx> = None;
        for &b in loads.eligible() {
            if Some(b) == skip {
                continue;
            }
            let w = loads.weight(b) as i64;
            self.current[b as usize] += w;
            total += w;
            let c = self.current[b as usize];
            if best.is_none_or(|x| c > self.current[x as usize]) {
                best = Some(b);
            }
        }
        let b = best?;
        self.current[b as usize] -= total;
        Some(b)
    }
    fn view(&self, loads: &Loads) -> Value {
        json!({"current": loads.eligible().iter().map(|&b| json!([b, self.current[b as usize]])).collect::<Vec<_>>()})
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn picks(s: &mut impl Strategy, loads: &Loads, n: usize) -> Vec<BackendIx> {
        let mut rng = Rng::stream(1, "t");
        (0..n).map(|k| s.pick(k as u64, loads, &mut rng).unwrap()).collect()
    }

    #[test]
    fn round_robin_takes_turns_and_skips_the_excluded() {
        let mut l = Loads::new(3);
        let mut rr = RoundRobin::default();
        assert_eq!(picks(&mut rr, &l, 7), [0, 1, 2, 0, 1, 2, 0]);
        l.exclude = Some(2);
        assert_eq!(picks(&mut rr, &l, 3), [1, 0, 1]);
    }

    #[test]
    fn smooth_wrr_gives_nginx_sequence_for_5_1_1() {
        let mut l = Loads::new(3);
        l.set_weight(0, 5);
        let mut s = SmoothWrr::default();
        s.rebuild(&l);
        let seq: String = picks(&mut s, &l, 14).iter().map(|&b| (b'a' + b as u8) as char).collect();
        assert_eq!(seq, "aabacaaaabacaa");
    }

    #[test]
    fn weighted_random_follows_the_weights() {
        let mut l = Loads::new(3);
        l.set_weight(1, 3);
        let mut s = WeightedRandom::default();
        s.rebuild(&l);
        let mut count = [0; 3];
        for b in picks(&mut s, &l, 50_000) {
            count[b as usize] += 1;
        }
        assert!((29_000..31_000).contains(&count[1]), "{count:?}");
        assert!((9_000..11_000).contains(&count[0]) && (9_000..11_000).contains(&count[2]), "{count:?}");
    }
}
