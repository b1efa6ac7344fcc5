//! Two- and three-phase commit in the lab: the coordinator (S1, badge C) and the participants
//! (P), each coloured by where it stands on its latest transaction (prepared, precommitted,
//! committed, aborted), a blocked-time counter on an uncertain participant, message labels
//! (`prepare T1`, `T1 yes`, `commit T1`), and the transactions panel: a row per transaction, a
//! cell per node with its state and the locks it holds, and each node's write-ahead log.

use crate::protocols::commit::checker::table_of;
use crate::protocols::commit::threepc::ThreePc;
use crate::protocols::commit::twopc::TwoPc;
use crate::protocols::commit::{Begin, COORDINATOR, CommitFamily, Table, Tx, TxMessage, TxState};
use crate::scenario::ScenarioProtocol;
use crate::sim::{Engine, Micros, NodeId, NodeSlot};

use super::face::{LabProtocol, MessageFace, NodeFace, Panel, TimerSpan};
use super::inspect::{Field, Inspection, field, message_as_text, sections, span_ms};

/// One node's standing on one transaction, as the transactions panel shows it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TxCell {
    /// The node.
    pub node: NodeId,
    /// `init`, `prepared`, `precommitted`, `committed`, `aborted`; `—` if it never heard of it.
    pub state: &'static str,
    /// It holds the transaction's locks (voted Yes, no decision yet).
    pub locks: bool,
    /// How long it has been (or was) uncertain, in ms.
    pub blocked_ms: Option<u64>,
    /// Named by a broken invariant.
    pub violating: bool,
}

/// One transaction across the cluster.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TxRow {
    /// Its id (`T1`).
    pub id: u64,
    /// A cell per node, S1 first.
    pub cells: Vec<TxCell>,
}

/// The transactions panel.
#[derive(Clone, Debug, PartialEq, Eq, Default)]
pub struct TxPanel {
    /// Every transaction any node knows, by id.
    pub rows: Vec<TxRow>,
    /// Each node's write-ahead log, one line per record (`T1 prepared @ 12.3 ms`), and whether
    /// it is down (its log is what a restart reads).
    pub logs: Vec<(NodeId, bool, Vec<String>)>,
}

fn node_face<P: CommitFamily>(slot: &NodeSlot<P>, now_us: Micros) -> NodeFace {
    let table = table_of(slot);
    let coordinator = slot.id == COORDINATOR;
    let tx = table.latest();
    let caption = tx.map_or_else(|| crate::tr!("idle").to_string(), |t| format!("T{} {}", t.id, state_word(t.state)));
    let blocked = tx.filter(|t| t.holds_locks()).and_then(|t| t.blocked_us(now_us));
    let mut state = format!("{}, {caption}", if coordinator { crate::tr!("coordinator") } else { crate::tr!("participant") });
    if let Some(b) = blocked {
        state.push_str(&crate::tr!(", uncertain for {span}", span = span_ms(b)));
    }
    let Some(_) = slot.state() else {
        return NodeFace { role: "down", badge: "✕", caption, state: crate::tr!("down, {state}", state = state), timer: None };
    };
    let role = tx.map_or("idle", |t| t.state.as_str());
    let timer = slot.timers().iter().min_by_key(|t| t.due_us);
    NodeFace {
        role,
        badge: if coordinator { "C" } else { "P" },
        caption: match blocked {
            Some(b) => format!("{caption} · {} ms", b / 1000),
            None => caption,
        },
        state,
        timer: timer.map(TimerSpan::from),
    }
}

/// A transaction's state in words, in the page's language (its `as_str` is the CSS class).
pub fn state_word(state: TxState) -> &'static str {
    crate::view::i18n::tr(match state {
        TxState::Init => crate::tr_key!("init"),
        TxState::Prepared => crate::tr_key!("prepared"),
        TxState::PreCommitted => crate::tr_key!("precommitted"),
        TxState::Committed => crate::tr_key!("committed"),
        TxState::Aborted => crate::tr_key!("aborted"),
    })
}

fn message_face<M: TxMessage>(msg: &M) -> MessageFace {
    let kind = msg.kind();
    let tx = msg.tx().map(|t| format!("T{t}")).unwrap_or_default();
    let label = match (kind, msg.answer()) {
        ("Begin", _) => crate::tr!("begin {tx}", tx = tx),
        ("Outcome", _) => crate::tr!("outcome {tx}", tx = tx),
        ("Vote" | "DecisionReply" | "StateReply", Some(answer)) => format!("{tx} {}", answer_word(answer)),
        ("Ack", _) => crate::tr!("ack {tx}", tx = tx),
        _ => format!("{} {tx}", short(kind)),
    };
    let class = kind_class(kind, false);
    MessageFace { label: label.trim_end().to_string(), class, square: class == "rv", routine: false }
}

/// Requests from the coordinator as dots, replies paler; the termination protocol and the
/// election of a new coordinator as squares.
fn kind_class(kind: &str, _heartbeat: bool) -> &'static str {
    match kind {
        "Begin" | "Outcome" => "client",
        "Vote" | "DecisionReply" | "StateReply" | "Ack" => "aer",
        "DecisionRequest" | "StateRequest" | "Elect" | "Alive" => "rv",
        _ => "ae",
    }
}

/// A request's word on the stage, in the page's language.
fn short(kind: &str) -> String {
    match kind {
        "DecisionRequest" => crate::tr!("decision?").to_string(),
        "StateRequest" => crate::tr!("state?").to_string(),
        "CanCommit" => crate::tr!("can commit?").to_string(),
        "PreCommit" => crate::tr!("precommit").to_string(),
        "DoCommit" => crate::tr!("do commit").to_string(),
        "Prepare" => crate::tr!("prepare").to_string(),
        "Commit" => crate::tr!("commit").to_string(),
        "Abort" => crate::tr!("abort").to_string(),
        "Elect" => crate::tr!("elect").to_string(),
        "Alive" => crate::tr!("alive").to_string(),
        other => other.to_lowercase(),
    }
}

/// A reply's answer (a vote, a decision, a state: [`TxMessage::answer`]) on the stage, in the
/// page's language.
fn answer_word(answer: &'static str) -> &'static str {
    match answer {
        "yes" => crate::tr!("yes"),
        "no" => crate::tr!("no"),
        "commit" => crate::tr!("commit"),
        "abort" => crate::tr!("abort"),
        "init" => state_word(TxState::Init),
        "prepared" => state_word(TxState::Prepared),
        "precommitted" => state_word(TxState::PreCommitted),
        "committed" => state_word(TxState::Committed),
        "aborted" => state_word(TxState::Aborted),
        other => other,
    }
}

fn tx_line(t: &Tx, now_us: Micros) -> String {
    let mut s = format!("T{}: {}", t.id, t.state.as_str());
    if let Some(v) = t.vote {
        s.push_str(&format!(", voted {}", v.as_str()));
    }
    if t.holds_locks() {
        s.push_str(", holds its locks");
    }
    if let Some(b) = t.blocked_us(now_us).filter(|_| t.vote.is_some()) {
        s.push_str(&format!(", uncertain {}", span_ms(b)));
    }
    s
}

fn inspect_node<P: CommitFamily>(engine: &Engine<P>, id: NodeId) -> Option<Inspection> {
    let slot = engine.nodes().get((id as usize).checked_sub(1)?)?;
    let now = engine.now();
    let table = table_of(slot);
    let coordinator = id == COORDINATOR;
    let mut server = vec![
        field(crate::tr_key!("role"), if coordinator { "coordinator" } else { "participant" }, crate::tr_key!("node 1 coordinates every transaction; the others vote and obey its decision")),
        field(
            "status",
            if !slot.up() {
                "down (crashed)"
            } else if slot.paused() {
                "paused"
            } else {
                "running"
            },
            "a crashed node keeps only its write-ahead log",
        ),
    ];
    let locks: Vec<String> = table.iter().filter(|t| t.holds_locks()).map(|t| format!("T{}", t.id)).collect();
    server.push(field(
        crate::tr_key!("locks held"),
        if locks.is_empty() { "none".to_string() } else { locks.join(", ") },
        crate::tr_key!("a participant holds a transaction's locks from its Yes vote until it learns the decision"),
    ));
    let txs: Vec<Field> = table.iter().map(|t| field(crate::tr_key!("transaction"), tx_line(t, now), crate::tr_key!("where this node stands, as its log says"))).collect();
    let mut timers: Vec<Field> = slot
        .timers()
        .iter()
        .map(|t| {
            field(
                crate::tr_key!("timer"),
                format!("{:?} in {}", t.timer, span_ms(t.due_us.saturating_sub(now))),
                crate::tr_key!("votes, resends and the uncertainty timeout that starts the termination protocol"),
            )
        })
        .collect();
    if timers.is_empty() {
        timers.push(field(crate::tr_key!("timer"), "none armed", ""));
    }
    let log: Vec<String> = match slot.state() {
        Some(n) => P::core(n).log.iter().map(|r| format!("T{} {} @ {}", r.tx, r.entry.name(), span_ms(r.at_us))).collect(),
        None => slot.durable().records.iter().map(|r| format!("T{} {} @ {}", r.tx, r.entry.name(), span_ms(r.at_us))).collect(),
    };
    let title = format!("S{id}: {}{}", if coordinator { "coordinator" } else { "participant" }, if slot.up() { "" } else { ", down" });
    Some(Inspection {
        title,
        sections: vec![(sections::SERVER, server), (crate::tr_key!("Transactions"), txs), (sections::TIMERS, timers)],
        entries_title: crate::tr_key!("write-ahead log"),
        entries: log,
        entries_committed: 0,
    })
}

/// The transactions panel of a commit run.
pub fn tx_panel<P: CommitFamily>(engine: &Engine<P>) -> TxPanel {
    let now = engine.now();
    let tables: Vec<(NodeId, std::borrow::Cow<'_, Table>)> = engine.nodes().iter().map(|s| (s.id, table_of(s))).collect();
    let mut ids: Vec<u64> = tables.iter().flat_map(|(_, t)| t.iter().map(|x| x.id)).collect();
    ids.sort_unstable();
    ids.dedup();
    let flagged: Vec<NodeId> = engine.violations().iter().flatten().flat_map(|v| v.nodes.iter().copied()).collect();
    let rows = ids
        .into_iter()
        .map(|id| TxRow {
            id,
            cells: tables
                .iter()
                .map(|(node, t)| {
                    let tx = t.get(id);
                    TxCell {
                        node: *node,
                        state: tx.map_or("—", |x| x.state.as_str()),
                        locks: tx.is_some_and(Tx::holds_locks),
                        blocked_ms: tx.filter(|x| x.vote.is_some()).and_then(|x| x.blocked_us(now)).map(|b| b / 1000),
                        violating: flagged.contains(node) && tx.is_some_and(|x| x.state.decision().is_some()),
                    }
                })
                .collect(),
        })
        .collect();
    let logs = engine
        .nodes()
        .iter()
        .map(|s| {
            let records = match s.state() {
                Some(n) => &P::core(n).log[..],
                None => &s.durable().records[..],
            };
            (s.id, !s.up(), records.iter().map(|r| format!("T{} {}", r.tx, r.entry.name())).collect())
        })
        .collect();
    TxPanel { rows, logs }
}

/// A blank cluster: S1 coordinates, the rest participate, no transaction yet.
fn playground(protocol: &str, nodes: u32, seed: u64) -> String {
    format!(
        r#"{{"protocol": "{protocol}", "nodes": {nodes}, "seed": {seed},
            "description": "S1 coordinates {participants} participants and nothing is scheduled: press Play, begin transactions with Client request (c), and crash, pause or isolate servers from their menus.",
            "network": {{"latency_ms": [10, 30]}},
            "until_ms": 600000}}"#,
        participants = nodes.saturating_sub(1)
    )
}

macro_rules! commit_lab {
    ($p:ty) => {
        impl LabProtocol for $p {
            fn node_face(&self, slot: &NodeSlot<Self>, now_us: Micros) -> NodeFace {
                node_face(slot, now_us)
            }
            fn message_face(&self, msg: &Self::Msg) -> MessageFace {
                message_face(msg)
            }
            fn inspect_node(engine: &Engine<Self>, id: NodeId) -> Option<Inspection> {
                inspect_node(engine, id)
            }
            fn inspect_message(engine: &Engine<Self>, id: u64) -> Option<Inspection> {
                message_as_text(engine, id, "the message as the trace writes it")
            }
            fn user_request(&self, _n: u64) -> Begin {
                Begin::default()
            }
            fn panel(engine: &Engine<Self>, _leader: Option<NodeId>) -> Panel {
                Panel::new(tx_panel(engine))
            }
            fn playground(&self, nodes: u32, seed: u64) -> String {
                playground(<$p as ScenarioProtocol>::NAME, nodes, seed)
            }
            fn kind_class(kind: &str, heartbeat: bool) -> &'static str {
                kind_class(kind, heartbeat)
            }
            fn lead_word(&self) -> Option<&'static str> {
                Some(crate::tr_key!("the coordinator"))
            }

            fn legend(&self) -> &'static [(&'static str, &'static str)] {
                &[
                    ("", crate::tr_key!("C coordinator (S1), P participant; the caption is its state on the latest transaction and, while it is uncertain, for how long")),
                    ("prepared", crate::tr_key!("prepared (holds locks)")),
                    ("committed", crate::tr_key!("committed")),
                    ("aborted", crate::tr_key!("aborted")),
                    ("msg ae", crate::tr_key!("coordinator's requests and replies (dots)")),
                    ("msg rv", crate::tr_key!("termination protocol and elections (squares)")),
                ]
            }
        }
    };
}

commit_lab!(TwoPc);
commit_lab!(ThreePc);

#[cfg(test)]
mod tests {
    use super::*;
    use crate::protocols::commit::{Decision, Vote, threepc, twopc};

    #[test]
    fn messages_are_labelled_from_their_fields() {
        let labels = |faces: Vec<MessageFace>| faces.into_iter().map(|f| f.label).collect::<Vec<_>>();
        let named = Begin { id: Some(7), ..Begin::default() };
        let two = vec![
            message_face(&twopc::Msg::Begin { seq: 1, request: Begin::default() }),
            message_face(&twopc::Msg::Begin { seq: 2, request: named.clone() }),
            message_face(&twopc::Msg::Vote { tx: 1, vote: Vote::Yes }),
            message_face(&twopc::Msg::DecisionReply { tx: 4, decision: Decision::Commit }),
            message_face(&twopc::Msg::Ack { tx: 1 }),
            message_face(&twopc::Msg::DecisionRequest { tx: 2 }),
        ];
        assert_eq!(labels(two), ["begin", "begin T7", "T1 yes", "T4 commit", "ack T1", "decision? T2"]);
        let three = vec![
            message_face(&threepc::Msg::Outcome { seq: 1, tx: 3, decision: Decision::Abort }),
            message_face(&threepc::Msg::CanCommit { tx: 2, participants: vec![2, 3], plan: crate::protocols::commit::VotePlan::Forced(Vote::Yes) }),
            message_face(&threepc::Msg::StateReply { tx: 3, state: TxState::Prepared }),
            message_face(&threepc::Msg::PreCommit { tx: 5 }),
        ];
        assert_eq!(labels(three), ["outcome T3", "can commit? T2", &format!("T3 {}", TxState::Prepared.as_str()), "precommit T5"]);
    }
}
