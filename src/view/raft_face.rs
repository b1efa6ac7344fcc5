//! Raft in the lab: role badges (L/C/F), the term, the draining election timer, message
//! labels (`vote? t2`, `+3`, `ok 4`, ♥ for a heartbeat) and the log view.

use crate::protocols::raft::{Command, Msg, Raft, RaftTimer, Role};
use crate::sim::{Engine, Micros, NodeId, NodeSlot};

use super::face::{LabProtocol, MessageFace, NodeFace, Panel, TimerSpan};
use super::inspect::{self, Inspection};
use super::logs::{ServerLog, log_rows, mark_violations};

impl LabProtocol for Raft {
    fn node_face(&self, slot: &NodeSlot<Self>, _now_us: Micros) -> NodeFace {
        let Some(state) = slot.state() else {
            let term = slot.durable().term;
            return NodeFace { role: "down", badge: "✕", caption: format!("t{term}"), state: crate::tr!("down term {term}", term = term), timer: None };
        };
        let (role, badge) = match state.role {
            Role::Leader => ("leader", "L"),
            Role::Candidate => ("candidate", "C"),
            Role::Follower => ("follower", "F"),
        };
        let word = crate::view::i18n::tr(inspect::role_word(state.role));
        let timer = slot.timers().iter().find(|t| t.timer == RaftTimer::Election);
        NodeFace { role, badge, caption: format!("t{}", state.term), state: crate::tr!("{role} term {term}", role = word, term = state.term), timer: timer.map(TimerSpan::from) }
    }

    fn message_face(&self, msg: &Msg) -> MessageFace {
        let (class, square) = match msg {
            Msg::RequestVote { .. } => ("rv", true),
            Msg::RequestVoteReply { .. } => ("rvr", true),
            Msg::AppendEntries { .. } => ("ae", false),
            Msg::AppendEntriesReply { .. } => ("aer", false),
            Msg::ClientRequest { .. } | Msg::ClientReply { .. } => ("client", false),
        };
        let routine = matches!(msg, Msg::AppendEntries { entries, .. } if entries.is_empty());
        MessageFace { label: short_label(msg), class, square, routine }
    }

    fn inspect_node(engine: &Engine<Self>, id: NodeId) -> Option<Inspection> {
        inspect::inspect_node(engine, id)
    }

    fn inspect_message(engine: &Engine<Self>, id: u64) -> Option<Inspection> {
        inspect::inspect_message(engine, id)
    }

    fn user_request(&self, n: u64) -> Command {
        Command::Set { key: format!("k{n}"), value: n.to_string() }
    }

    fn playground(&self, nodes: u32, seed: u64) -> String {
        format!(
            r#"{{"protocol": "raft", "nodes": {nodes}, "seed": {seed},
                "description": "A cluster of {nodes} with nothing scheduled: press Play, then crash, pause, isolate and send requests from the servers' menus and the network panel.",
                "network": {{"latency_ms": [10, 30]}},
                "config": {{"election_timeout_ms": [150, 300], "heartbeat_ms": 50}},
                "until_ms": 600000}}"#
        )
    }

    fn metrics(engine: &Engine<Self>) -> Vec<(&'static str, String)> {
        super::face::kv_metrics(&crate::scenario::compare::stats(engine))
    }

    #[cfg(feature = "paxos")]
    fn twins(scenario: &crate::scenario::Scenario) -> Vec<(String, crate::scenario::Scenario)> {
        crate::scenario::compare::counterpart(scenario, "multipaxos").map(|sc| vec![(crate::tr!("Multi-Paxos on the same run").to_string(), sc)]).unwrap_or_default()
    }

    fn legend(&self) -> &'static [(&'static str, &'static str)] {
        &[
            ("leader", crate::tr_key!("L leader")),
            ("candidate", crate::tr_key!("C candidate")),
            ("follower", crate::tr_key!("F follower")),
            ("msg rv", crate::tr_key!("RequestVote / reply (squares)")),
            ("msg ae", crate::tr_key!("AppendEntries / reply (dots; hollow = heartbeat)")),
        ]
    }

    /// The servers' logs side by side, compared with the leader's (see [`log_rows`]). A down
    /// server shows its durable log, nothing committed.
    fn panel(engine: &Engine<Self>, leader: Option<NodeId>) -> Panel {
        let servers: Vec<ServerLog<'_>> = engine
            .nodes()
            .iter()
            .map(|slot| {
                let state = slot.state();
                ServerLog { id: slot.id, up: slot.up(), role: state.map(|s| s.role), commit: state.map_or(0, |s| s.commit_index), log: state.map_or(&slot.durable().log[..], |s| &s.log[..]) }
            })
            .collect();
        let mut rows = log_rows(&servers, leader);
        for v in engine.violations().iter().flatten() {
            mark_violations(&mut rows, &v.positions);
        }
        Panel::new(rows)
    }
}

/// A message's label on the stage, in the page's language (names, terms and indexes as they
/// are).
pub fn short_label(msg: &Msg) -> String {
    match msg {
        Msg::RequestVote { term, .. } => crate::tr!("vote? t{term}", term = term),
        Msg::RequestVoteReply { granted: true, .. } => crate::tr!("yes").to_string(),
        Msg::RequestVoteReply { granted: false, .. } => crate::tr!("no").to_string(),
        Msg::AppendEntries { entries, .. } if entries.is_empty() => "♥".to_string(),
        Msg::AppendEntries { entries, .. } => format!("+{}", entries.len()),
        Msg::AppendEntriesReply { success: true, match_index, .. } => crate::tr!("ok {i}", i = match_index),
        Msg::AppendEntriesReply { .. } => crate::tr!("nak").to_string(),
        Msg::ClientRequest { command, .. } => command.to_string(),
        Msg::ClientReply { .. } => crate::tr!("reply").to_string(),
    }
}
