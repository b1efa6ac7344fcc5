//! Protocol implementations: each a set of pure state machines plus a checker of its invariants,
//! and one line in the [`registry`].

pub mod balancer;
pub mod commit;
pub mod kv;
pub mod paxos;
pub mod raft;
pub mod registry;
