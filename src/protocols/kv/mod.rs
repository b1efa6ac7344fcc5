//! What Raft and Multi-Paxos share, so that the two can be compared on the same workload: the
//! key-value state machine their logs drive ([`Command`], [`Kv`]) and the client actor that
//! submits commands, follows redirects and retries ([`KvClient`]).
//!
//! A protocol that uses them implements [`KvService`]: its client-request message, its client
//! retry timer and the client's timeout. The client's behaviour (and so every Raft trace) is
//! the same whichever protocol it talks to.

pub mod client;
pub mod command;

use serde::Serialize;

pub use client::{Answered, KvClient, Operation, history};
pub use command::{Answer, Command, Kv};

use crate::sim::{Micros, NodeId, Protocol};

/// What a client hears back from a server.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub enum ClientOutcome {
    /// Applied; the state machine's answer.
    Done(Answer),
    /// Not the leader; maybe a hint of who is.
    NotLeader(Option<NodeId>),
}

/// A protocol whose servers run the key-value state machine for [`KvClient`]s.
pub trait KvService: Protocol<Request = Command, Client = KvClient> {
    /// How long a client waits before retrying elsewhere.
    fn client_timeout_us(&self) -> Micros;
    /// The message carrying a client's numbered command to a server.
    fn client_request(seq: u64, command: Command) -> Self::Msg;
    /// The client's retry timer.
    fn client_retry_timer() -> Self::Timer;
}
