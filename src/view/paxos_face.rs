//! Paxos in the lab, single-decree and Multi-Paxos: what each server's roles are doing (a
//! proposer preparing or accepting, an acceptor's promise and vote, a learner's value), the
//! four phases' messages as shapes and colours, and the acceptors panel: every acceptor's
//! promised ballot and accepted votes, and per slot the value the checker saw chosen, when,
//! by which majority, and when each learner learned it. The moment of choice is a global fact
//! no server knows when it happens (Paxos Made Simple, §2.1); the panel and the time line show
//! it next to the learners' moments so the gap is visible.

use std::fmt::Display;

use crate::protocols::kv::Command;
use crate::protocols::paxos::checker::Observed;
use crate::protocols::paxos::multi::{self, MpTimer, MultiPaxos, Role};
use crate::protocols::paxos::single::{self, Paxos, Phase, Proposal};
use crate::protocols::paxos::{Ballot, PaxosChecker};
use crate::sim::{Engine, Message, Micros, NodeId, NodeSlot};

use super::face::{LabProtocol, MessageFace, NodeFace, Panel, TimerSpan};
use super::history::{Marker, MarkerKind};
use super::inspect::{Field, Inspection, field, message_as_text, sections, span_ms};

/// How to read a Paxos message's content.
const BALLOTS: &str = "the message as the trace writes it; ballots read round.proposer";

/// At most this many slots per acceptor and in the chosen list (the latest ones).
pub const SLOTS_SHOWN: usize = 8;

/// The acceptors panel.
#[derive(Clone, Debug, PartialEq, Default)]
pub struct AcceptorPanel {
    /// One row per server.
    pub rows: Vec<AcceptorRow>,
    /// The latest slots with a vote or a choice, oldest first.
    pub slots: Vec<SlotRow>,
    /// Multi-Paxos (slots numbered from 1, a replicated log) rather than a single decree.
    pub multi: bool,
}

/// One server in the acceptors panel.
#[derive(Clone, Debug, PartialEq)]
pub struct AcceptorRow {
    /// The server.
    pub node: NodeId,
    /// Running (a crashed acceptor's row is what its stable storage holds).
    pub up: bool,
    /// `proposer, acceptor, learner` (single decree) or `leader` / `follower`...
    pub roles: String,
    /// The highest ballot it promised (`—` for none, or not an acceptor).
    pub promised: String,
    /// Its latest votes: (slot, ballot, value).
    pub accepted: Vec<(u64, String, String)>,
    /// Named by a broken invariant.
    pub flagged: bool,
}

/// One slot: its choice, if made, and who learned it when.
#[derive(Clone, Debug, PartialEq)]
pub struct SlotRow {
    /// The slot (0 for single-decree Paxos).
    pub slot: u64,
    /// The chosen value, ballot, moment (ms) and majority, if a majority accepted one ballot.
    pub chosen: Option<(String, String, String, String)>,
    /// Each learner that learned it, and when (ms).
    pub learned: Vec<(NodeId, String)>,
}

/// What the panel and markers need of both protocols.
trait PaxosLab: Observed + LabProtocol {
    fn checker_of(engine: &Engine<Self>) -> &PaxosChecker<Self>;
    /// The roles in words.
    fn roles(&self, slot: &NodeSlot<Self>) -> String;
}

impl PaxosLab for Paxos {
    fn checker_of(engine: &Engine<Self>) -> &PaxosChecker<Self> {
        engine.checker()
    }
    fn roles(&self, slot: &NodeSlot<Self>) -> String {
        self.roles_of(slot.id).names().into_iter().map(role_word).collect::<Vec<_>>().join(crate::tr!(", "))
    }
}

impl PaxosLab for MultiPaxos {
    fn checker_of(engine: &Engine<Self>) -> &PaxosChecker<Self> {
        engine.checker()
    }
    fn roles(&self, slot: &NodeSlot<Self>) -> String {
        crate::view::i18n::tr(slot.state().map_or(crate::tr_key!("down"), |n| match n.role {
            Role::Leader => crate::tr_key!("leader"),
            Role::Candidate => crate::tr_key!("candidate"),
            Role::Follower => crate::tr_key!("follower"),
        }))
        .to_string()
    }
}

fn acceptor_panel<P: PaxosLab>(engine: &Engine<P>, multi: bool) -> AcceptorPanel {
    let checker = P::checker_of(engine);
    let flagged: Vec<NodeId> = engine.violations().iter().flatten().flat_map(|v| v.nodes.iter().copied()).collect();
    let rows = engine
        .nodes()
        .iter()
        .map(|slot| {
            let acceptor = P::acceptor_of(slot);
            AcceptorRow {
                node: slot.id,
                up: slot.up(),
                roles: engine.protocol().roles(slot),
                promised: acceptor.map_or("—".to_string(), |a| ballot(a.promised)),
                accepted: acceptor.map_or_else(Vec::new, |a| {
                    let skip = a.accepted.len().saturating_sub(SLOTS_SHOWN);
                    a.accepted.iter().skip(skip).map(|(s, (b, v))| (*s, ballot(*b), short(v))).collect()
                }),
                flagged: flagged.contains(&slot.id),
            }
        })
        .collect();
    // Slots anyone voted in or the checker saw chosen, the latest SLOTS_SHOWN.
    let mut slots: Vec<u64> = engine.nodes().iter().filter_map(P::acceptor_of).flat_map(|a| a.accepted.keys().copied()).collect();
    slots.extend(checker.chosen().keys().copied());
    slots.sort_unstable();
    slots.dedup();
    let skip = slots.len().saturating_sub(SLOTS_SHOWN);
    let slots = slots
        .into_iter()
        .skip(skip)
        .map(|s| SlotRow {
            slot: s,
            chosen: checker.chosen().get(&s).map(|c| {
                let by: Vec<String> = c.by.iter().map(|n| format!("S{n}")).collect();
                (short(&c.value), ballot(c.ballot), span_ms(c.at_us), by.join(" "))
            }),
            learned: checker.learned_at().get(&s).map_or_else(Vec::new, |m| m.iter().map(|(n, at)| (*n, span_ms(*at))).collect()),
        })
        .collect();
    AcceptorPanel { rows, slots, multi }
}

/// The moments the checker saw values chosen after event `after`, as time-line markers.
fn chosen_markers<P: PaxosLab>(engine: &Engine<P>, after: Option<u64>) -> Vec<Marker> {
    P::checker_of(engine)
        .chosen()
        .iter()
        .filter(|(_, c)| after.is_none_or(|k| c.event > k))
        .map(|(slot, c)| {
            let slot = (engine.protocol().name() != "paxos").then_some(*slot);
            Marker {
                event: c.event,
                at_us: c.at_us,
                kind: MarkerKind::Chosen,
                text: crate::view::history::MarkerText::Chosen { value: short(&c.value), slot, by: c.by.clone() },
                word: None,
                node: None,
            }
        })
        .collect()
}

/// Phase 1 (Prepare, Promise, Nack) as squares, phase 2 as dots, clients purple; shared by
/// both protocols, whose message types have the same names.
fn kind_class(kind: &str, heartbeat: bool) -> &'static str {
    match kind {
        "Prepare" => "rv",
        "Promise" | "Nack" => "rvr",
        "Heartbeat" if heartbeat => "ae heartbeat",
        "Accept" | "Heartbeat" | "Decide" => "ae",
        "Accepted" | "Behind" | "Ask" => "aer",
        _ => "client",
    }
}

fn ballot(b: Ballot) -> String {
    if b.is_zero() { "—".to_string() } else { b.to_string() }
}

/// A value as the stage and panel show it: short, without the client's request id.
fn short(v: &impl Display) -> String {
    let s = v.to_string();
    let s = s.split(" (C").next().unwrap_or(&s).trim_matches('"').to_string();
    if s.chars().count() > 14 { format!("{}…", s.chars().take(13).collect::<String>()) } else { s }
}

fn acceptor_fields<V: Display>(a: Option<&crate::protocols::paxos::acceptor::Acceptor<V>>) -> Vec<Field> {
    let Some(a) = a else {
        return vec![field(crate::tr_key!("acceptor"), "not an acceptor", "")];
    };
    let mut fields = vec![field(crate::tr_key!("promised"), ballot(a.promised), crate::tr_key!("the highest ballot it promised: it will accept no lower one (kept on stable storage)"))];
    if a.accepted.is_empty() {
        fields.push(field(crate::tr_key!("accepted"), "nothing yet", crate::tr_key!("its vote: the highest-ballot proposal it accepted")));
    }
    for (s, (b, v)) in &a.accepted {
        fields.push(field(crate::tr_key!("accepted"), format!("slot {s}: {v} in ballot {b}"), crate::tr_key!("its vote: the highest-ballot proposal it accepted (kept on stable storage)")));
    }
    fields
}

fn timer_fields<P: LabProtocol>(slot: &NodeSlot<P>, now: Micros) -> Vec<Field> {
    let mut timers: Vec<Field> = slot.timers().iter().map(|t| field(crate::tr_key!("timer"), format!("{} in {}", t.timer, span_ms(t.due_us.saturating_sub(now))), "")).collect();
    if timers.is_empty() {
        timers.push(field(crate::tr_key!("timer"), "none armed", ""));
    }
    timers
}

fn status(slot_up: bool, paused: bool) -> &'static str {
    if !slot_up {
        "down (crashed)"
    } else if paused {
        "paused"
    } else {
        "running"
    }
}

/// A Paxos role's name (`Roles::names`) in the page's language.
fn role_word(name: &'static str) -> &'static str {
    match name {
        "proposer" => crate::tr!("proposer"),
        "acceptor" => crate::tr!("acceptor"),
        "learner" => crate::tr!("learner"),
        other => other,
    }
}

impl LabProtocol for Paxos {
    fn node_face(&self, slot: &NodeSlot<Self>, _now_us: Micros) -> NodeFace {
        let roles = self.roles_of(slot.id);
        let learned = Paxos::learned_of(slot).values().next().cloned();
        let Some(n) = slot.state() else {
            let promised = slot.durable().acceptor.promised;
            return NodeFace { role: "down", badge: "✕", caption: crate::tr!("promised {b}", b = ballot(promised)), state: crate::tr!("down, promised {b}", b = ballot(promised)), timer: None };
        };
        let vote = n.acceptor.accepted.values().next();
        let (role, badge, caption) = match (&n.phase, &learned) {
            (Phase::Preparing { ballot: b, .. }, _) if roles.proposer => ("proposing", "P", crate::tr!("prepare {b}", b = b)),
            (Phase::Accepting { ballot: b, value, .. }, _) if roles.proposer => ("leading", "P", crate::tr!("accept {v} @{b}", v = value, b = b)),
            (_, Some(v)) => ("learned", if roles.learner { "L" } else { "A" }, crate::tr!("learned {v}", v = v)),
            _ if roles.acceptor => match vote {
                Some((b, v)) => ("accepted", "A", crate::tr!("accepted {v} @{b}", v = v, b = b)),
                None if !n.acceptor.promised.is_zero() => ("promised", "A", crate::tr!("promised {b}", b = n.acceptor.promised)),
                None => ("idle", "A", crate::tr!("no promise").to_string()),
            },
            _ if roles.proposer => ("idle", "P", crate::tr!("idle").to_string()),
            _ => ("idle", "L", crate::tr!("waiting").to_string()),
        };
        let names: Vec<&str> = roles.names().into_iter().map(role_word).collect();
        let mut state = format!("{}: {caption}", names.join(crate::tr!(", ")));
        if let (true, Some((b, v))) = (badge == "P", vote) {
            state.push_str(&crate::tr!("; its acceptor accepted {v} @{b}", v = v, b = b));
        }
        NodeFace { role, badge, caption, state, timer: None }
    }

    fn message_face(&self, msg: &single::Msg) -> MessageFace {
        use single::Msg as M;
        let label = match msg {
            M::Prepare { ballot } => crate::tr!("prep {b}", b = ballot),
            M::Promise { ballot, accepted: None } => crate::tr!("ok {b}", b = ballot),
            M::Promise { ballot, accepted: Some((ab, v)) } => crate::tr!("ok {b} {v}@{ab}", b = ballot, v = short(v), ab = ab),
            M::Nack { promised, .. } => crate::tr!("no: {b}", b = promised),
            M::Accept { ballot, value } => crate::tr!("acc {v} @{b}", v = short(value), b = ballot),
            M::Accepted { ballot, value } => format!("✓ {} @{ballot}", short(value)),
            M::Decide { value } | M::Chosen { value, .. } => crate::tr!("{v} chosen", v = short(value)),
            M::Propose { value, .. } => crate::tr!("propose {v}", v = short(value)),
            M::Ask => crate::tr!("chosen?").to_string(),
        };
        let class = kind_class(msg.kind(), false);
        MessageFace { label, class, square: matches!(class, "rv" | "rvr"), routine: false }
    }

    fn inspect_node(engine: &Engine<Self>, id: NodeId) -> Option<Inspection> {
        let slot = engine.nodes().get((id as usize).checked_sub(1)?)?;
        let p = engine.protocol();
        let now = engine.now();
        let roles = p.roles_of(id);
        let mut server = vec![
            field(crate::tr_key!("roles"), roles.names().join(", "), crate::tr_key!("set in the scenario: a node may propose, accept and learn")),
            field(crate::tr_key!("status"), status(slot.up(), slot.paused()), crate::tr_key!("a crashed server keeps only what its acceptor and proposer saved")),
        ];
        let mut proposer = Vec::new();
        if roles.proposer {
            let (round, value, phase) = match slot.state() {
                Some(n) => (n.round, n.value.clone(), n.phase.clone()),
                None => (slot.durable().round, slot.durable().value.clone(), Phase::Idle),
            };
            proposer.push(field(crate::tr_key!("round"), round.to_string(), crate::tr_key!("its ballots are (round, its id); a new attempt takes a round above any it has seen")));
            proposer.push(field(
                crate::tr_key!("value"),
                value.unwrap_or_else(|| "none asked".into()),
                crate::tr_key!("the value it was asked to propose (it must propose an accepted one instead, if a promise reports one)"),
            ));
            proposer.push(field(
                "phase",
                match &phase {
                    Phase::Idle => "idle".to_string(),
                    Phase::Preparing { ballot, promises } => format!("phase 1 with ballot {ballot}: {} promises", promises.len()),
                    Phase::Accepting { ballot, value, accepted } => format!("phase 2 with ballot {ballot}, value {value}: {} accepted", accepted.len()),
                    Phase::Done { value } => format!("done: {value} chosen"),
                },
                "phase 1: prepare and gather a majority of promises; phase 2: ask that majority to accept",
            ));
        }
        let learned: Vec<Field> = Paxos::learned_of(slot).values().map(|v| field(crate::tr_key!("learned"), v.clone(), crate::tr_key!("what this learner knows was chosen"))).collect();
        server.push(field(
            "learned",
            if learned.is_empty() { "nothing yet".to_string() } else { learned.iter().map(|f| f.value.clone()).collect::<Vec<_>>().join(", ") },
            "what this learner knows was chosen",
        ));
        let mut out = vec![(sections::SERVER, server)];
        if !proposer.is_empty() {
            out.push((crate::tr_key!("Proposer"), proposer));
        }
        out.push((crate::tr_key!("Acceptor (stable storage)"), acceptor_fields(Paxos::acceptor_of(slot))));
        out.push((sections::TIMERS, timer_fields(slot, now)));
        Some(Inspection { title: format!("S{id}: {}{}", roles.names().join(", "), if slot.up() { "" } else { ", down" }), sections: out, entries_title: "", entries: Vec::new(), entries_committed: 0 })
    }

    fn inspect_message(engine: &Engine<Self>, id: u64) -> Option<Inspection> {
        message_as_text(engine, id, BALLOTS)
    }

    fn user_request(&self, n: u64) -> Proposal {
        Proposal { value: format!("v{n}") }
    }

    fn panel(engine: &Engine<Self>, _leader: Option<NodeId>) -> Panel {
        Panel::new(acceptor_panel(engine, false))
    }

    fn playground(&self, nodes: u32, seed: u64) -> String {
        format!(
            r#"{{"protocol": "paxos", "nodes": {nodes}, "seed": {seed},
                "description": "{nodes} servers, each a proposer, acceptor and learner, and nothing proposed yet: press Play, then ask a server to propose with Client request (c), twice on two servers to see them duel.",
                "network": {{"latency_ms": [10, 30]}},
                "until_ms": 600000}}"#
        )
    }

    fn checker_markers(engine: &Engine<Self>, after: Option<u64>) -> Vec<Marker> {
        chosen_markers(engine, after)
    }

    fn kind_class(kind: &str, heartbeat: bool) -> &'static str {
        kind_class(kind, heartbeat)
    }

    fn lead_word(&self) -> Option<&'static str> {
        None
    }

    fn legend(&self) -> &'static [(&'static str, &'static str)] {
        &[
            ("", crate::tr_key!("P proposer, A acceptor, L learner: the badge is the role at work; the caption its state")),
            ("proposing", crate::tr_key!("proposing: phase 1 (prepare)")),
            ("leading", crate::tr_key!("proposing: phase 2 (accept)")),
            ("promised", crate::tr_key!("promised a ballot")),
            ("accepted", crate::tr_key!("accepted a value")),
            ("learned", crate::tr_key!("learned the chosen value")),
            ("msg rv", crate::tr_key!("Prepare and Promise/Nack (squares)")),
            ("msg ae", crate::tr_key!("Accept and Accepted (dots)")),
        ]
    }
}

impl LabProtocol for MultiPaxos {
    fn node_face(&self, slot: &NodeSlot<Self>, _now_us: Micros) -> NodeFace {
        let Some(n) = slot.state() else {
            let d = slot.durable();
            return NodeFace {
                role: "down",
                badge: "✕",
                caption: crate::tr!("promised {b}", b = ballot(d.acceptor.promised)),
                state: crate::tr!("down, promised {b}", b = ballot(d.acceptor.promised)),
                timer: None,
            };
        };
        let (role, badge, word) = match n.role {
            Role::Leader => ("leader", "L", crate::tr!("leader")),
            Role::Candidate => ("candidate", "C", crate::tr!("candidate")),
            Role::Follower => ("follower", "F", crate::tr!("follower")),
        };
        let timer = slot.timers().iter().find(|t| t.timer == MpTimer::Election);
        let applied = crate::tr!("{n} applied", n = n.applied);
        NodeFace {
            role,
            badge,
            caption: if n.ballot.is_zero() { applied } else { format!("b{} · {applied}", n.ballot) },
            state: crate::tr!("{role}, ballot {b}, {n} slots applied", role = word, b = ballot(n.ballot), n = n.applied),
            timer: timer.map(TimerSpan::from),
        }
    }

    fn message_face(&self, msg: &multi::Msg) -> MessageFace {
        use multi::Msg as M;
        let label = match msg {
            M::Prepare { ballot, from_slot } => crate::tr!("prep {b} ≥{slot}", b = ballot, slot = from_slot),
            M::Promise { ballot, accepted } => crate::tr!("ok {b} +{n}", b = ballot, n = accepted.len()),
            M::Nack { promised, .. } => crate::tr!("no: {b}", b = promised),
            M::Accept { slot, entry, .. } => format!("#{slot} {}", short(&entry.command)),
            M::Accepted { slot, .. } => format!("✓{slot}"),
            M::Heartbeat { .. } => "♥".to_string(),
            M::Behind { from, .. } => crate::tr!("need ≥{slot}", slot = from),
            M::Decide { entries } => crate::tr!("{n} decided", n = entries.len()),
            M::ClientRequest { command, .. } => short(command),
            M::ClientReply { .. } => crate::tr!("reply").to_string(),
        };
        let routine = matches!(msg, M::Heartbeat { .. });
        let class = kind_class(msg.kind(), false);
        MessageFace { label, class, square: matches!(class, "rv" | "rvr"), routine }
    }

    fn inspect_node(engine: &Engine<Self>, id: NodeId) -> Option<Inspection> {
        let slot = engine.nodes().get((id as usize).checked_sub(1)?)?;
        let now = engine.now();
        let mut server = vec![field(crate::tr_key!("status"), status(slot.up(), slot.paused()), crate::tr_key!("a crashed server keeps its acceptor's promises and votes and what it learned"))];
        if let Some(n) = slot.state() {
            server.push(field(crate::tr_key!("role"), n.role.as_str(), crate::tr_key!("a leader ran phase 1 once for every slot from `from_slot` on; then only phase 2 per command")));
            server.push(field(crate::tr_key!("ballot"), ballot(n.ballot), crate::tr_key!("the ballot it leads or follows")));
            server.push(field(crate::tr_key!("leader hint"), n.leader_hint.map_or("none".to_string(), |l| format!("S{l}")), crate::tr_key!("where it sends clients")));
            server.push(field(crate::tr_key!("next slot"), n.next_slot.to_string(), crate::tr_key!("the slot its next command takes, when leading")));
            server.push(field(crate::tr_key!("applied"), n.applied.to_string(), crate::tr_key!("slots applied to the key-value store, in order, without gaps")));
        }
        let learned = MultiPaxos::learned_of(slot);
        let entries: Vec<String> = learned.iter().map(|(s, e)| format!("{s}: {e}")).collect();
        Some(Inspection {
            title: format!("S{id}: {}", slot.state().map_or("down", |n| n.role.as_str())),
            sections: vec![(sections::SERVER, server), ("Acceptor (stable storage)", acceptor_fields(MultiPaxos::acceptor_of(slot))), (sections::TIMERS, timer_fields(slot, now))],
            entries_title: crate::tr_key!("learned[] (slot: command)"),
            entries,
            entries_committed: 0,
        })
    }

    fn inspect_message(engine: &Engine<Self>, id: u64) -> Option<Inspection> {
        message_as_text(engine, id, BALLOTS)
    }

    fn user_request(&self, n: u64) -> Command {
        Command::Set { key: format!("k{n}"), value: n.to_string() }
    }

    fn panel(engine: &Engine<Self>, _leader: Option<NodeId>) -> Panel {
        Panel::new(acceptor_panel(engine, true))
    }

    fn playground(&self, nodes: u32, seed: u64) -> String {
        format!(
            r#"{{"protocol": "multipaxos", "nodes": {nodes}, "seed": {seed},
                "description": "A Multi-Paxos cluster of {nodes} with nothing scheduled: press Play, send commands with Client request (c), crash the leader from its menu.",
                "network": {{"latency_ms": [10, 30]}},
                "until_ms": 600000}}"#
        )
    }

    fn checker_markers(engine: &Engine<Self>, after: Option<u64>) -> Vec<Marker> {
        chosen_markers(engine, after)
    }

    fn kind_class(kind: &str, heartbeat: bool) -> &'static str {
        kind_class(kind, heartbeat)
    }

    fn metrics(engine: &Engine<Self>) -> Vec<(&'static str, String)> {
        super::face::kv_metrics(&crate::scenario::compare::stats(engine))
    }

    #[cfg(feature = "raft")]
    fn twins(scenario: &crate::scenario::Scenario) -> Vec<(String, crate::scenario::Scenario)> {
        crate::scenario::compare::counterpart(scenario, "raft").map(|sc| vec![(crate::tr!("Raft on the same run").to_string(), sc)]).unwrap_or_default()
    }

    fn legend(&self) -> &'static [(&'static str, &'static str)] {
        &[
            ("leader", crate::tr_key!("L leader (ran phase 1 for all later slots)")),
            ("candidate", crate::tr_key!("C candidate (running phase 1)")),
            ("follower", crate::tr_key!("F follower")),
            ("msg rv", crate::tr_key!("Prepare and Promise/Nack (squares)")),
            ("msg ae", crate::tr_key!("Accept / Accepted per slot (dots; hollow = heartbeat)")),
        ]
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::view::lab::LabRun;

    fn run_to_end(name: &str) -> LabRun {
        let mut run = LabRun::shipped(name).expect("shipped");
        let until = run.scenario().until_us;
        run.advance_to(until);
        run
    }

    #[test]
    fn a_single_proposer_s_value_is_chosen_learned_and_marked() {
        let run = run_to_end("paxos-single-proposer.json");
        let panel = run.panel();
        let p = panel.get::<AcceptorPanel>().expect("an acceptors panel");
        let slot = p.slots.first().expect("a slot");
        let (value, _, _, by) = slot.chosen.clone().expect("chosen");
        assert!(!value.is_empty() && by.split(' ').count() >= 3, "{slot:?}");
        assert!(!slot.learned.is_empty(), "learners learned: {slot:?}");
        assert!(p.rows.iter().all(|r| r.promised != "—"), "every acceptor promised: {:?}", p.rows);
        let chosen: Vec<_> = run.markers().iter().filter(|m| m.kind == MarkerKind::Chosen).collect();
        assert_eq!(chosen.len(), 1, "{:?}", run.markers());
        assert!(chosen[0].label().starts_with(&value), "{}", chosen[0].label());
        let learned = run.markers().iter().filter(|m| m.kind == MarkerKind::Learned).count();
        assert_eq!(learned, slot.learned.len(), "a marker per learner");
        assert!(run.markers().iter().filter(|m| m.kind == MarkerKind::Learned).all(|m| m.at_us >= chosen[0].at_us), "learned after chosen");
    }

    #[test]
    fn the_chosen_value_is_marked_before_any_learner_knows_it() {
        let mut run = LabRun::shipped("paxos-chosen-unannounced.json").expect("shipped");
        let mut seen_alone = false;
        while run.step() {
            let chosen = run.markers().iter().any(|m| m.kind == MarkerKind::Chosen);
            let learned = run.markers().iter().any(|m| m.kind == MarkerKind::Learned);
            seen_alone |= chosen && !learned;
        }
        assert!(seen_alone, "there is a moment when the value is chosen and nobody has learned it");
    }

    #[test]
    fn faces_show_roles_and_phases() {
        let mut run = LabRun::shipped("paxos-single-proposer.json").expect("shipped");
        let mut roles = std::collections::BTreeSet::new();
        let mut badges = std::collections::BTreeSet::new();
        let mut unlabelled = Vec::new();
        while run.step() {
            roles.extend(run.nodes().iter().map(|n| n.role));
            badges.extend(run.nodes().iter().map(|n| n.badge));
            unlabelled.extend(run.messages().into_iter().filter(|m| m.label.is_empty()).map(|m| m.kind));
        }
        assert!(unlabelled.is_empty(), "every message has a label: {unlabelled:?}");
        for r in ["proposing", "leading", "promised", "accepted", "learned"] {
            assert!(roles.contains(r), "{r} never shown: {roles:?}");
        }
        assert!(badges.contains("P") && badges.contains("A"), "{badges:?}");
    }

    #[test]
    fn multi_paxos_shows_leaders_slots_and_its_learned_log() {
        let run = run_to_end("multipaxos-leader-change.json");
        let panel = run.panel();
        let p = panel.get::<AcceptorPanel>().expect("an acceptors panel");
        assert!(p.multi && p.slots.iter().filter(|s| s.chosen.is_some()).count() >= 2, "{:?}", p.slots);
        assert!(run.nodes().iter().any(|n| n.role == "leader"), "a leader at the end");
        let leader = run.leader().expect("a leader");
        let i = run.inspect_node(leader).expect("inspects");
        assert!(!i.entries.is_empty(), "the leader's learned log is listed");
        assert!(run.markers().iter().any(|m| m.kind == MarkerKind::Election), "leader changes are marked");
    }

    #[test]
    fn multi_paxos_compares_with_raft_on_the_same_run() {
        let run = LabRun::shipped("multipaxos-leader-change.json").expect("shipped");
        let twins = run.twins();
        let labels: Vec<&str> = twins.iter().map(|(l, _)| l.as_str()).collect();
        assert_eq!(labels, ["Raft on the same run".to_string(), format!("The same run under seed {}", run.seed() + 1)], "{labels:?}");
        let (_, raft) = &twins[0];
        assert_eq!((raft.protocol.as_str(), raft.seed, raft.schedule.len()), ("raft", run.seed(), run.scenario().schedule.len()));
        let mut twin = LabRun::from_scenario("twin", raft.clone()).expect("builds");
        let mut run = run;
        let until = run.scenario().until_us;
        run.advance_to(until);
        twin.seek_time(until);
        for r in [&run, &twin] {
            let m = r.metrics();
            let committed = m.iter().find(|(n, _)| *n == "commands committed").map(|(_, v)| v.parse::<u64>().expect("a count"));
            assert!(committed.is_some_and(|c| c > 0), "{}: {m:?}", r.scenario().protocol);
            assert!(m.iter().any(|(n, v)| *n == "commit latency p50" && v.ends_with(" ms")), "{m:?}");
        }
        // Raft's twin is Multi-Paxos, in a build that holds both.
        let back = twin.twins();
        assert_eq!(back[0].0, "Multi-Paxos on the same run");
    }

    #[test]
    fn playgrounds_run() {
        for name in ["paxos-single-proposer.json", "multipaxos-leader-change.json"] {
            let run = LabRun::shipped(name).expect("shipped");
            let mut p = run.playground(5, 2).expect("a blank cluster");
            p.advance_to(1_000_000);
            let to = p.leader().unwrap_or(2);
            p.node_command(to, crate::view::NodeCommand::ClientRequest);
            p.advance_to(3_000_000);
            assert!(p.invariants().iter().all(|i| i.violation.is_none()), "{name}");
            let shown = p.panel();
            let panel = shown.get::<AcceptorPanel>().expect("acceptors");
            assert!(panel.slots.iter().any(|s| s.chosen.is_some()), "{name}: the request is chosen: {:?}", panel.slots);
        }
    }
}
