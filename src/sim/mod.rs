//! The deterministic simulator: time, randomness, network, failures, trace and invariants.
//! It knows nothing of any particular protocol and depends on no web crate.

pub mod action;
pub mod checker;
pub mod counts;
pub mod detail;
pub mod engine;
pub mod event;
pub mod network;
pub mod protocol;
pub mod report;
pub mod rng;
pub mod time;
pub mod timeline;
pub mod trace;
pub mod world;

pub use action::{Action, Scheduled, Target, When};
pub use checker::{Breach, Checked, Checker, Invariant, Violation};
pub use counts::{Counts, MessageCounts};
pub use detail::{Blank, Detail};
pub use engine::{Engine, Planned, Setup};
pub use event::{Event, Record};
pub use network::{LinkProfile, MsgId};
pub use protocol::{Addr, ClientId, Ctx, Mark, Message, NodeId, Note, Protocol, Timer};
pub use report::Report;
pub use time::{Micros, ms};
pub use timeline::Timeline;
pub use trace::{TraceLine, TraceMode};
pub use world::{ClientSlot, NodeSlot, PendingTimer, Timers, World};
