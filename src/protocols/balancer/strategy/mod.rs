//! The twelve strategies, behind one trait. A strategy sees the balancer's own knowledge of
//! the backends ([`Loads`]: who is eligible — a member and healthy — their weights and the
//! requests it has outstanding at each) and picks one for a request's key, drawing any
//! randomness from the balancer's engine-owned stream.
//!
//! Backends are numbered by index here, 0..n (backend index b is server S(b+2) in a run), so
//! the strategies can be driven directly, without the engine, by the known-result tests (a
//! hundred thousand backends for balls into bins). Hashing strategies also answer
//! [`Strategy::owner`]: the backend a key maps to, a pure function of the key and the member
//! set, used to count the keys that move on a membership change.

pub mod hashing;
pub mod least;
pub mod simple;

use serde_json::{Value, json};

use crate::sim::Micros;
use crate::sim::rng::Rng;

pub use hashing::{Maglev, Rendezvous, Ring};
pub use least::{LeastConn, PeakEwma, TwoChoices};
pub use simple::{RandomPick, RoundRobin, SmoothWrr, WeightedRandom};

/// A backend's index, 0..n.
pub type BackendIx = u32;

/// The murmur3/splitmix64 finalizer: a fixed, portable 64-bit mix (never `std`'s
/// `DefaultHasher`, whose algorithm is unspecified and may change).
pub const fn mix64(mut z: u64) -> u64 {
    z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    z ^ (z >> 31)
}

/// A key's hash, the position of the key on a ring or in a table.
pub const fn key_hash(key: u64) -> u64 {
    mix64(key.wrapping_add(0x9e37_79b9_7f4a_7c15))
}

/// A backend's name hash with a salt (a virtual node's replica number, a Maglev seed).
pub const fn backend_hash(b: BackendIx, salt: u64) -> u64 {
    mix64(mix64((b as u64).wrapping_add(0x632b_e59b_d9b4_e019)) ^ salt.wrapping_mul(0xd6e8_feb8_6659_fd93))
}

/// What the balancer knows of its backends, as strategies see it.
#[derive(Clone, Debug)]
pub struct Loads {
    in_flight: Vec<u32>,
    weight: Vec<u32>,
    is_eligible: Vec<bool>,
    eligible: Vec<BackendIx>,
    total_in_flight: u64,
    /// A backend to avoid for this pick (the one a retried request just failed at), if any
    /// other is eligible.
    pub exclude: Option<BackendIx>,
    /// The current time (peak-EWMA decays its estimates to it).
    pub now_us: Micros,
}

impl Loads {
    /// `n` eligible backends of weight 1 with nothing outstanding.
    pub fn new(n: usize) -> Self {
        Loads { in_flight: vec![0; n], weight: vec![1; n], is_eligible: vec![true; n], eligible: (0..n as u32).collect(), total_in_flight: 0, exclude: None, now_us: 0 }
    }
    /// Number of backends, eligible or not.
    pub fn len(&self) -> usize {
        self.in_flight.len()
    }
    /// Whether there are no backends at all.
    pub fn is_empty(&self) -> bool {
        self.in_flight.is_empty()
    }
    /// The eligible backends, in index order.
    pub fn eligible(&self) -> &[BackendIx] {
        &self.eligible
    }
    /// Whether `b` is eligible.
    pub fn is_eligible(&self, b: BackendIx) -> bool {
        self.is_eligible[b as usize]
    }
    /// Requests outstanding at `b`.
    pub fn in_flight(&self, b: BackendIx) -> u32 {
        self.in_flight[b as usize]
    }
    /// Requests outstanding at every backend, by index.
    pub fn in_flight_all(&self) -> &[u32] {
        &self.in_flight
    }
    /// Weights of every backend, by index.
    pub fn weights(&self) -> &[u32] {
        &self.weight
    }
    /// Requests outstanding in all.
    pub fn total_in_flight(&self) -> u64 {
        self.total_in_flight
    }
    /// `b`'s weight (at least 1).
    pub fn weight(&self, b: BackendIx) -> u32 {
        self.weight[b as usize]
    }
    /// One more request outstanding at `b`.
    pub fn add(&mut self, b: BackendIx) {
        self.in_flight[b as usize] += 1;
        self.total_in_flight += 1;
    }
    /// One request fewer outstanding at `b`.
    pub fn remove(&mut self, b: BackendIx) {
        let f = &mut self.in_flight[b as usize];
        if *f > 0 {
            *f -= 1;
            self.total_in_flight -= 1;
        }
    }
    /// Makes `b` eligible or not; the caller then rebuilds the strategy.
    pub fn set_eligible(&mut self, b: BackendIx, on: bool) {
        if self.is_eligible[b as usize] == on {
            return;
        }
        self.is_eligible[b as usize] = on;
        self.eligible = (0..self.len() as u32).filter(|&i| self.is_eligible[i as usize]).collect();
    }
    /// Sets `b`'s weight (at least 1); the caller then rebuilds the strategy.
    pub fn set_weight(&mut self, b: BackendIx, w: u32) {
        self.weight[b as usize] = w.max(1);
    }
    /// Whether `b` may take this pick: eligible and not excluded.
    pub fn allowed(&self, b: BackendIx) -> bool {
        self.is_eligible[b as usize] && self.exclude != Some(b)
    }
    /// The excluded backend, when it is eligible and another one is too (an exclusion that
    /// would leave nothing is ignored).
    pub fn effective_exclude(&self) -> Option<BackendIx> {
        self.exclude.filter(|&x| self.is_eligible[x as usize] && self.eligible.len() > 1)
    }
}

/// A load-balancing strategy.
pub trait Strategy {
    /// The membership or the weights changed: rebuild whatever depends on them.
    fn rebuild(&mut self, loads: &Loads);
    /// The backend for a request with `key`, or `None` if no backend is eligible.
    fn pick(&mut self, key: u64, loads: &Loads, rng: &mut Rng) -> Option<BackendIx>;
    /// A response from `b` took `rtt_us` (peak-EWMA learns from it).
    fn on_response(&mut self, _b: BackendIx, _rtt_us: Micros, _now_us: Micros) {}
    /// The backend a key maps to, for hashing strategies; `None` for the others.
    fn owner(&self, _key: u64) -> Option<BackendIx> {
        None
    }
    /// The strategy's state for the inspector.
    fn view(&self, _loads: &Loads) -> Value {
        json!({})
    }
}

/// Which strategy, with its parameters, as a scenario's `config.strategy` names it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum StrategyConfig {
    /// Uniformly at random.
    Random,
    /// In turn.
    RoundRobin,
    /// At random in proportion to weight.
    WeightedRandom,
    /// nginx's smooth weighted round robin.
    SmoothWrr,
    /// Fewest outstanding requests.
    LeastConn,
    /// Fewest outstanding requests per unit of weight.
    WeightedLeastConn,
    /// The less loaded of two random choices.
    TwoChoices,
    /// Lowest peak-EWMA latency times (outstanding + 1), among two random choices (Finagle,
    /// Linkerd) or, with `all`, among every eligible backend.
    PeakEwma {
        /// Decay time constant τ.
        decay_us: Micros,
        /// The estimate of a backend never heard from.
        default_rtt_us: Micros,
        /// Scan every backend instead of two random choices.
        all: bool,
    },
    /// A consistent-hashing ring with `vnodes` points per unit of weight.
    RingHash {
        /// Virtual nodes per backend (per unit of weight).
        vnodes: u32,
    },
    /// The ring, with loads bounded to `factor_permille`/1000 of the mean.
    BoundedLoad {
        /// Virtual nodes per backend.
        vnodes: u32,
        /// c = 1 + ε, in thousandths (1250 = 1.25).
        factor_permille: u32,
    },
    /// Highest random weight.
    Rendezvous,
    /// Maglev's lookup table of `table_size` (a prime) entries.
    Maglev {
        /// M, prime.
        table_size: u32,
    },
}

/// Every strategy name, in the order of the issue.
pub const NAMES: &[&str] = &["random", "round_robin", "weighted_random", "smooth_wrr", "least_conn", "weighted_least_conn", "p2c", "peak_ewma", "ring_hash", "bounded_load", "rendezvous", "maglev"];

/// Every strategy's name as people read it, by its scenario name: the one table of these
/// words (the stage, the panel, the settings form and compare mode all take theirs from here).
pub fn words(name: &str) -> &'static str {
    match name {
        "random" => "random",
        "round_robin" => "round robin",
        "weighted_random" => "weighted random",
        "smooth_wrr" => "smooth weighted round robin",
        "least_conn" => "least connections",
        "weighted_least_conn" => "weighted least connections",
        "p2c" => "power of two choices",
        "peak_ewma" => "peak-EWMA",
        "ring_hash" => "ring hash",
        "bounded_load" => "bounded loads",
        "rendezvous" => "rendezvous hashing",
        "maglev" => "Maglev",
        _ => "an unknown strategy",
    }
}

/// `n` with a comma between thousands: 65,537.
pub fn thousands(n: u64) -> String {
    let digits = n.to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3);
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// A factor given in thousandths, in words: 1.25, 2.
pub fn factor_words(permille: u32) -> String {
    crate::num::short(f64::from(permille) / 1000.0, 3)
}

/// A duration in words: 10 s, 1.5 s, 250 ms, 0.5 ms.
pub fn duration_words(us: Micros) -> String {
    let trim = |v: f64| crate::num::short(v, 2);
    if us >= 1_000_000 { format!("{} s", trim(us as f64 / 1e6)) } else { format!("{} ms", trim(us as f64 / 1e3)) }
}

impl StrategyConfig {
    /// Its name as people read it ([`words`]).
    pub fn words(&self) -> &'static str {
        words(self.name())
    }

    /// Its parameters in words, a phrase each (none for the strategies without any).
    pub fn params_words(&self) -> Vec<String> {
        match *self {
            StrategyConfig::PeakEwma { decay_us, default_rtt_us, all } => vec![
                (if all { "the best of all backends" } else { "the better of two random backends" }).to_string(),
                format!("decay time {}", duration_words(decay_us)),
                format!("{} assumed before a first reply", duration_words(default_rtt_us)),
            ],
            StrategyConfig::RingHash { vnodes } => vec![format!("{} virtual nodes per backend", thousands(u64::from(vnodes)))],
            StrategyConfig::BoundedLoad { vnodes, factor_permille } => {
                vec![format!("{} virtual nodes per backend", thousands(u64::from(vnodes))), format!("at most {} × the mean load", factor_words(factor_permille))]
            }
            StrategyConfig::Maglev { table_size } => vec![format!("table of {} entries", thousands(u64::from(table_size)))],
            _ => Vec::new(),
        }
    }

    /// Its name and parameters in words: "ring hash, 100 virtual nodes per backend".
    pub fn label(&self) -> String {
        std::iter::once(self.words().to_string()).chain(self.params_words()).collect::<Vec<_>>().join(", ")
    }

    /// Its scenario name.
    pub fn name(&self) -> &'static str {
        match self {
            StrategyConfig::Random => "random",
            StrategyConfig::RoundRobin => "round_robin",
            StrategyConfig::WeightedRandom => "weighted_random",
            StrategyConfig::SmoothWrr => "smooth_wrr",
            StrategyConfig::LeastConn => "least_conn",
            StrategyConfig::WeightedLeastConn => "weighted_least_conn",
            StrategyConfig::TwoChoices => "p2c",
            StrategyConfig::PeakEwma { .. } => "peak_ewma",
            StrategyConfig::RingHash { .. } => "ring_hash",
            StrategyConfig::BoundedLoad { .. } => "bounded_load",
            StrategyConfig::Rendezvous => "rendezvous",
            StrategyConfig::Maglev { .. } => "maglev",
        }
    }

    /// The strategy with default parameters, by name.
    pub fn by_name(name: &str) -> Option<StrategyConfig> {
        Some(match name {
            "random" => StrategyConfig::Random,
            "round_robin" => StrategyConfig::RoundRobin,
            "weighted_random" => StrategyConfig::WeightedRandom,
            "smooth_wrr" => StrategyConfig::SmoothWrr,
            "least_conn" => StrategyConfig::LeastConn,
            "weighted_least_conn" => StrategyConfig::WeightedLeastConn,
            "p2c" => StrategyConfig::TwoChoices,
            "peak_ewma" => StrategyConfig::PeakEwma { decay_us: 10_000_000, default_rtt_us: 10_000, all: false },
            "ring_hash" => StrategyConfig::RingHash { vnodes: 100 },
            "bounded_load" => StrategyConfig::BoundedLoad { vnodes: 100, factor_permille: 1250 },
            "rendezvous" => StrategyConfig::Rendezvous,
            "maglev" => StrategyConfig::Maglev { table_size: 65_537 },
            _ => return None,
        })
    }

    /// Whether keys decide the backend (and key movement is reported).
    pub fn is_hashing(&self) -> bool {
        matches!(self, StrategyConfig::RingHash { .. } | StrategyConfig::BoundedLoad { .. } | StrategyConfig::Rendezvous | StrategyConfig::Maglev { .. })
    }

    /// The parameters, as written in a scenario (without the name).
    pub fn params_json(&self) -> Value {
        match *self {
            StrategyConfig::PeakEwma { decay_us, default_rtt_us, all } => {
                json!({"decay_ms": crate::sim::time::to_ms_f64(decay_us), "default_rtt_ms": crate::sim::time::to_ms_f64(default_rtt_us), "choices": if all { "all" } else { "two" }})
            }
            StrategyConfig::RingHash { vnodes } => json!({"vnodes": vnodes}),
            StrategyConfig::BoundedLoad { vnodes, factor_permille } => json!({"vnodes": vnodes, "load_factor": factor_permille as f64 / 1000.0}),
            StrategyConfig::Maglev { table_size } => json!({"table_size": table_size}),
            _ => json!({}),
        }
    }

    /// A fresh strategy over `loads`.
    pub fn build(&self, loads: &Loads) -> AnyStrategy {
        let mut s = match *self {
            StrategyConfig::Random => AnyStrategy::Random(RandomPick),
            StrategyConfig::RoundRobin => AnyStrategy::RoundRobin(RoundRobin::default()),
            StrategyConfig::WeightedRandom => AnyStrategy::WeightedRandom(WeightedRandom::default()),
            StrategyConfig::SmoothWrr => AnyStrategy::SmoothWrr(SmoothWrr::default()),
            StrategyConfig::LeastConn => AnyStrategy::LeastConn(LeastConn::new(false)),
            StrategyConfig::WeightedLeastConn => AnyStrategy::LeastConn(LeastConn::new(true)),
            StrategyConfig::TwoChoices => AnyStrategy::TwoChoices(TwoChoices),
            StrategyConfig::PeakEwma { decay_us, default_rtt_us, all } => AnyStrategy::PeakEwma(PeakEwma::new(loads.len(), decay_us, default_rtt_us, all)),
            StrategyConfig::RingHash { vnodes } => AnyStrategy::Ring(Ring::new(vnodes, None)),
            StrategyConfig::BoundedLoad { vnodes, factor_permille } => AnyStrategy::Ring(Ring::new(vnodes, Some(factor_permille))),
            StrategyConfig::Rendezvous => AnyStrategy::Rendezvous(Rendezvous::default()),
            StrategyConfig::Maglev { table_size } => AnyStrategy::Maglev(Maglev::new(table_size)),
        };
        s.rebuild(loads);
        s
    }
}

/// Any of the strategies: a closed set dispatched by `match` (cheaper than a trait object on a
/// million picks, and `Clone` for the engine's snapshots).
#[derive(Clone, Debug)]
pub enum AnyStrategy {
    /// See [`RandomPick`].
    Random(RandomPick),
    /// See [`RoundRobin`].
    RoundRobin(RoundRobin),
    /// See [`WeightedRandom`].
    WeightedRandom(WeightedRandom),
    /// See [`SmoothWrr`].
    SmoothWrr(SmoothWrr),
    /// See [`LeastConn`].
    LeastConn(LeastConn),
    /// See [`TwoChoices`].
    TwoChoices(TwoChoices),
    /// See [`PeakEwma`].
    PeakEwma(PeakEwma),
    /// See [`Ring`] (plain or with bounded loads).
    Ring(Ring),
    /// See [`Rendezvous`].
    Rendezvous(Rendezvous),
    /// See [`Maglev`].
    Maglev(Maglev),
}

macro_rules! dispatch {
    ($self:ident, $s:ident => $e:expr) => {
        match $self {
            AnyStrategy::Random($s) => $e,
            AnyStrategy::RoundRobin($s) => $e,
            AnyStrategy::WeightedRandom($s) => $e,
            AnyStrategy::SmoothWrr($s) => $e,
            AnyStrategy::LeastConn($s) => $e,
            AnyStrategy::TwoChoices($s) => $e,
            AnyStrategy::PeakEwma($s) => $e,
            AnyStrategy::Ring($s) => $e,
            AnyStrategy::Rendezvous($s) => $e,
            AnyStrategy::Maglev($s) => $e,
        }
    };
}

impl Strategy for AnyStrategy {
    fn rebuild(&mut self, loads: &Loads) {
        dispatch!(self, s => s.rebuild(loads))
    }
    #[inline]
    fn pick(&mut self, key: u64, loads: &Loads, rng: &mut Rng) -> Option<BackendIx> {
        dispatch!(self, s => s.pick(key, loads, rng))
    }
    fn on_response(&mut self, b: BackendIx, rtt_us: Micros, now_us: Micros) {
        dispatch!(self, s => s.on_response(b, rtt_us, now_us))
    }
    fn owner(&self, key: u64) -> Option<BackendIx> {
        dispatch!(self, s => s.owner(key))
    }
    fn view(&self, loads: &Loads) -> Value {
        dispatch!(self, s => s.view(loads))
    }
}

/// A uniform choice among the allowed backends (eligible, not excluded): `None` if none is.
pub(crate) fn uniform(loads: &Loads, rng: &mut Rng) -> Option<BackendIx> {
    let list = loads.eligible();
    match loads.effective_exclude() {
        None if list.is_empty() => None,
        None => Some(list[rng.below(list.len() as u64) as usize]),
        Some(x) => {
            let skip = list.binary_search(&x).expect("an effective exclusion is eligible");
            let mut i = rng.below(list.len() as u64 - 1) as usize;
            if i >= skip {
                i += 1;
            }
            Some(list[i])
        }
    }
}

/// The owner of every key in `0..keys` under `s` (hashing strategies only).
pub fn owners(s: &AnyStrategy, keys: u64) -> Vec<Option<BackendIx>> {
    (0..keys).map(|k| s.owner(k)).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_round_trip() {
        for n in NAMES {
            assert_eq!(StrategyConfig::by_name(n).unwrap().name(), *n);
        }
        assert_eq!(NAMES.len(), 12);
    }

    #[test]
    fn every_strategy_has_words_with_its_parameters_in_words() {
        for n in NAMES {
            let c = StrategyConfig::by_name(n).unwrap();
            let label = c.label();
            assert!(label.starts_with(words(n)) && !label.contains('_') && !label.contains('{') && !label.contains('"'), "{n}: {label}");
        }
        assert_eq!(StrategyConfig::RingHash { vnodes: 100 }.label(), "ring hash, 100 virtual nodes per backend");
        assert_eq!(StrategyConfig::Maglev { table_size: 65_537 }.label(), "Maglev, table of 65,537 entries");
        assert_eq!(StrategyConfig::BoundedLoad { vnodes: 100, factor_permille: 1250 }.label(), "bounded loads, 100 virtual nodes per backend, at most 1.25 × the mean load");
        assert_eq!(
            StrategyConfig::PeakEwma { decay_us: 1_500_000, default_rtt_us: 10_000, all: true }.label(),
            "peak-EWMA, the best of all backends, decay time 1.5 s, 10 ms assumed before a first reply"
        );
        assert_eq!(StrategyConfig::LeastConn.label(), "least connections");
        assert_eq!(thousands(1_000_000), "1,000,000");
        assert_eq!(thousands(999), "999");
    }

    #[test]
    fn uniform_respects_eligibility_and_exclusion() {
        let mut l = Loads::new(5);
        l.set_eligible(1, false);
        l.exclude = Some(3);
        let mut rng = Rng::stream(1, "t");
        let mut seen = [0; 5];
        for _ in 0..3000 {
            seen[uniform(&l, &mut rng).unwrap() as usize] += 1;
        }
        assert_eq!((seen[1], seen[3]), (0, 0));
        assert!(seen[0] > 800 && seen[2] > 800 && seen[4] > 800, "{seen:?}");
        l.set_eligible(0, false);
        l.set_eligible(2, false);
        l.set_eligible(4, false);
        assert_eq!(uniform(&l, &mut rng), Some(3), "an exclusion that leaves nothing is ignored");
        l.set_eligible(3, false);
        assert_eq!(uniform(&l, &mut rng), None);
    }
}
