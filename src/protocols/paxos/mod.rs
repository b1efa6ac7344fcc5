//! # Paxos
//!
//! Two protocols on one core: single-decree Paxos ([`single`], scenario name `"paxos"`), which
//! chooses one value, and Multi-Paxos ([`multi`], `"multipaxos"`), which chooses a command per
//! log slot under a distinguished leader and drives the same key-value state machine and client
//! actor as Raft ([`crate::protocols::kv`]), so the two can run the same workload side by side
//! ([`crate::scenario::compare`]).
//!
//! Shared parts, one idea per file: [`ballot`] (ordered, never-reused ballots), [`acceptor`]
//! (promise and accept, per slot), [`checker`] (the safety properties, and the moment each
//! value was chosen — before anyone knows — and each learner learned it).
//!
//! **When messages are lost** (Paxos Made Simple, section 2.3, leaves learning to the learner).
//! Safety never depends on a message arriving; knowing the outcome does. In both protocols a
//! learner that missed the decision finds out once the network lets messages through: a
//! single-decree learner in doubt asks every server on its catch-up timer
//! ([`single::learner`]); a Multi-Paxos follower learns from the leader's next heartbeat, which
//! carries the decided prefix, and asks for what it lacks ([`multi`]). And a Multi-Paxos
//! leader sends an Accept again only when its answer is overdue, after a timeout that follows
//! the measured round trip ([`multi::round_trip`]), so on a loss-free network a command costs
//! the minimum: one Accept and one Accepted per other server.

pub mod acceptor;
pub mod ballot;
pub mod checker;
pub mod multi;
pub mod single;

pub use ballot::Ballot;
pub use checker::{Chosen, PaxosChecker};
