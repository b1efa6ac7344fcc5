//! What the browser lab draws and does, as plain Rust that runs and is tested natively; the
//! wasm-only `app` module only renders it and sends commands.
//!
//! - [`lab`]: [`LabRun`], a run of any protocol with time travel, seen as plain data; [`face`]
//!   is what a protocol supplies to appear in it ([`raft_face`], [`commit_face`], [`paxos_face`],
//!   [`balancer_face`]).
//! - What a person does: [`commands`] (server and network commands as engine actions).
//! - What is drawn: [`geometry`] (the stage), [`logs`] (Raft's log view), [`inspect`] (the
//!   inspector), [`history`] and [`marks`] (message spans and time-line marks, from the
//!   engine's typed events),
//!   [`spacetime`] (the space-time diagram), [`palette`] (the balancer's backend colours).
//! - What leaves and comes back: [`share`] (links), [`files`] (scenario and trace files),
//!   [`page`] (the address's options), [`family`] (which page, and bundle, runs which protocol).
//!
//! Nothing here decides an event, so floating point is fine (it only places pixels).

pub mod balancer_face;
pub mod clock;
pub mod commands;
pub mod commit_face;
pub mod face;
pub mod family;
pub mod files;
pub mod geometry;
pub mod history;
pub mod i18n;
pub mod inspect;
#[cfg(feature = "balancer")]
pub mod key_space;
pub mod lab;
pub mod labels;
pub mod log_line;
pub mod logs;
pub mod marks;
pub mod page;
pub mod palette;
pub mod paxos_face;
pub mod raft_face;
pub mod session;
pub mod share;
pub mod shipped;
pub mod spacetime;
pub mod trig;

pub use commands::{NetCommand, NodeCommand};
pub use face::{LabProtocol, Panel};
pub use geometry::Point;
pub use lab::{InvariantView, LabModel, LabRun, MessageView, NodeView};
pub use log_line::LogLine;
pub use logs::{LogCell, LogRow};
