//! # Load balancing
//!
//! One balancer spreads a stream of requests over a pool of backends. Which backend should
//! take the next request? This module runs twelve answers on the same workload, inside the same
//! deterministic engine as the consensus protocols, so that their queues, latencies and key
//! movements can be compared request for request.
//!
//! ## The model
//!
//! **Servers.** S1 is the balancer; S2..=SN are the backends (1 to 200 of them; backend index
//! b, 0-based, is server S(b+2)). Client actors play no part in the traffic: an operator's
//! command in the schedule without `"to"` goes through client C1, which passes it to S1.
//!
//! **Workload** ([`workload`]). Requests arrive at the balancer — the front door — as a Poisson
//! process or in periodic bursts, each with a key (uniform or Zipf) and a work quantile. The
//! generator has its own random stream, seeded once at boot from the balancer's engine-owned
//! stream (or from `workload.seed`) and used for nothing else, so the requests do not depend on
//! the strategy, the answers or anything else that happens: every strategy of a seed sees the
//! very same requests, and even the same service demands. Why not a client actor sending them?
//! Two more network hops per request would cost a third of the simulator's time on a
//! million-request run and change no comparison: every strategy pays them alike.
//!
//! **Backends** ([`backend`]). Each has a weight, `slots` requests in service at once, a FIFO
//! queue (optionally bounded), a service-time distribution (constant, exponential or Pareto),
//! an optional queue deadline and a slow-down factor. A request's service time is its work
//! quantile passed through the backend's inverse CDF, times the slow-down: a backend three
//! times slower takes three times as long on the same request.
//!
//! **Balancer** ([`lb`]). For each request the strategy picks an eligible backend — a member
//! (added and not removed) that the health checks believe up — and the balancer sends it
//! there, counting it outstanding until the answer. Each attempt has a deadline
//! (`request_timeout_ms`); a refusal or a missed deadline fails the attempt, which is retried
//! on another backend up to `retries` times and then answered as failed. A late answer to an
//! attempt given up is counted (`late`) and otherwise ignored: every request is answered
//! exactly once. Health checks ([`health`]) probe every backend each `interval_ms`; `fall`
//! misses in a row mark it down, `rise` answers up. A crash is the engine's: requests sent to
//! a crashed backend before the checks notice are lost, and the request timeout catches them.
//!
//! **Runtime changes** are scenario actions, so the browser lab can issue them and a session
//! replays exactly: `crash`/`restart` fail and recover a backend (the engine's own, honest:
//! the backend loses its queue); `{"begin": {"add": 12}}`, `{"remove": 3}`,
//! `{"weight": 5, "backend": 3}` change the membership and weights at S1;
//! `{"slow": 3, "backend": 4}` slows S4 down three times (1 restores it);
//! `{"burst": 500}` makes 500 requests at once.
//!
//! ## The strategies ([`strategy`])
//!
//! - **random**: uniform among the eligible. With n requests that never finish over n
//!   backends, the fullest holds about ln n / ln ln n (7 to 9 for n = 100 000).
//! - **round_robin**: in turn; counts differ by at most one.
//! - **weighted_random**: at random in proportion to weight.
//! - **smooth_wrr**: nginx's smooth weighted round robin (Maxim Dounin, nginx commit 52327e0,
//!   2012): add each weight to a running `current`, take the largest, subtract the total. For
//!   weights 5, 1, 1: a a b a c a a.
//! - **least_conn** and **weighted_least_conn**: fewest outstanding requests (per unit of
//!   weight); ties go round robin.
//! - **p2c**: the power of two random choices (Mitzenmacher, "The Power of Two Choices in
//!   Randomized Load Balancing", IEEE TPDS 2001; Azar, Broder, Karlin and Upfal 1994): the
//!   less loaded of two random backends. Balls into bins: ln ln n / ln 2 + O(1), 3 or 4 for
//!   n = 100 000.
//! - **peak_ewma**: Finagle's peak-EWMA (Twitter, 2016; Linkerd and tower after it): each
//!   backend's latency estimate jumps to any slower observation and decays toward faster ones
//!   with time constant τ (`decay_ms`), so a backend that has just been slow is avoided at once
//!   and tried again later; cost = estimate × (outstanding + 1), compared between two random
//!   choices as Finagle and Linkerd do (`"choices": "all"` scans every backend).
//! - **ring_hash**: consistent hashing (Karger et al., STOC 1997) with `vnodes` virtual nodes
//!   per backend (per unit of weight): adding an 11th backend to 10 moves about 1/11 of the
//!   keys, all to the newcomer; more virtual nodes even out the load.
//! - **bounded_load**: consistent hashing with bounded loads (Mirrokni, Thorup and
//!   Zadimoghaddam, SODA 2018): no backend holds more than ⌈c (m+1)/n⌉ outstanding requests
//!   (`load_factor` c); a key whose backend is full walks on along the ring. A hot Zipf key
//!   spills over instead of drowning its backend.
//! - **rendezvous**: highest random weight (Thaler and Ravishankar, IEEE/ACM ToN 1998): the
//!   backend with the highest hash of (key, backend); removing one moves exactly its keys.
//! - **maglev**: Maglev hashing (Eisenbud et al., NSDI 2016): a lookup table of M (prime,
//!   `table_size`) slots filled by the backends' permutations in turn; each backend holds ⌊M/n⌋
//!   or ⌈M/n⌉ slots, and a removal moves little beyond the removed backend's keys.
//!
//! ## Determinism
//!
//! Everything that decides anything is integer arithmetic or reproducible: hashes are a fixed
//! 64-bit mix ([`strategy::mix64`]); loads are compared by cross-multiplication; peak-EWMA's
//! e^(-Δt/τ) is a fixed-point table product ([`fixed::decay_q32`]); exponential and Pareto
//! service times, Poisson gaps and the Zipf table use a logarithm and an exponential built from
//! IEEE's exactly rounded basic operations ([`fixed::ln`], [`fixed::exp`]) rather than libm's,
//! which differ between native code and wasm.
//!
//! ## Checking and measuring
//!
//! [`checker::BalancerChecker`] holds, after every event: no request is lost (received =
//! served + failed + pending), none is answered twice, and none waits longer than its attempts
//! allow. Two planted bugs show it catching what it should: `lose_on_timeout` drops a timed-out
//! request without answering it, `answer_late` answers a request a second time when a late
//! response comes. [`stats`] keeps latency histograms (p50/p95/p99/max, within 3 %) and time
//! series of queues and outstanding requests sampled at fixed virtual-time buckets; [`view`]
//! turns them into the run's outcome.

pub mod backend;
pub mod checker;
pub mod fixed;
pub mod health;
pub mod lb;
pub mod stats;
pub mod strategy;
pub mod view;
pub mod workload;

use std::fmt;

use serde::Serialize;
use serde_json::Value;

pub use backend::{Backend, BackendConfig, Service};
pub use checker::BalancerChecker;
pub use health::HealthConfig;
pub use lb::Lb;
pub use strategy::{BackendIx, StrategyConfig};
pub use workload::Workload;

use crate::sim::{Addr, ClientId, Ctx, Detail, Message, Micros, NodeId, Note, Protocol};
use crate::sim::{Checked, Report};

/// The balancer's server id.
pub const BALANCER: NodeId = 1;

/// Server id of backend index `b`.
pub const fn node_of(b: BackendIx) -> NodeId {
    b + 2
}

/// Backend index of server `node`, if it is a backend of `p`.
pub fn backend_ix(node: NodeId, p: &Balancer) -> Option<BackendIx> {
    (node >= 2 && ((node - 2) as usize) < p.backends.len()).then(|| node - 2)
}

/// A deliberately wrong rule, for showing that the checker catches it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub enum PlantedBug {
    /// A timed-out request is dropped without an answer.
    LoseOnTimeout,
    /// A response that comes after its attempt was given up is answered again.
    AnswerLate,
}

/// The balancer model's configuration: the protocol value.
#[derive(Clone, Debug, PartialEq)]
pub struct Balancer {
    /// Servers: the balancer and the backends.
    pub nodes: u32,
    /// The strategy and its parameters.
    pub strategy: StrategyConfig,
    /// Backends, index b = server b + 2.
    pub backends: Vec<BackendConfig>,
    /// The workload.
    pub workload: Workload,
    /// Health checks.
    pub health: HealthConfig,
    /// Deadline of each attempt.
    pub request_timeout_us: Micros,
    /// Attempts after the first.
    pub retries: u32,
    /// Time-series bucket.
    pub sample_us: Micros,
    /// A planted bug, if any.
    pub planted_bug: Option<PlantedBug>,
}

impl Balancer {
    /// `backends` default backends under `strategy`, with the default workload.
    pub fn new(strategy: StrategyConfig, backends: usize) -> Self {
        Balancer {
            nodes: backends as u32 + 1,
            strategy,
            backends: vec![BackendConfig::default(); backends],
            workload: Workload::default(),
            health: HealthConfig::default(),
            request_timeout_us: 1_000_000,
            retries: 1,
            sample_us: 100_000,
            planted_bug: None,
        }
    }

    /// The configuration of server `node` (a backend).
    pub fn backend(&self, node: NodeId) -> &BackendConfig {
        &self.backends[node as usize - 2]
    }
}

/// How a backend answered an attempt.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub enum Status {
    /// Served.
    Ok,
    /// Refused: it waited in the queue past the backend's deadline.
    Timeout,
    /// Refused: the queue was full.
    Full,
}

impl Status {
    /// `ok`, `timeout`, `full`.
    pub fn as_str(self) -> &'static str {
        match self {
            Status::Ok => "ok",
            Status::Timeout => "timeout",
            Status::Full => "full",
        }
    }
}

/// An operator's request: a scenario's `begin` action.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub enum Op {
    /// Make this many requests at once.
    Burst(u32),
    /// Add server S_n to the membership.
    Add(NodeId),
    /// Remove S_n from the membership.
    Remove(NodeId),
    /// Set S_n's weight.
    Weight(NodeId, u32),
    /// Slow S_n down by a factor, in thousandths (1000 = normal).
    Slow(NodeId, u32),
}

impl fmt::Display for Op {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match *self {
            Op::Burst(n) => write!(f, "burst {n}"),
            Op::Add(n) => write!(f, "add S{n}"),
            Op::Remove(n) => write!(f, "remove S{n}"),
            Op::Weight(n, w) => write!(f, "weight S{n} {w}"),
            Op::Slow(n, p) => write!(f, "slow S{n} x{}", crate::protocols::commit::request::ppm_text(p * 1000)),
        }
    }
}

/// Messages.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub enum Msg {
    /// Balancer → backend: serve this attempt.
    Request {
        /// Request id.
        rid: u64,
        /// Attempt number.
        attempt: u32,
        /// Key.
        key: u64,
        /// Work quantile.
        work: u32,
    },
    /// Backend → balancer: the attempt's outcome.
    Response {
        /// Request id.
        rid: u64,
        /// Attempt number.
        attempt: u32,
        /// Outcome.
        status: Status,
    },
    /// Balancer → backend: are you there?
    Probe {
        /// Probe number.
        seq: u64,
    },
    /// Backend → balancer: yes.
    ProbeAck {
        /// Probe number.
        seq: u64,
    },
    /// An operator's request passed on.
    Control(Op),
}

/// Message types `"when": {"sends": ...}` may name.
pub const KINDS: &[&str] = &["Request", "Response", "Probe", "ProbeAck", "Control"];

impl Message for Msg {
    fn kind(&self) -> &'static str {
        match self {
            Msg::Request { .. } => "Request",
            Msg::Response { .. } => "Response",
            Msg::Probe { .. } => "Probe",
            Msg::ProbeAck { .. } => "ProbeAck",
            Msg::Control(_) => "Control",
        }
    }
}

impl fmt::Display for Msg {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Msg::Request { rid, attempt, key, .. } => write!(f, "Request r{rid}#{attempt} key={key}"),
            Msg::Response { rid, attempt, status } => write!(f, "Response r{rid}#{attempt} {}", status.as_str()),
            Msg::Probe { seq } => write!(f, "Probe {seq}"),
            Msg::ProbeAck { seq } => write!(f, "ProbeAck {seq}"),
            Msg::Control(op) => write!(f, "Control {op}"),
        }
    }
}

/// Timers.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Timer {
    /// Balancer: the next Poisson arrival.
    Arrival,
    /// Balancer: the next burst.
    Burst,
    /// Balancer: the oldest attempt's deadline.
    Sweep,
    /// Balancer: the next health-check round.
    Health,
    /// Backend: a slot's request is done.
    Finish(u32),
}

impl crate::sim::Timer for Timer {
    fn words(&self) -> Detail {
        match self {
            Timer::Arrival => Detail::plain("arrival"),
            Timer::Burst => Detail::plain("burst"),
            Timer::Sweep => Detail::plain("request-timeout"),
            Timer::Health => Detail::plain("health-check"),
            Timer::Finish(slot) => Detail::new("done slot {slot}", &[("slot", slot)]),
        }
    }
}

impl fmt::Display for Timer {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        crate::sim::Timer::words(self).fmt(f)
    }
}

/// State changes for the trace.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum BalancerNote {
    /// An attempt missed its deadline.
    TimedOut {
        /// Request.
        rid: u64,
        /// Where it was.
        backend: NodeId,
    },
    /// A request was answered as failed.
    Failed {
        /// Request.
        rid: u64,
    },
    /// The health checks changed their mind.
    Health {
        /// Which backend.
        backend: NodeId,
        /// Now believed up.
        up: bool,
    },
    /// A backend joined or left the membership.
    Member {
        /// Which.
        backend: NodeId,
        /// Joined.
        added: bool,
    },
    /// A weight changed.
    Weight {
        /// Which backend.
        backend: NodeId,
        /// New weight.
        weight: u32,
    },
    /// Keys changed owner.
    Moved {
        /// How many.
        keys: u64,
        /// Of how many.
        of: u64,
    },
    /// A backend's speed changed.
    Slow {
        /// Factor, thousandths.
        permille: u32,
    },
    /// An operator's request that does not apply here.
    Refused {
        /// Which.
        op: Op,
    },
    /// The planted bug acted.
    PlantedBug {
        /// On which request.
        rid: u64,
    },
}

impl Note for BalancerNote {
    fn kind(&self) -> &'static str {
        match self {
            BalancerNote::TimedOut { .. } => "timeout",
            BalancerNote::Failed { .. } => "failed",
            BalancerNote::Health { up: true, .. } => "up",
            BalancerNote::Health { up: false, .. } => "down",
            BalancerNote::Member { added: true, .. } => "add",
            BalancerNote::Member { added: false, .. } => "remove",
            BalancerNote::Weight { .. } => "weight",
            BalancerNote::Moved { .. } => "moved",
            BalancerNote::Slow { .. } => "slow",
            BalancerNote::Refused { .. } => "refused",
            BalancerNote::PlantedBug { .. } => "planted-bug",
        }
    }

    fn words(&self) -> Detail {
        match self {
            BalancerNote::TimedOut { rid, backend } => Detail::new("r{rid} timed out at S{backend}", &[("rid", rid), ("backend", backend)]),
            BalancerNote::Failed { rid } => Detail::new("r{rid} failed", &[("rid", rid)]),
            BalancerNote::Health { backend, up: true } => Detail::new("S{backend} marked up", &[("backend", backend)]),
            BalancerNote::Health { backend, up: false } => Detail::new("S{backend} marked down", &[("backend", backend)]),
            BalancerNote::Member { backend, added: true } => Detail::new("S{backend} added", &[("backend", backend)]),
            BalancerNote::Member { backend, added: false } => Detail::new("S{backend} removed", &[("backend", backend)]),
            BalancerNote::Weight { backend, weight } => Detail::new("S{backend} weight {weight}", &[("backend", backend), ("weight", weight)]),
            BalancerNote::Moved { keys, of } => Detail::new("{keys} of {of} keys moved", &[("keys", keys), ("of", of)]),
            BalancerNote::Slow { permille } => Detail::new("speed x{factor}", &[("factor", &crate::protocols::commit::request::ppm_text(*permille * 1000))]),
            // The request as the scenario writes it: notation.
            BalancerNote::Refused { op } => Detail::new("{op}: does not apply here, ignored", &[("op", op)]),
            BalancerNote::PlantedBug { rid } => Detail::new("r{rid} PLANTED BUG", &[("rid", rid)]),
        }
    }
}

impl fmt::Display for BalancerNote {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.words().fmt(f)
    }
}

/// A server of the model.
#[derive(Clone, Debug)]
pub enum Node {
    /// S1.
    Balancer(Box<Lb>),
    /// S2...
    Backend(Box<Backend>),
}

impl Node {
    /// The balancer, if this is S1.
    pub fn lb(&self) -> Option<&Lb> {
        match self {
            Node::Balancer(lb) => Some(lb),
            Node::Backend(_) => None,
        }
    }
    /// The backend, if this is one.
    pub fn backend(&self) -> Option<&Backend> {
        match self {
            Node::Backend(b) => Some(b),
            Node::Balancer(_) => None,
        }
    }
}

/// The client actor: it only passes operators' requests on to the balancer.
#[derive(Clone, Debug, Default)]
pub struct OpClient {
    /// Requests passed on.
    pub sent: u64,
}

impl Protocol for Balancer {
    type Msg = Msg;
    type Timer = Timer;
    type Note = BalancerNote;
    /// Boots so far.
    type Durable = u32;
    type Node = Node;
    type Client = OpClient;
    type Request = Op;

    fn name(&self) -> &'static str {
        "balancer"
    }

    fn fresh_durable(&self, _id: NodeId) -> u32 {
        0
    }

    fn boot(&self, id: NodeId, durable: &u32, ctx: &mut Ctx<Self>) -> Node {
        let epoch = durable + 1;
        let node = if id == BALANCER { Node::Balancer(Box::new(Lb::boot(self, epoch, ctx))) } else { Node::Backend(Box::new(Backend::new(id, self.backend(id), self.sample_us, ctx.now()))) };
        ctx.persist();
        node
    }

    fn on_message(&self, node: &mut Node, from: Addr, msg: Msg, ctx: &mut Ctx<Self>) {
        match node {
            Node::Balancer(lb) => {
                let from_b = from.node().and_then(|n| backend_ix(n, self));
                match (msg, from_b) {
                    (Msg::Response { rid, attempt, status }, Some(b)) => lb.on_response(self, b, rid, attempt, status, ctx),
                    (Msg::ProbeAck { seq }, Some(b)) => lb.on_probe_ack(self, b, seq, ctx),
                    (Msg::Control(op), _) => lb.on_op(self, op, ctx),
                    _ => {}
                }
            }
            Node::Backend(b) => match msg {
                Msg::Request { rid, attempt, key, work } => b.on_request(self, backend::Job { rid, attempt, key, work, arrived_us: ctx.now() }, ctx),
                Msg::Probe { seq } => ctx.send(from, Msg::ProbeAck { seq }),
                Msg::Control(op) => backend_op(b, op, ctx),
                _ => {}
            },
        }
    }

    fn on_timer(&self, node: &mut Node, timer: Timer, ctx: &mut Ctx<Self>) {
        match node {
            Node::Balancer(lb) => lb.on_timer(self, timer, ctx),
            Node::Backend(b) => {
                if let Timer::Finish(slot) = timer {
                    b.on_finish(self, slot, ctx);
                }
            }
        }
    }

    fn on_request(&self, node: &mut Node, request: Op, ctx: &mut Ctx<Self>) {
        match node {
            Node::Balancer(lb) => lb.on_op(self, request, ctx),
            Node::Backend(b) => backend_op(b, request, ctx),
        }
    }

    fn save(&self, _node: &mut Node, durable: &mut u32) {
        *durable += 1;
    }

    fn new_client(&self, _id: ClientId) -> OpClient {
        OpClient::default()
    }

    fn client_submit(&self, client: &mut OpClient, request: Op, ctx: &mut Ctx<Self>) {
        client.sent += 1;
        ctx.send_node(BALANCER, Msg::Control(request));
    }

    fn client_on_message(&self, _client: &mut OpClient, _from: Addr, _msg: Msg, _ctx: &mut Ctx<Self>) {}

    fn client_on_timer(&self, _client: &mut OpClient, _timer: Timer, _ctx: &mut Ctx<Self>) {}
}

impl Checked for Balancer {
    type Checker = BalancerChecker;

    fn checker(&self, _nodes: u32) -> BalancerChecker {
        BalancerChecker::new(self)
    }
}

impl Report for Balancer {
    fn node_view(&self, node: &Node) -> Value {
        match node {
            Node::Balancer(lb) => lb.view(self),
            Node::Backend(b) => b.view(self),
        }
    }

    fn durable_view(&self, durable: &u32) -> Value {
        serde_json::json!({"boots": durable})
    }

    fn client_view(&self, client: &OpClient) -> Value {
        serde_json::json!({"sent": client.sent})
    }

    fn outcome(&self, world: &crate::sim::World<'_, Self>, _checker: &BalancerChecker) -> Value {
        view::outcome(self, world)
    }
}

/// An operator's request at a backend: only its own slow-down applies.
fn backend_op(b: &mut Backend, op: Op, ctx: &mut Ctx<Balancer>) {
    match op {
        Op::Slow(node, permille) if node == b.id => {
            b.slow_permille = permille.max(1);
            ctx.note(BalancerNote::Slow { permille: b.slow_permille });
        }
        _ => ctx.note(BalancerNote::Refused { op }),
    }
}

/// The benchmark's model: `backends` backends of 8 slots with exponential 10 ms service
/// (80 000 requests/s of capacity for 100), `requests` Poisson arrivals at 60 % of capacity,
/// uniform keys over 100 000, health checks every 500 ms.
pub fn bench_model(strategy: StrategyConfig, backends: usize, requests: u64) -> Balancer {
    let mut p = Balancer::new(strategy, backends);
    for b in &mut p.backends {
        b.slots = 8;
        b.service = Service::Exponential { mean_us: 10_000 };
    }
    p.workload =
        Workload { arrivals: workload::Arrivals::Poisson { rate_milli_per_s: backends as u64 * 480_000 }, keys: workload::Keys::Uniform { count: 100_000 }, requests: Some(requests), seed: None };
    p.sample_us = 1_000_000;
    p
}

/// Runs a model until every request is answered (or `limit_us` of virtual time passes) with the
/// trace off; returns the engine.
pub fn run_to_completion(p: Balancer, seed: u64, limit_us: Micros) -> crate::sim::Engine<Balancer> {
    let nodes = p.nodes;
    let total = p.workload.requests;
    let setup = crate::sim::Setup {
        protocol: p,
        nodes,
        seed,
        network: crate::sim::LinkProfile { latency_us_min: 200, latency_us_max: 1_000, loss_ppm: 0, duplicate_ppm: 0 },
        initial: Vec::new(),
        schedule: Vec::new(),
        trace: crate::sim::TraceMode::Off,
    };
    let mut e = crate::sim::Engine::new(setup);
    let mut t = 0;
    while t < limit_us {
        t += 100_000;
        e.run_until(t);
        let done = e.nodes()[0].state().and_then(Node::lb).is_some_and(|lb| Some(lb.served + lb.failed) >= total);
        if done {
            break;
        }
    }
    e
}
