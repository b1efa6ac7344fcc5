//! [`ProtocolKind`]: a scenario protocol without its type, which the protocol-neutral code (the
//! parser, the CLI, the fuzzer, the web app) reaches by name through [`protocols`], the
//! registry's protocols this build holds (see [`crate::protocols::registry`]).

use std::marker::PhantomData;

use serde_json::Value;

use super::Scenario;
use super::error::Result;
use super::protocol::{ScenarioProtocol, parse_config, setup};
use super::run::AnyRun;
use crate::sim::rng::Rng;
use crate::sim::{Detail, Engine, TraceMode};

/// A source of random requests, already written as scenario JSON.
pub type RequestGen = Box<dyn FnMut(&mut Rng) -> Value>;

/// A scenario protocol, without its type: what protocol-neutral code can do with one.
pub trait ProtocolKind: Sync {
    /// Its scenario name.
    fn name(&self) -> &'static str;
    /// The largest cluster it supports.
    fn max_nodes(&self) -> u32;
    /// Parses the protocol-specific parts of a scenario (config, initial states, requests,
    /// trigger message types), reporting the first error with its path.
    fn check(&self, scenario: &Scenario) -> Result<()>;
    /// Starts a run of the scenario under `seed`.
    fn build(&self, scenario: &Scenario, seed: u64, trace: TraceMode) -> Result<Box<dyn AnyRun>>;
    /// A generator of random requests for the given `config` object.
    fn request_gen(&self, config: &Value, nodes: u32) -> Result<RequestGen>;
}

/// The [`ProtocolKind`] of a [`ScenarioProtocol`].
pub struct Kind<P>(PhantomData<fn() -> P>);

impl<P> Kind<P> {
    /// The kind of `P`.
    pub const fn new() -> Self {
        Kind(PhantomData)
    }
}

impl<P> Default for Kind<P> {
    fn default() -> Self {
        Self::new()
    }
}

macro_rules! kinds {
    ($($name:literal, $title:literal, $family:literal, $ty:ty;)*) => {
        /// Every protocol scenario files can name, as far as this build's features hold them
        /// (the browser builds one bundle per family: see `crate::view::family`), in the
        /// order of [`crate::protocols::registry`].
        pub fn protocols() -> &'static [&'static dyn ProtocolKind] {
            static ALL: &[&dyn ProtocolKind] = &[$(
                #[cfg(feature = $family)]
                &Kind::<$ty>::new(),
            )*];
            ALL
        }
    };
}
crate::for_each_protocol!(kinds);

/// The protocol called `name`.
pub fn protocol(name: &str) -> Option<&'static dyn ProtocolKind> {
    protocols().iter().copied().find(|k| k.name() == name)
}

/// The names of every protocol, comma-separated.
pub fn protocol_names() -> String {
    protocols().iter().map(|k| k.name()).collect::<Vec<_>>().join(", ")
}

/// What a scenario naming a protocol this build does not hold is told.
pub fn unknown_protocol(name: &str) -> Detail {
    Detail::new("unknown protocol \"{name}\" (expected one of: {expected})", &[("name", &name), ("expected", &protocol_names())])
}

/// What a cluster of `nodes` servers, too many or too few for `kind`, is told.
pub fn nodes_out_of_range(nodes: impl std::fmt::Display, kind: &dyn ProtocolKind) -> Detail {
    Detail::new("{nodes} is out of range 1..={max} for {protocol}", &[("nodes", &nodes), ("max", &kind.max_nodes()), ("protocol", &kind.name())])
}

impl<P: ScenarioProtocol> ProtocolKind for Kind<P> {
    fn name(&self) -> &'static str {
        P::NAME
    }
    fn max_nodes(&self) -> u32 {
        P::MAX_NODES
    }
    fn check(&self, scenario: &Scenario) -> Result<()> {
        setup::<P>(scenario, scenario.seed, TraceMode::Off).map(drop)
    }
    fn build(&self, scenario: &Scenario, seed: u64, trace: TraceMode) -> Result<Box<dyn AnyRun>> {
        let setup = setup::<P>(scenario, seed, trace)?;
        Ok(Box::new(Engine::new(setup)))
    }
    fn request_gen(&self, config: &Value, nodes: u32) -> Result<RequestGen> {
        let p: P = parse_config(config, "config", nodes)?;
        Ok(Box::new(move |rng: &mut Rng| {
            let r = p.fuzz_request(rng, nodes);
            p.request_json(&r)
        }))
    }
}
