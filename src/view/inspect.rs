//! The inspector's content: a server's full state or a message's full content, as labelled
//! fields with a one-line hint each, named as in Figure 2 of the Raft paper (`currentTerm`,
//! `prevLogIndex`, ...) so students can hold the paper next to the screen.
//!
//! Built from the engine as it is now and thrown away after drawing; times are formatted with
//! integer arithmetic only, so a native test sees exactly the text the browser shows.

use crate::protocols::raft::messages::ClientOutcome;
use crate::protocols::raft::{Entry, Msg, Raft, RaftNode, RaftTimer, Role};
use crate::sim::network::{DropReason, Envelope};
use crate::sim::time::AsMs;
use crate::sim::{Addr, Checked, Engine, Message, Micros, NodeId, NodeSlot};

/// One labelled value.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Field {
    /// The name, as the paper spells it where it has one (`votedFor`, `leaderCommit`).
    pub name: &'static str,
    /// The value, ready to show.
    pub value: String,
    /// One line telling a student what the field means.
    pub hint: &'static str,
}

/// What the inspector shows about one server or one message.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Inspection {
    /// The heading: `S3: leader, term 4` or `m17 AppendEntries S1 → S3`.
    pub title: String,
    /// Titled groups of fields, in display order.
    pub sections: Vec<(&'static str, Vec<Field>)>,
    /// The heading of [`Inspection::entries`] (`log[]`, `entries[]`); empty when there is no list.
    pub entries_title: &'static str,
    /// Log entries, one line each, `5: t3 set x 1`: the whole log (a server) or the entries
    /// carried (an AppendEntries). Shown in a scrollable list.
    pub entries: Vec<String>,
    /// How many of the leading `entries` are committed (the server's `commitIndex`; 0 for a
    /// message or a crashed server, whose commit index is volatile and lost).
    pub entries_committed: usize,
}

impl Inspection {
    /// The fields of the section titled `title`.
    pub fn section(&self, title: &str) -> Option<&[Field]> {
        self.sections.iter().find(|(t, _)| *t == title).map(|(_, f)| f.as_slice())
    }

    /// The first field named `name`, in any section.
    pub fn field(&self, name: &str) -> Option<&Field> {
        self.sections.iter().flat_map(|(_, fields)| fields).find(|f| f.name == name)
    }
}

/// Section titles, shared by the builders and the tests.
pub mod sections {
    /// Role, status, leader hint, votes.
    pub const SERVER: &str = crate::tr_key!("Server");
    /// currentTerm, votedFor, log: what survives a crash.
    pub const PERSISTENT: &str = crate::tr_key!("Persistent state (on stable storage)");
    /// What a crashed server will boot from.
    pub const DURABLE: &str = crate::tr_key!("Stable storage (what a restart boots from)");
    /// commitIndex, lastApplied.
    pub const VOLATILE: &str = crate::tr_key!("Volatile state");
    /// nextIndex[] and matchIndex[], one field per other server.
    pub const LEADER: &str = crate::tr_key!("Leader state: nextIndex[], matchIndex[]");
    /// The key-value store and client sessions.
    pub const STATE_MACHINE: &str = crate::tr_key!("State machine");
    /// Pending timers.
    pub const TIMERS: &str = crate::tr_key!("Timers");
    /// A message's id, endpoints, times and fate.
    pub const ENVELOPE: &str = crate::tr_key!("Envelope");
    /// A message's fields.
    pub const PAYLOAD: &str = crate::tr_key!("Payload");
}

/// Field names of per-server rows; clusters have at most 15 servers.
const SERVER_NAMES: [&str; 15] = ["S1", "S2", "S3", "S4", "S5", "S6", "S7", "S8", "S9", "S10", "S11", "S12", "S13", "S14", "S15"];

pub fn field(name: &'static str, value: impl Into<String>, hint: &'static str) -> Field {
    Field { name, value: value.into(), hint }
}

/// A span as milliseconds with one decimal, rounded: `123.4 ms`.
pub fn span_ms(us: Micros) -> String {
    let tenths = us.saturating_add(50) / 100;
    format!("{}.{} ms", tenths / 10, tenths % 10)
}

/// A moment as the trace prints it: `456.789 ms`.
pub fn at_ms(us: Micros) -> String {
    format!("{} ms", AsMs(us))
}

/// A Raft role in words, for [`crate::view::i18n::tr`].
pub(super) fn role_word(role: Role) -> &'static str {
    match role {
        Role::Follower => crate::tr_key!("follower"),
        Role::Candidate => crate::tr_key!("candidate"),
        Role::Leader => crate::tr_key!("leader"),
    }
}

fn server_or(id: Option<NodeId>, none: &str) -> String {
    id.map_or_else(|| none.to_string(), |id| format!("S{id}"))
}

fn entry_line(index: u64, e: &Entry) -> String {
    format!("{index}: t{} {}", e.term, e.command)
}

fn log_lines(log: &[Entry], first_index: u64) -> Vec<String> {
    log.iter().enumerate().map(|(i, e)| entry_line(first_index + i as u64, e)).collect()
}

fn last_entry(log: &[Entry]) -> String {
    log.last().map_or_else(|| crate::tr!("none (empty log)").to_string(), |e| crate::tr!("index {i} @ term {t}", i = log.len(), t = e.term))
}

fn persistent_fields(term: u64, voted_for: Option<NodeId>, log: &[Entry]) -> Vec<Field> {
    vec![
        field("currentTerm", term.to_string(), crate::tr_key!("latest term this server has seen; only ever increases (persisted)")),
        field("votedFor", server_or(voted_for, crate::tr!("nobody")), crate::tr_key!("the candidate this server voted for in its current term (persisted)")),
        field(
            "log[]",
            if log.len() == 1 { crate::tr!("1 entry").to_string() } else { crate::tr!("{n} entries", n = log.len()) },
            crate::tr_key!("commands, each with the term a leader received it in (persisted)"),
        ),
        field(crate::tr_key!("last entry"), last_entry(log), crate::tr_key!("index and term of the last entry: what RequestVote's up-to-date check compares")),
    ]
}

fn majority(nodes: usize) -> usize {
    nodes / 2 + 1
}

/// Server `id`'s full state, or `None` if there is no such server.
pub fn inspect_node(engine: &Engine<Raft>, id: NodeId) -> Option<Inspection> {
    let slot = engine.nodes().get((id as usize).checked_sub(1)?)?;
    Some(match slot.state() {
        Some(node) => running(engine, slot, node),
        None => crashed(slot),
    })
}

fn crashed(slot: &NodeSlot<Raft>) -> Inspection {
    let d = slot.durable();
    let server = vec![field(crate::tr_key!("status"), "down (crashed)", crate::tr_key!("a crashed server loses its volatile state and timers; messages sent to it are dropped"))];
    Inspection {
        title: crate::tr!("S{id}: down", id = slot.id),
        sections: vec![(sections::SERVER, server), (sections::DURABLE, persistent_fields(d.term, d.voted_for, &d.log))],
        entries_title: crate::tr_key!("log[] on stable storage"),
        entries: log_lines(&d.log, 1),
        entries_committed: 0,
    }
}

fn running(engine: &Engine<Raft>, slot: &NodeSlot<Raft>, n: &RaftNode) -> Inspection {
    let nodes = engine.nodes().len();
    let mut server = vec![
        field(
            crate::tr_key!("role"),
            crate::view::i18n::tr(role_word(n.role)),
            match n.role {
                Role::Follower => crate::tr_key!("a follower answers RPCs and waits; if it hears no leader before its election timer fires, it stands"),
                Role::Candidate => crate::tr_key!("a candidate has voted for itself and asks every server for a vote in its term"),
                Role::Leader => crate::tr_key!("the leader takes client commands, appends them to its log and replicates them"),
            },
        ),
        field(
            crate::tr_key!("status"),
            if slot.paused() { crate::tr!("paused (frozen)") } else { crate::tr!("running") },
            crate::tr_key!("a paused server is frozen, as in a long GC pause: its timers and deliveries wait until it resumes"),
        ),
        field(crate::tr_key!("leader"), server_or(n.leader_hint, crate::tr!("unknown")), crate::tr_key!("who this server believes leads its current term; followers redirect clients there")),
    ];
    if n.role == Role::Candidate {
        let votes: Vec<String> = n.votes.iter().map(|v| format!("S{v}")).collect();
        server.push(field(
            crate::tr_key!("votes received"),
            crate::tr!("{votes} ({n} of {of}, {needed} needed)", votes = votes.join(", "), n = n.votes.len(), of = nodes, needed = majority(nodes)),
            crate::tr_key!("granted votes in this term, its own included; a majority makes it leader"),
        ));
    }
    let volatile = vec![
        field("commitIndex", n.commit_index.to_string(), crate::tr_key!("highest log index known to be committed (stored on a majority); lost on a crash")),
        field("lastApplied", n.last_applied.to_string(), crate::tr_key!("highest log index applied to the state machine; catches up with commitIndex")),
    ];
    let mut sections = vec![(sections::SERVER, server), (sections::PERSISTENT, persistent_fields(n.term, n.voted_for, &n.log)), (sections::VOLATILE, volatile)];
    if n.role == Role::Leader {
        sections.push((sections::LEADER, leader_fields(n)));
    }
    sections.push((sections::STATE_MACHINE, state_machine_fields(n)));
    sections.push((sections::TIMERS, timer_fields(slot, engine.now())));
    let role = crate::view::i18n::tr(role_word(n.role));
    Inspection {
        title: format!("{}{}", crate::tr!("S{id}: {role}, term {term}", id = n.id, role = role, term = n.term), if slot.paused() { crate::tr!(" (paused)") } else { "" }),
        sections,
        entries_title: "log[]",
        entries: log_lines(&n.log, 1),
        entries_committed: (n.commit_index as usize).min(n.log.len()),
    }
}

fn leader_fields(n: &RaftNode) -> Vec<Field> {
    const HINT: &str = crate::tr_key!("nextIndex: the next entry to send that server; matchIndex: the highest entry known stored there");
    let peers = n.next_index.iter().zip(&n.match_index).enumerate().map(|(i, (next, m))| (i as NodeId + 1, *next, *m));
    peers
        .filter(|&(peer, _, _)| peer != n.id)
        .map(|(peer, next, m)| {
            let behind = n.last_index().saturating_sub(m);
            let lag = if behind == 0 { String::new() } else { crate::tr!(" ({behind} behind)", behind = behind) };
            match SERVER_NAMES.get(peer as usize - 1) {
                Some(name) => field(name, format!("nextIndex {next}, matchIndex {m}{lag}"), HINT),
                None => field(crate::tr_key!("server"), format!("S{peer}: nextIndex {next}, matchIndex {m}{lag}"), HINT),
            }
        })
        .collect()
}

fn state_machine_fields(n: &RaftNode) -> Vec<Field> {
    let data = if n.kv.data.is_empty() { crate::tr!("(empty)").to_string() } else { n.kv.data.iter().map(|(k, v)| format!("{k} = {v}")).collect::<Vec<_>>().join(", ") };
    let sessions =
        if n.kv.sessions.is_empty() { crate::tr!("none").to_string() } else { n.kv.sessions.iter().map(|(c, (seq, result))| format!("C{c} #{seq} → {result}")).collect::<Vec<_>>().join(", ") };
    vec![
        field(crate::tr_key!("kv"), data, crate::tr_key!("the key-value store: committed commands applied in log order (volatile: rebuilt by re-applying after a restart)")),
        field(crate::tr_key!("client sessions"), sessions, crate::tr_key!("each client's last applied request and its answer, so a retried request applies once (section 8)")),
    ]
}

fn timer_fields(slot: &NodeSlot<Raft>, now_us: Micros) -> Vec<Field> {
    if slot.timers().is_empty() {
        return vec![field(crate::tr_key!("timers"), crate::tr!("none pending"), crate::tr_key!("a leader's heartbeat timer or a follower's election timer is normally pending"))];
    }
    slot.timers()
        .iter()
        .map(|t| {
            let value = if t.due_us >= now_us {
                crate::tr!(
                    "{timer} in {left} (at {at}; armed for {armed})",
                    timer = t.timer,
                    left = span_ms(t.due_us - now_us),
                    at = at_ms(t.due_us),
                    armed = span_ms(t.due_us.saturating_sub(t.set_us))
                )
            } else {
                // Only a paused server lets a timer pass its due time: it fires on resume.
                crate::tr!("{timer} overdue by {late}: fires when resumed", timer = t.timer, late = span_ms(now_us - t.due_us))
            };
            match t.timer {
                RaftTimer::Election => field(
                    crate::tr_key!("election timer"),
                    value,
                    crate::tr_key!("fires if no leader is heard from: the server becomes a candidate; reset by each AppendEntries and each vote granted"),
                ),
                RaftTimer::Heartbeat => {
                    field(crate::tr_key!("heartbeat timer"), value, crate::tr_key!("the leader sends AppendEntries (empty if nothing new) when it fires, so followers do not stand"))
                }
                RaftTimer::ClientRetry => field(crate::tr_key!("client-retry timer"), value, crate::tr_key!("a client gives up on a server and retries elsewhere")),
            }
        })
        .collect()
}

/// Message `id`'s full content while it is in flight, or `None` if no such message is.
pub fn inspect_message(engine: &Engine<Raft>, id: u64) -> Option<Inspection> {
    let e = engine.network().in_flight().get(&id)?;
    let kind = e.msg.kind();
    let envelope = envelope(engine, e);
    let (payload, entries) = payload(&e.msg, e.from);
    Some(Inspection {
        title: format!("m{} {kind} {} → {}", e.id, e.from, e.to),
        sections: vec![(sections::ENVELOPE, envelope), (sections::PAYLOAD, payload)],
        entries_title: if entries.is_empty() { "" } else { "entries[]" },
        entries,
        entries_committed: 0,
    })
}

/// A message in flight as the trace writes it, under its envelope (`None` once it has left
/// the network): the inspector's view of a message for a protocol without fields of its own
/// to list. `hint` explains how to read the content.
pub fn message_as_text<P: Checked>(engine: &Engine<P>, id: u64, hint: &'static str) -> Option<Inspection> {
    let e = engine.network().in_flight().get(&id)?;
    Some(Inspection {
        title: format!("m{} {} {} → {}", e.id, e.msg.kind(), e.from, e.to),
        sections: vec![(sections::ENVELOPE, envelope(engine, e)), (sections::PAYLOAD, vec![field(crate::tr_key!("content"), e.msg.to_string(), hint)])],
        entries_title: "",
        entries: Vec::new(),
        entries_committed: 0,
    })
}

/// A message's envelope, whatever its protocol: id, type, ends, times, copy, fate.
pub fn envelope<P: Checked>(engine: &Engine<P>, e: &Envelope<P::Msg>) -> Vec<Field> {
    let now = engine.now();
    let kind = e.msg.kind();
    let mut envelope = vec![
        field(crate::tr_key!("id"), format!("m{}", e.id), crate::tr_key!("messages are numbered in the order they were sent")),
        field(crate::tr_key!("type"), kind, crate::tr_key!("the request or reply this is")),
        field(crate::tr_key!("from → to"), format!("{} → {}", e.from, e.to), crate::tr_key!("sender and receiver")),
        field(crate::tr_key!("sent at"), crate::tr!("{at} ({ago} ago)", at = at_ms(e.sent_us), ago = span_ms(now.saturating_sub(e.sent_us))), crate::tr_key!("virtual time when it left the sender")),
        field(
            crate::tr_key!("due at"),
            if e.due_us >= now {
                crate::tr!("{at} (in {left})", at = at_ms(e.due_us), left = span_ms(e.due_us - now))
            } else {
                crate::tr!("{at} ({ago} ago)", at = at_ms(e.due_us), ago = span_ms(now - e.due_us))
            },
            crate::tr_key!("when the network delivers it; latency is drawn per message, so messages can overtake each other"),
        ),
    ];
    if let Some(original) = e.copy_of {
        envelope.push(field(
            crate::tr_key!("duplicate"),
            crate::tr!("a copy of m{id}", id = original),
            crate::tr_key!("the network delivers some messages twice; the protocol must tolerate the repeat"),
        ));
    }
    envelope.push(field(crate::tr_key!("fate"), fate(engine, e), crate::tr_key!("what the network will do with it as things stand (partitions and cuts are judged on arrival)")));
    envelope
}

/// What the network will do with `e` as things stand: its own decision on arrival
/// ([`crate::sim::network::Network::fate`]), told in the order a person looks for it (a loss
/// already decided, a held link, then what stops it, then a paused receiver).
fn fate<P: Checked>(engine: &Engine<P>, e: &Envelope<P::Msg>) -> String {
    let (net, from, to) = (engine.network(), e.from, e.to);
    let receiver = |a: Addr| a.node().and_then(|id| engine.nodes().get((id as usize).checked_sub(1)?));
    let lost = net.fate(e.id, |a| receiver(a).is_none_or(|s| s.up()));
    match lost {
        Ok(Some(DropReason::Loss)) => crate::tr!("lost: the network decided on random loss when it was sent").to_string(),
        _ if e.held => crate::tr!("held on the link {from} → {to} until it is released", from = from, to = to),
        _ if net.is_held(from, to) => crate::tr!("will wait on the link: {from} → {to} is held", from = from, to = to),
        Ok(Some(DropReason::Partition)) => crate::tr!("will be dropped unless healed first: {from} and {to} cannot reach each other", from = from, to = to),
        Ok(Some(DropReason::Cut)) => crate::tr!("will be dropped unless repaired first: the link {from} → {to} is cut", from = from, to = to),
        Ok(Some(_)) => crate::tr!("will be dropped: {to} is down", to = to),
        _ if receiver(to).is_some_and(|s| s.paused()) => crate::tr!("will wait: {to} is paused", to = to),
        _ => crate::tr!("will be delivered").to_string(),
    }
}

fn payload(msg: &Msg, from: Addr) -> (Vec<Field>, Vec<String>) {
    let term_hint = crate::tr_key!("the sender's currentTerm; a receiver with a lower term adopts it and becomes a follower");
    match msg {
        Msg::RequestVote { term, last_log_index, last_log_term } => (
            vec![
                field(crate::tr_key!("term"), term.to_string(), crate::tr_key!("the candidate's term")),
                field("candidateId", from.to_string(), crate::tr_key!("the candidate requesting the vote (the sender)")),
                field("lastLogIndex", last_log_index.to_string(), crate::tr_key!("index of the candidate's last log entry")),
                field("lastLogTerm", last_log_term.to_string(), crate::tr_key!("term of the candidate's last log entry; a voter refuses a candidate whose log is less up-to-date than its own")),
            ],
            Vec::new(),
        ),
        Msg::RequestVoteReply { term, granted } => (
            vec![
                field(crate::tr_key!("term"), term.to_string(), crate::tr_key!("the voter's currentTerm, for the candidate to update itself")),
                field("voteGranted", if *granted { "true" } else { "false" }, crate::tr_key!("true means the candidate received this vote")),
            ],
            Vec::new(),
        ),
        Msg::AppendEntries { term, prev_log_index, prev_log_term, entries, leader_commit } => {
            let carried = match (entries.first(), entries.len()) {
                (None, _) => crate::tr!("none: a heartbeat").to_string(),
                (Some(_), 1) => crate::tr!("1 entry, index {i}", i = prev_log_index + 1),
                (Some(_), k) => crate::tr!("{k} entries, indexes {a}..{b}", k = k, a = prev_log_index + 1, b = prev_log_index + k as u64),
            };
            (
                vec![
                    field(crate::tr_key!("term"), term.to_string(), crate::tr_key!("the leader's term")),
                    field("leaderId", from.to_string(), crate::tr_key!("so the follower can redirect clients (the sender)")),
                    field("prevLogIndex", prev_log_index.to_string(), crate::tr_key!("index of the log entry just before the new ones")),
                    field("prevLogTerm", prev_log_term.to_string(), crate::tr_key!("term of that entry; the follower refuses unless its log has the same (the consistency check)")),
                    field("entries[]", carried, crate::tr_key!("log entries to store; empty for a heartbeat")),
                    field("leaderCommit", leader_commit.to_string(), crate::tr_key!("the leader's commitIndex; the follower commits up to it (or its last new entry)")),
                ],
                log_lines(entries, prev_log_index + 1),
            )
        }
        Msg::AppendEntriesReply { term, success, match_index, conflict_index, conflict_term } => {
            let mut fields = vec![
                field(crate::tr_key!("term"), term.to_string(), term_hint),
                field(crate::tr_key!("success"), if *success { "true" } else { "false" }, crate::tr_key!("true if the follower had an entry matching prevLogIndex and prevLogTerm")),
            ];
            if *success {
                fields.push(field("matchIndex", match_index.to_string(), crate::tr_key!("not in Figure 2: the last index now known to match the leader's log, so the leader can set matchIndex")));
            } else if *conflict_index > 0 {
                fields.push(field(
                    "conflictIndex",
                    conflict_index.to_string(),
                    crate::tr_key!("not in Figure 2 (section 5.3's optimization): where the follower's conflicting term starts, or its log's end + 1"),
                ));
                fields.push(field(
                    "conflictTerm",
                    conflict_term.map_or_else(|| crate::tr!("none (the follower's log is too short)").to_string(), |t| t.to_string()),
                    crate::tr_key!("the term of the follower's conflicting entry, so the leader can skip the whole term"),
                ));
            } else {
                fields.push(field(crate::tr_key!("refused"), crate::tr!("stale term"), crate::tr_key!("the follower's term is newer than the leader's; the leader will step down")));
            }
            (fields, Vec::new())
        }
        Msg::ClientRequest { seq, command } => (
            vec![
                field(crate::tr_key!("client"), from.to_string(), crate::tr_key!("the client actor that sent it")),
                field(crate::tr_key!("seq"), format!("#{seq}"), crate::tr_key!("the client's request number; with the client id it makes a retry apply once")),
                field(crate::tr_key!("command"), command.to_string(), crate::tr_key!("the state-machine command: set, get or del")),
            ],
            Vec::new(),
        ),
        Msg::ClientReply { seq, outcome } => {
            let (name, value, hint) = match outcome {
                ClientOutcome::Done(result) => (crate::tr_key!("result"), result.to_string(), crate::tr_key!("the state machine's answer, sent once the command was committed and applied")),
                ClientOutcome::NotLeader(hint) => (
                    crate::tr_key!("not leader"),
                    crate::tr!("try {who}", who = server_or(*hint, crate::tr!("another server"))),
                    crate::tr_key!("a follower redirects the client to the leader it knows of"),
                ),
            };
            (vec![field(crate::tr_key!("seq"), format!("#{seq}"), crate::tr_key!("the request this answers")), field(name, value, hint)], Vec::new())
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scenario::{Scenario, protocol::setup};
    use crate::sim::{Action, Target, TraceMode};

    fn engine(name: &str) -> Engine<Raft> {
        let text = crate::view::shipped::text(name).expect("a shipped scenario");
        let sc = Scenario::parse(&text, None).expect("it parses");
        let setup = setup::<Raft>(&sc, sc.seed, TraceMode::Off).expect("it sets up");
        Engine::new(setup)
    }

    fn leader(e: &Engine<Raft>) -> NodeId {
        e.nodes().iter().filter_map(NodeSlot::state).find(|n| n.role == Role::Leader).expect("a leader").id
    }

    fn value<'a>(i: &'a Inspection, name: &str) -> &'a str {
        &i.field(name).unwrap_or_else(|| panic!("no field {name} in {i:#?}")).value
    }

    #[test]
    fn the_leader_shows_next_and_match_index_and_followers_do_not() {
        let mut e = engine("raft-election.json");
        e.run_until(1_000_000);
        let id = leader(&e);
        let n = e.nodes()[id as usize - 1].state().expect("up");
        let i = inspect_node(&e, id).expect("a server");
        assert_eq!(value(&i, "role"), "leader");
        assert_eq!(value(&i, "currentTerm"), n.term.to_string());
        assert!(i.title.starts_with(&format!("S{id}: leader")), "{}", i.title);
        let peers = i.section(sections::LEADER).expect("leader state");
        assert_eq!(peers.len(), 4, "one row per other server");
        for f in peers {
            let peer: usize = f.name[1..].parse().expect("named S<id>");
            assert_ne!(peer, id as usize);
            assert!(f.value.starts_with(&format!("nextIndex {}, matchIndex {}", n.next_index[peer - 1], n.match_index[peer - 1])), "{}", f.value);
        }
        // The whole log, committed entries counted, and the client's writes applied.
        assert_eq!(i.entries.len(), n.log.len());
        assert!(n.log.len() > 1);
        assert_eq!(value(&i, "log[]"), format!("{} entries", n.log.len()));
        assert!(i.entries.iter().any(|l| l.ends_with(" set x 1")), "{:?}", i.entries);
        assert_eq!(i.entries_committed as u64, n.commit_index);
        assert_eq!(value(&i, "commitIndex"), n.commit_index.to_string());
        assert!(value(&i, "kv").contains("x = 1"), "{}", value(&i, "kv"));
        assert!(value(&i, "heartbeat timer").starts_with("heartbeat in "), "{}", value(&i, "heartbeat timer"));
        assert!(i.field("election timer").is_none(), "a leader has no election timer");

        let follower = if id == 1 { 2 } else { 1 };
        let f = inspect_node(&e, follower).expect("a server");
        assert_eq!(value(&f, "role"), "follower");
        assert!(f.section(sections::LEADER).is_none());
        assert_eq!(value(&f, "leader"), format!("S{id}"));
        assert_eq!(value(&f, "votedFor"), e.nodes()[follower as usize - 1].state().and_then(|s| s.voted_for).map_or("nobody".to_string(), |v| format!("S{v}")));
        assert!(value(&f, "election timer").contains(" ms (at "), "{}", value(&f, "election timer"));
    }

    #[test]
    fn a_candidate_shows_its_votes_and_timers_count_down() {
        let mut e = engine("raft-election.json");
        e.act(Action::Timeout(Target::Node(3)));
        let i = inspect_node(&e, 3).expect("a server");
        assert_eq!(value(&i, "role"), "candidate");
        assert_eq!(value(&i, "votes received"), "S3 (1 of 5, 3 needed)");
        assert_eq!(value(&i, "votedFor"), "S3");
        let due = e.nodes()[2].timers().iter().next().expect("a pending timer").due_us;
        assert!(value(&i, "election timer").starts_with(&format!("election in {}", span_ms(due))));
        assert_eq!(span_ms(123_449), "123.4 ms");
        assert_eq!(span_ms(123_450), "123.5 ms");
    }

    #[test]
    fn a_crashed_server_shows_its_durable_state() {
        let mut e = engine("raft-election.json");
        e.run_until(1_000_000);
        let id = if leader(&e) == 1 { 2 } else { 1 };
        let before = e.nodes()[id as usize - 1].state().expect("up").clone();
        e.act(Action::Crash(Target::Node(id)));
        let i = inspect_node(&e, id).expect("a server");
        assert_eq!(i.title, format!("S{id}: down"));
        assert_eq!(value(&i, "status"), "down (crashed)");
        assert!(i.section(sections::DURABLE).is_some());
        assert!(i.section(sections::VOLATILE).is_none() && i.section(sections::TIMERS).is_none());
        assert_eq!(value(&i, "currentTerm"), before.term.to_string());
        assert_eq!(i.entries.len(), before.log.len());
        assert!(!i.entries.is_empty());
        assert_eq!(i.entries_committed, 0, "commitIndex is volatile");
    }

    #[test]
    fn a_paused_server_says_so_and_its_overdue_timer_waits() {
        let mut e = engine("raft-election.json");
        e.act(Action::Pause(Target::Node(2)));
        e.run_until(400_000);
        let i = inspect_node(&e, 2).expect("a server");
        assert!(i.title.ends_with("(paused)"));
        assert_eq!(value(&i, "status"), "paused (frozen)");
        assert!(value(&i, "election timer").contains("overdue by"), "{}", value(&i, "election timer"));
    }

    #[test]
    fn an_append_entries_shows_its_entries_and_prev_log_index() {
        let mut e = engine("raft-election.json");
        e.run_until(600_000);
        let id = loop {
            let found = e.network().in_flight().values().find(|m| matches!(&m.msg, Msg::AppendEntries { entries, .. } if !entries.is_empty()));
            if let Some(m) = found {
                break m.id;
            }
            assert!(e.step() && e.now() < 1_000_000, "an AppendEntries with entries by 1 s");
        };
        let env = &e.network().in_flight()[&id];
        let Msg::AppendEntries { prev_log_index, entries, leader_commit, .. } = &env.msg else { unreachable!() };
        let i = inspect_message(&e, id).expect("in flight");
        assert_eq!(i.title, format!("m{id} AppendEntries {} → {}", env.from, env.to));
        assert_eq!(value(&i, "prevLogIndex"), prev_log_index.to_string());
        assert_eq!(value(&i, "leaderCommit"), leader_commit.to_string());
        assert_eq!(value(&i, "leaderId"), env.from.to_string());
        assert_eq!(value(&i, "type"), "AppendEntries");
        assert_eq!(i.entries_title, "entries[]");
        assert_eq!(i.entries.len(), entries.len());
        assert_eq!(i.entries[0], format!("{}: t{} {}", prev_log_index + 1, entries[0].term, entries[0].command));
        assert!(value(&i, "due at").contains("(in "));
        assert_eq!(value(&i, "fate"), "will be delivered");
    }

    #[test]
    fn votes_and_their_fate_are_shown() {
        let mut e = engine("raft-election.json");
        e.act(Action::Timeout(Target::Node(1)));
        e.act(Action::Crash(Target::Node(4)));
        let msgs: Vec<_> = e.network().in_flight().values().map(|m| (m.id, m.to)).collect();
        assert_eq!(msgs.len(), 4, "RequestVote to each other server");
        for (id, to) in msgs {
            let i = inspect_message(&e, id).expect("in flight");
            assert_eq!(value(&i, "candidateId"), "S1");
            assert_eq!(value(&i, "term"), "1");
            assert_eq!(value(&i, "lastLogIndex"), "0");
            assert!(i.entries.is_empty() && i.entries_title.is_empty());
            let expected = if to == Addr::Node(4) { "will be dropped: S4 is down" } else { "will be delivered" };
            assert_eq!(value(&i, "fate"), expected);
        }
    }

    #[test]
    fn unknown_ids_give_none() {
        let e = engine("raft-election.json");
        assert!(inspect_node(&e, 0).is_none());
        assert!(inspect_node(&e, 6).is_none());
        assert!(inspect_node(&e, NodeId::MAX).is_none());
        assert!(inspect_node(&e, 5).is_some());
        assert!(inspect_message(&e, 0).is_none());
        assert!(inspect_message(&e, u64::MAX).is_none());
    }
}
