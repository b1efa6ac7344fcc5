//! # Raft
//!
//! Raft (Ongaro and Ousterhout, "In Search of an Understandable Consensus Algorithm", extended
//! version, 2014) keeps a replicated log consistent across servers that crash and restart and
//! messages that are lost, delayed, duplicated or reordered. This module follows the paper's
//! Figure 2 rule by rule; the handlers in [`node`] quote the rules they implement.
//!
//! **Leader election (section 5.2).** Every server starts as a follower with a randomized
//! election timeout. A follower that hears nothing from a leader before it fires becomes a
//! candidate: it increments its term, votes for itself, persists both and asks every other
//! server for a vote with RequestVote. A server grants at most one vote per term, and only to a
//! candidate whose log is at least as up-to-date as its own (section 5.4.1: a higher last term,
//! or the same last term and at least as long). A candidate with votes from a majority leads the
//! term; the randomized timeouts make split votes rare and short.
//!
//! **Log replication (section 5.3).** The leader appends a client's command to its log and sends
//! AppendEntries, which carries the index and term of the entry just before the new ones. A
//! follower accepts only if its log holds that entry (the consistency check); otherwise the
//! leader backs up its `nextIndex` for that follower and retries. The follower's reply names the
//! first index of its conflicting term so a whole term is skipped in one round trip. Conflicting
//! entries on a follower are deleted; matching ones are never truncated, so a delayed
//! AppendEntries cannot undo a newer one.
//!
//! **Commitment (sections 5.3, 5.4.2 and Figure 8).** A leader commits an entry of its *own*
//! term once a majority stores it; earlier entries are committed indirectly with it. Counting
//! replicas of an older term's entry is not enough: Figure 8 shows such an entry, stored on a
//! majority, being overwritten by a later leader. [`PlantedBug::CommitPreviousTerm`] drops that
//! rule so tests can show the checker catching the consequence.
//!
//! **Safety (Figure 3).** [`checker::RaftChecker`] verifies after every event, from outside the
//! servers: Election Safety, Leader Append-Only, Log Matching, Leader Completeness and State
//! Machine Safety.
//!
//! **Durability.** `currentTerm`, `votedFor` and the log are saved ([`crate::sim::Ctx::persist`])
//! before any message that depends on them is sent; a crash loses everything else, and a
//! restarted server rebuilds its key-value store by re-applying entries as it learns they are
//! committed.
//!
//! **Clients (section 8).** A client sends a command to the server it believes leads; followers
//! redirect it; it retries elsewhere on a timeout, and trusts that timeout over a redirect back
//! to the server that did not answer (a leader cut off in a minority, which its follower still
//! points at: [`crate::protocols::kv::client`]). Commands carry a per-client number so a retry
//! is applied once.

pub mod checker;
pub mod messages;
pub mod node;

use serde::Serialize;
use serde_json::{Value, json};

pub use crate::protocols::kv::{Command, KvClient as RaftClient};
pub use checker::RaftChecker;
pub use messages::{Entry, Msg, RaftNote, RaftTimer};

use crate::protocols::kv::{KvClient, KvService};
pub use node::{RaftNode, Role};

use crate::sim::{Addr, ClientId, Ctx, Micros, NodeId, Protocol, World, ms, time::to_ms_f64};
use crate::sim::{Checked, Report};

/// A deliberately wrong rule, for showing that the checker catches what it should.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub enum PlantedBug {
    /// Leaders commit entries of earlier terms by counting replicas (what Figure 8 forbids).
    CommitPreviousTerm,
}

/// Raft's configuration; also the [`Protocol`] value.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Raft {
    /// Election timeouts are drawn uniformly from this range.
    pub election_timeout_us: (Micros, Micros),
    /// A leader's idle interval between AppendEntries.
    pub heartbeat_us: Micros,
    /// How long a client waits before retrying elsewhere.
    pub client_timeout_us: Micros,
    /// Upper bound on entries in one AppendEntries.
    pub max_entries_per_append: usize,
    /// Whether a new leader appends an empty entry of its term (section 8); off by default, as
    /// in Figure 2, so that Figure 8 can be reproduced.
    pub leader_noop: bool,
    /// A rule broken on purpose (tests and lessons only).
    pub planted_bug: Option<PlantedBug>,
}

impl Default for Raft {
    fn default() -> Self {
        Raft { election_timeout_us: (ms(150), ms(300)), heartbeat_us: ms(50), client_timeout_us: ms(500), max_entries_per_append: 64, leader_noop: false, planted_bug: None }
    }
}

/// What a Raft server keeps on stable storage (Figure 2's persistent state).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Durable {
    /// currentTerm.
    pub term: u64,
    /// votedFor.
    pub voted_for: Option<NodeId>,
    /// log[].
    pub log: Vec<Entry>,
}

fn log_json(log: &[Entry]) -> Value {
    Value::Array(log.iter().map(|e| json!({"term": e.term, "command": e.command.to_string()})).collect())
}

impl KvService for Raft {
    fn client_timeout_us(&self) -> Micros {
        self.client_timeout_us
    }
    fn client_request(seq: u64, command: Command) -> Msg {
        Msg::ClientRequest { seq, command }
    }
    fn client_retry_timer() -> RaftTimer {
        RaftTimer::ClientRetry
    }
}

impl Protocol for Raft {
    type Msg = Msg;
    type Timer = RaftTimer;
    type Note = RaftNote;
    type Durable = Durable;
    type Node = RaftNode;
    type Client = RaftClient;
    type Request = Command;

    fn name(&self) -> &'static str {
        "raft"
    }

    fn fresh_durable(&self, _id: NodeId) -> Durable {
        Durable::default()
    }

    fn boot(&self, id: NodeId, durable: &Durable, ctx: &mut Ctx<Self>) -> RaftNode {
        let node = RaftNode::boot(id, ctx.nodes(), durable);
        node.start(self, ctx);
        node
    }

    fn on_message(&self, node: &mut RaftNode, from: Addr, msg: Msg, ctx: &mut Ctx<Self>) {
        match (from, msg) {
            (Addr::Node(f), Msg::RequestVote { term, last_log_index, last_log_term }) => node.on_request_vote(f, term, last_log_index, last_log_term, self, ctx),
            (Addr::Node(f), Msg::RequestVoteReply { term, granted }) => node.on_request_vote_reply(f, term, granted, self, ctx),
            (Addr::Node(f), Msg::AppendEntries { term, prev_log_index, prev_log_term, entries, leader_commit }) => {
                node.on_append_entries(f, term, prev_log_index, prev_log_term, entries, leader_commit, self, ctx)
            }
            (Addr::Node(f), Msg::AppendEntriesReply { term, success, match_index, conflict_index, conflict_term }) => {
                node.on_append_entries_reply(f, term, success, match_index, conflict_index, conflict_term, self, ctx)
            }
            (Addr::Client(c), Msg::ClientRequest { seq, command }) => node.on_client_request(Some((c, seq)), command, self, ctx),
            // Servers never receive replies meant for clients, nor client traffic from servers.
            _ => {}
        }
    }

    fn on_timer(&self, node: &mut RaftNode, timer: RaftTimer, ctx: &mut Ctx<Self>) {
        match timer {
            RaftTimer::Election => node.on_election_timeout(self, ctx),
            RaftTimer::Heartbeat => node.on_heartbeat(self, ctx),
            RaftTimer::ClientRetry => {}
        }
    }

    fn on_request(&self, node: &mut RaftNode, request: Command, ctx: &mut Ctx<Self>) {
        node.on_client_request(None, request, self, ctx);
    }

    fn save(&self, node: &mut RaftNode, durable: &mut Durable) {
        node.save(durable);
    }

    fn new_client(&self, id: ClientId) -> RaftClient {
        RaftClient::new(id)
    }

    fn client_submit(&self, client: &mut RaftClient, request: Command, ctx: &mut Ctx<Self>) {
        client.submit(request, self, ctx);
    }

    fn client_on_message(&self, client: &mut RaftClient, from: Addr, msg: Msg, ctx: &mut Ctx<Self>) {
        if let Msg::ClientReply { seq, outcome } = msg {
            client.on_reply(from, seq, outcome, self, ctx);
        }
    }

    fn client_on_timer(&self, client: &mut RaftClient, timer: RaftTimer, ctx: &mut Ctx<Self>) {
        if timer == RaftTimer::ClientRetry {
            client.on_timeout(self, ctx);
        }
    }

    /// The leader of the highest term among running servers.
    fn leader(&self, nodes: &[Option<&RaftNode>]) -> Option<NodeId> {
        nodes.iter().flatten().filter(|n| n.role == Role::Leader).max_by_key(|n| n.term).map(|n| n.id)
    }

    fn timeout_now_timer(&self, node: &RaftNode) -> Option<RaftTimer> {
        Some(if node.role == Role::Leader { RaftTimer::Heartbeat } else { RaftTimer::Election })
    }
}

impl Checked for Raft {
    type Checker = RaftChecker;

    fn checker(&self, nodes: u32) -> RaftChecker {
        RaftChecker::new(nodes)
    }
}

impl Report for Raft {
    fn node_view(&self, n: &RaftNode) -> Value {
        let mut v = json!({
            "role": n.role.as_str(),
            "term": n.term,
            "voted_for": n.voted_for,
            "commit_index": n.commit_index,
            "last_applied": n.last_applied,
            "leader": n.leader_hint,
            "log": log_json(&n.log),
            "kv": n.kv.data,
        });
        if n.role == Role::Leader {
            v["next_index"] = json!(n.next_index);
            v["match_index"] = json!(n.match_index);
        }
        if n.role == Role::Candidate {
            v["votes"] = json!(n.votes);
        }
        v
    }

    fn durable_view(&self, d: &Durable) -> Value {
        json!({"role": "follower", "term": d.term, "voted_for": d.voted_for, "commit_index": 0, "last_applied": 0, "leader": null, "log": log_json(&d.log), "kv": {}})
    }

    fn client_view(&self, c: &RaftClient) -> Value {
        c.view()
    }

    fn history(&self, clients: &[&KvClient]) -> Option<Value> {
        Some(json!(crate::protocols::kv::history(clients.iter().copied())))
    }

    fn outcome(&self, _world: &World<'_, Self>, checker: &RaftChecker) -> Value {
        json!({
            "leaders": checker.leaders.iter().map(|(term, (node, at))| json!({"term": term, "node": node, "at_ms": to_ms_f64(*at)})).collect::<Vec<_>>(),
            "committed": checker.committed().filter(|e| *e.command != Command::Noop).map(|e| e.command.to_string()).collect::<Vec<_>>(),
        })
    }
}

#[cfg(test)]
mod tests;
