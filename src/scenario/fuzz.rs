//! Random fault schedules: crashes and restarts, partitions, isolation and cut links, loss and
//! duplication windows, pauses, forced timeouts, with client requests sprinkled in. A generated
//! schedule is an ordinary [`Scenario`], so a failing one is written out as a reproducer that
//! `distlab run` replays exactly.

use serde_json::Value;

use super::Scenario;
use super::error::{Result, ScenarioError};
use super::kind::{ProtocolKind, RequestGen, nodes_out_of_range, protocol, unknown_protocol};
use crate::sim::network::LinkProfile;
use crate::sim::rng::{Ppm, Rng};
use crate::sim::{Action, Micros, NodeId, Scheduled, Target, When, ms};

/// A kind of fault the fuzzer injects.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FaultKind {
    /// Crash a server (or the leader), restart it later.
    Crash,
    /// Split the cluster, isolate a server or cut a link; heal later.
    Partition,
    /// A window of message loss.
    Loss,
    /// A window of message duplication.
    Duplicate,
    /// Freeze a server (or the leader), resume it later.
    Pause,
    /// Fire a server's timer early (an election timeout, say).
    Timeout,
}

impl FaultKind {
    /// Every kind, in order.
    pub const ALL: [FaultKind; 6] = [FaultKind::Crash, FaultKind::Partition, FaultKind::Loss, FaultKind::Duplicate, FaultKind::Pause, FaultKind::Timeout];

    /// The name used on the command line.
    pub fn name(self) -> &'static str {
        match self {
            FaultKind::Crash => "crash",
            FaultKind::Partition => "partition",
            FaultKind::Loss => "loss",
            FaultKind::Duplicate => "duplicate",
            FaultKind::Pause => "pause",
            FaultKind::Timeout => "timeout",
        }
    }

    fn bit(self) -> u8 {
        1 << (self as u8)
    }
}

/// A set of fault kinds.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Faults(u8);

impl Faults {
    /// Every kind.
    pub const ALL: Faults = Faults(0b11_1111);
    /// No faults: requests only.
    pub const NONE: Faults = Faults(0);

    /// Parses `all`, `none` or a comma-separated list of kind names.
    pub fn parse(s: &str) -> std::result::Result<Faults, String> {
        match s.trim() {
            "all" => return Ok(Faults::ALL),
            "none" | "" => return Ok(Faults::NONE),
            _ => {}
        }
        let mut set = Faults::NONE;
        for name in s.split(',').map(str::trim) {
            let kind = FaultKind::ALL.into_iter().find(|k| k.name() == name).ok_or_else(|| {
                let names: Vec<&str> = FaultKind::ALL.iter().map(|k| k.name()).collect();
                format!("unknown fault \"{name}\" (expected all, none or a list of: {})", names.join(", "))
            })?;
            set.0 |= kind.bit();
        }
        Ok(set)
    }

    /// Whether `kind` is in the set.
    pub fn contains(self, kind: FaultKind) -> bool {
        self.0 & kind.bit() != 0
    }

    /// The kinds in the set, in order.
    pub fn kinds(self) -> Vec<FaultKind> {
        FaultKind::ALL.into_iter().filter(|&k| self.contains(k)).collect()
    }
}

impl std::fmt::Display for Faults {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        if *self == Faults::ALL {
            return f.write_str("all");
        }
        if *self == Faults::NONE {
            return f.write_str("none");
        }
        let names: Vec<&str> = self.kinds().into_iter().map(FaultKind::name).collect();
        f.write_str(&names.join(","))
    }
}

/// What to fuzz.
#[derive(Clone, Debug, PartialEq)]
pub struct FuzzSpec {
    /// The protocol's name.
    pub protocol: String,
    /// Cluster size.
    pub nodes: u32,
    /// Length of each run.
    pub until_us: Micros,
    /// Which faults to inject.
    pub faults: Faults,
    /// The protocol's `config` object.
    pub config: Value,
    /// The base network profile.
    pub network: LinkProfile,
}

impl FuzzSpec {
    /// Defaults: every fault, 10 s runs, an empty config, the default network.
    pub fn new(protocol: &str, nodes: u32) -> Self {
        FuzzSpec { protocol: protocol.to_string(), nodes, until_us: ms(10_000), faults: Faults::ALL, config: Value::Object(Default::default()), network: LinkProfile::default() }
    }

    /// A generator for this spec, after checking the protocol, the cluster size and the config.
    pub fn generator(&self) -> Result<Generator> {
        let kind = protocol(&self.protocol).ok_or_else(|| ScenarioError::at("protocol", unknown_protocol(&self.protocol)))?;
        if self.nodes < 1 || self.nodes > kind.max_nodes() {
            return Err(ScenarioError::at("nodes", nodes_out_of_range(self.nodes, kind)));
        }
        let requests = kind.request_gen(&self.config, self.nodes)?;
        let mut g = Generator { spec: self.clone(), kind, requests };
        // The config must build too (not just parse for requests).
        kind.check(&g.scenario(1))?;
        Ok(g)
    }
}

/// Draws random scenarios for a [`FuzzSpec`].
pub struct Generator {
    spec: FuzzSpec,
    kind: &'static dyn ProtocolKind,
    requests: RequestGen,
}

const LOSS_RATES: [Ppm; 5] = [50_000, 100_000, 200_000, 300_000, 500_000];
const DUP_RATES: [Ppm; 3] = [50_000, 100_000, 300_000];

impl Generator {
    /// The protocol.
    pub fn kind(&self) -> &'static dyn ProtocolKind {
        self.kind
    }

    /// The spec.
    pub fn spec(&self) -> &FuzzSpec {
        &self.spec
    }

    /// The random scenario of `seed`: its run uses the same seed, its schedule is drawn from
    /// `Rng::stream(seed, "fuzz")` (requests first, so changing the faults keeps the requests).
    pub fn scenario(&mut self, seed: u64) -> Scenario {
        let spec = &self.spec;
        let n = spec.nodes;
        let end = spec.until_us / 1000;
        let mut rng = Rng::stream(seed, "fuzz");
        let mut sched: Vec<Scheduled<Value>> = Vec::new();
        let at = |t: u64| When::At(ms(t));

        // Client requests.
        let mut t = rng.range_inclusive(50, 400);
        while t < end {
            let request = (self.requests)(&mut rng);
            let action = if rng.below(10) == 0 { Action::Client { request, to: Some(Target::Leader), client: 1 } } else { Action::Client { request, to: None, client: 1 + rng.below(3) as u32 } };
            sched.push(Scheduled { when: at(t), action });
            t += rng.range_inclusive(20, 300);
        }

        // Faults.
        let mut kinds = spec.faults.kinds();
        if n < 2 {
            kinds.retain(|&k| k != FaultKind::Partition);
        }
        let node = |rng: &mut Rng| 1 + rng.below(n as u64) as NodeId;
        let target = |rng: &mut Rng| {
            if rng.below(2) == 0 { Target::Leader } else { Target::Node(node(rng)) }
        };
        let mut t = rng.range_inclusive(0, 500);
        while !kinds.is_empty() && t < end {
            let kind = kinds[rng.below(kinds.len() as u64) as usize];
            let mut push = |t: u64, action: Action<Value>| sched.push(Scheduled { when: at(t), action });
            match kind {
                FaultKind::Crash => {
                    let who = target(&mut rng);
                    let back = t + rng.range_inclusive(50, 3000);
                    push(t, Action::Crash(who));
                    for undo in undo_targets(who, n) {
                        push(back, Action::Restart(undo));
                    }
                }
                FaultKind::Partition => {
                    let heal = t + rng.range_inclusive(100, 3000);
                    match rng.below(3) {
                        0 => {
                            let mut ids: Vec<NodeId> = (1..=n).collect();
                            for i in (1..ids.len()).rev() {
                                ids.swap(i, rng.below(i as u64 + 1) as usize);
                            }
                            let cut = 1 + rng.below(n as u64 - 1) as usize;
                            let (mut a, mut b) = (ids[..cut].to_vec(), ids[cut..].to_vec());
                            a.sort_unstable();
                            b.sort_unstable();
                            push(t, Action::Partition(vec![a, b]));
                        }
                        1 => push(t, Action::Isolate(target(&mut rng))),
                        _ => {
                            let a = node(&mut rng);
                            let b = 1 + (a + rng.below(n as u64 - 1) as NodeId) % n;
                            push(t, Action::Cut(a, b));
                            if rng.below(2) == 0 {
                                push(t, Action::Cut(b, a));
                            }
                        }
                    }
                    push(heal, Action::Heal);
                }
                FaultKind::Loss => {
                    let rate = LOSS_RATES[rng.below(LOSS_RATES.len() as u64) as usize];
                    push(t, Action::Loss(rate));
                    push(t + rng.range_inclusive(100, 2000), Action::Loss(spec.network.loss_ppm));
                }
                FaultKind::Duplicate => {
                    let rate = DUP_RATES[rng.below(DUP_RATES.len() as u64) as usize];
                    push(t, Action::Duplicate(rate));
                    push(t + rng.range_inclusive(100, 2000), Action::Duplicate(spec.network.duplicate_ppm));
                }
                FaultKind::Pause => {
                    let who = target(&mut rng);
                    let back = t + rng.range_inclusive(50, 1500);
                    push(t, Action::Pause(who));
                    for undo in undo_targets(who, n) {
                        push(back, Action::Resume(undo));
                    }
                }
                FaultKind::Timeout => push(t, Action::Timeout(target(&mut rng))),
            }
            t += rng.range_inclusive(50, 1000);
        }

        // Chronological file order; ties keep the order drawn (which the engine follows too).
        sched.sort_by_key(|s| match s.when {
            When::At(t) | When::After { at_us: t, .. } => t,
            When::Sends { .. } => 0,
        });
        let mut sc = Scenario::new(&spec.protocol, n);
        sc.seed = seed;
        sc.network = spec.network;
        sc.config = spec.config.clone();
        sc.until_us = spec.until_us;
        sc.schedule = sched;
        sc.description = Some(format!("distlab fuzz --protocol {} --nodes {n} --faults {} --until-ms {}: seed {seed}", spec.protocol, spec.faults, super::json::ms_value(spec.until_us)));
        sc
    }
}

/// Who to restart or resume after a fault hit `who`: that server, or, when it hit whoever led
/// at the time, every server (restarting a running server or resuming a running one does
/// nothing).
fn undo_targets(who: Target, n: u32) -> Vec<Target> {
    match who {
        Target::Node(id) => vec![Target::Node(id)],
        Target::Leader => (1..=n).map(Target::Node).collect(),
    }
}
