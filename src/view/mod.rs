//! What the browser lab draws, as plain Rust that runs and is tested natively: the geometry of
//! the stage ([`geometry`]) and [`lab::LabRun`], a run with time travel seen as plain data.
//! Nothing here decides an event, so floating point is fine (it only places pixels).

pub mod commands;
pub mod commit_face;
pub mod face;
pub mod files;
pub mod geometry;
pub mod history;
pub mod inspect;
pub mod lab;
pub mod logs;
pub mod marks;
pub mod page;
pub mod raft_face;
pub mod share;
pub mod spacetime;

pub use commands::{NetCommand, NodeCommand};
pub use geometry::Point;
pub use logs::{LogCell, LogRow};
pub use face::{LabProtocol, Panel};
pub use lab::{InvariantView, LabModel, LabRun, LogLine, MessageView, NodeView, SCENARIOS};
