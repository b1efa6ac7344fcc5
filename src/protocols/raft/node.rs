//! A Raft server: the rules of Figure 2, one handler per message and timer.

use std::collections::BTreeSet;

use serde::Serialize;

use super::messages::{ClientOutcome, Entry, Msg, RaftNote, RaftTimer};
use super::{Durable, PlantedBug, Raft};
use crate::protocols::kv::{Command, Kv};
use crate::sim::{Addr, Ctx, NodeId};

/// A server's role.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Role {
    /// Answers RPCs; becomes a candidate when it hears nothing.
    Follower,
    /// Asks for votes.
    Candidate,
    /// Replicates the log and decides commits.
    Leader,
}

impl Role {
    /// The name used in reports.
    pub fn as_str(self) -> &'static str {
        match self {
            Role::Follower => "follower",
            Role::Candidate => "candidate",
            Role::Leader => "leader",
        }
    }
}

/// A running Raft server. Log indexes are 1-based as in the paper: entry `i` is `log[i - 1]`.
#[derive(Clone, Debug)]
pub struct RaftNode {
    /// This server's id.
    pub id: NodeId,
    /// Follower, candidate or leader.
    pub role: Role,
    /// Persistent: latest term seen.
    pub term: u64,
    /// Persistent: candidate voted for in `term`.
    pub voted_for: Option<NodeId>,
    /// Persistent: the log.
    pub log: Vec<Entry>,
    /// Volatile: highest index known committed.
    pub commit_index: u64,
    /// Volatile: highest index applied to the state machine.
    pub last_applied: u64,
    /// Who this server believes leads its term.
    pub leader_hint: Option<NodeId>,
    /// Candidate: votes received in this term, itself included.
    pub votes: BTreeSet<NodeId>,
    /// Leader: next index to send to each server (index `id - 1`).
    pub next_index: Vec<u64>,
    /// Leader: highest index known replicated on each server (index `id - 1`).
    pub match_index: Vec<u64>,
    /// The state machine.
    pub kv: Kv,
    /// Counts log changes; observers (the checker) use it to skip unchanged logs.
    pub log_version: u64,
    /// First log position not yet in stable storage.
    unsaved_from: usize,
}

impl RaftNode {
    /// A server booting from its durable state: a follower that knows nothing is committed.
    pub fn boot(id: NodeId, nodes: u32, durable: &Durable) -> Self {
        RaftNode {
            id,
            role: Role::Follower,
            term: durable.term,
            voted_for: durable.voted_for,
            log: durable.log.clone(),
            commit_index: 0,
            last_applied: 0,
            leader_hint: None,
            votes: BTreeSet::new(),
            next_index: vec![1; nodes as usize],
            match_index: vec![0; nodes as usize],
            kv: Kv::default(),
            log_version: 0,
            unsaved_from: durable.log.len(),
        }
    }

    /// Index of the last entry (0 when empty).
    pub fn last_index(&self) -> u64 {
        self.log.len() as u64
    }

    /// Term of the entry at `index` (0 for index 0 or past the end).
    pub fn term_at(&self, index: u64) -> u64 {
        if index == 0 { 0 } else { self.log.get(index as usize - 1).map_or(0, |e| e.term) }
    }

    fn last_term(&self) -> u64 {
        self.term_at(self.last_index())
    }

    fn append(&mut self, entry: Entry) {
        self.log.push(entry);
        self.log_version += 1;
    }

    /// Deletes entry `index` and all that follow it.
    fn truncate_from(&mut self, index: u64) {
        self.log.truncate(index as usize - 1);
        self.unsaved_from = self.unsaved_from.min(self.log.len());
        self.log_version += 1;
    }

    /// Copies term, vote and the unsaved part of the log to stable storage.
    pub fn save(&mut self, durable: &mut Durable) {
        durable.term = self.term;
        durable.voted_for = self.voted_for;
        durable.log.truncate(self.unsaved_from);
        durable.log.extend_from_slice(&self.log[self.unsaved_from..]);
        self.unsaved_from = self.log.len();
    }

    fn majority(nodes: u32) -> usize {
        nodes as usize / 2 + 1
    }

    fn reset_election_timer(&self, cfg: &Raft, ctx: &mut Ctx<Raft>) {
        let (lo, hi) = cfg.election_timeout_us;
        let after = ctx.rng().range_inclusive(lo, hi);
        ctx.set_timer(RaftTimer::Election, after);
    }

    /// Called at boot: followers wait for a leader.
    pub fn start(&self, cfg: &Raft, ctx: &mut Ctx<Raft>) {
        self.reset_election_timer(cfg, ctx);
    }

    /// "If RPC request or response contains term T > currentTerm: set currentTerm = T, convert
    /// to follower" (Figure 2, rules for all servers). The caller persists.
    fn adopt_term(&mut self, term: u64, cfg: &Raft, ctx: &mut Ctx<Raft>) {
        let was_leader = self.role == Role::Leader;
        if term > self.term {
            self.term = term;
            self.voted_for = None;
            self.leader_hint = None;
        }
        if self.role != Role::Follower {
            self.role = Role::Follower;
            self.votes.clear();
            ctx.note(RaftNote::Follower { term: self.term });
        }
        if was_leader {
            ctx.cancel_timer(RaftTimer::Heartbeat);
            self.reset_election_timer(cfg, ctx);
        }
    }

    /// Election timeout: become a candidate and ask for votes (section 5.2).
    pub fn on_election_timeout(&mut self, cfg: &Raft, ctx: &mut Ctx<Raft>) {
        if self.role == Role::Leader {
            return;
        }
        // Terms start at most at 2^53 (the scenario parser's limit), so this never overflows in a
        // run; if it did, wrapping to term 0 would make a stale server a fresh leader.
        self.term = self.term.checked_add(1).expect("a term below 2^64 - 1: an election past the largest term would wrap to 0");
        self.role = Role::Candidate;
        self.voted_for = Some(self.id);
        self.leader_hint = None;
        self.votes = BTreeSet::from([self.id]);
        ctx.persist();
        ctx.note(RaftNote::Candidate { term: self.term });
        self.reset_election_timer(cfg, ctx);
        let msg = Msg::RequestVote { term: self.term, last_log_index: self.last_index(), last_log_term: self.last_term() };
        for peer in (1..=ctx.nodes()).filter(|&p| p != self.id) {
            ctx.send_node(peer, msg.clone());
        }
        if self.votes.len() >= Self::majority(ctx.nodes()) {
            self.become_leader(cfg, ctx);
        }
    }

    fn become_leader(&mut self, cfg: &Raft, ctx: &mut Ctx<Raft>) {
        self.role = Role::Leader;
        self.leader_hint = Some(self.id);
        self.votes.clear();
        let next = self.last_index() + 1;
        self.next_index.iter_mut().for_each(|n| *n = next);
        self.match_index.iter_mut().for_each(|m| *m = 0);
        ctx.cancel_timer(RaftTimer::Election);
        ctx.note(RaftNote::Leader { term: self.term });
        if cfg.leader_noop {
            self.append(Entry::new(self.term, Command::Noop));
            ctx.persist();
        }
        self.match_index[self.id as usize - 1] = self.last_index();
        self.broadcast_append(cfg, ctx);
        self.advance_commit(cfg, ctx);
    }

    /// Sends AppendEntries to every peer and re-arms the heartbeat.
    fn broadcast_append(&mut self, cfg: &Raft, ctx: &mut Ctx<Raft>) {
        for peer in (1..=ctx.nodes()).filter(|&p| p != self.id) {
            self.send_append(peer, cfg, ctx);
        }
        ctx.set_timer(RaftTimer::Heartbeat, cfg.heartbeat_us);
    }

    /// AppendEntries to one follower with the entries from its `nextIndex` on (at most
    /// `max_entries_per_append`); empty entries make a heartbeat.
    fn send_append(&self, peer: NodeId, cfg: &Raft, ctx: &mut Ctx<Raft>) {
        let next = self.next_index[peer as usize - 1].clamp(1, self.last_index() + 1);
        let prev_log_index = next - 1;
        let end = (prev_log_index as usize + cfg.max_entries_per_append).min(self.log.len());
        let entries = self.log[prev_log_index as usize..end].to_vec();
        ctx.send_node(peer, Msg::AppendEntries { term: self.term, prev_log_index, prev_log_term: self.term_at(prev_log_index), entries, leader_commit: self.commit_index });
    }

    /// Leader's heartbeat timer.
    pub fn on_heartbeat(&mut self, cfg: &Raft, ctx: &mut Ctx<Raft>) {
        if self.role == Role::Leader {
            self.broadcast_append(cfg, ctx);
        }
    }

    /// RequestVote receiver (Figure 2): grant if the term is current, no other vote was cast in
    /// it, and the candidate's log is at least as up-to-date as ours (section 5.4.1).
    pub fn on_request_vote(&mut self, from: NodeId, term: u64, last_log_index: u64, last_log_term: u64, cfg: &Raft, ctx: &mut Ctx<Raft>) {
        let mut dirty = false;
        if term > self.term {
            self.adopt_term(term, cfg, ctx);
            dirty = true;
        }
        let up_to_date = (last_log_term, last_log_index) >= (self.last_term(), self.last_index());
        let granted = term == self.term && self.voted_for.is_none_or(|v| v == from) && up_to_date;
        if granted {
            dirty |= self.voted_for != Some(from);
            self.voted_for = Some(from);
            self.reset_election_timer(cfg, ctx);
        }
        if dirty {
            ctx.persist();
        }
        ctx.send_node(from, Msg::RequestVoteReply { term: self.term, granted });
    }

    /// A vote comes back: a majority makes a leader.
    pub fn on_request_vote_reply(&mut self, from: NodeId, term: u64, granted: bool, cfg: &Raft, ctx: &mut Ctx<Raft>) {
        if term > self.term {
            self.adopt_term(term, cfg, ctx);
            ctx.persist();
            return;
        }
        if self.role != Role::Candidate || term != self.term || !granted {
            return;
        }
        self.votes.insert(from);
        if self.votes.len() >= Self::majority(ctx.nodes()) {
            self.become_leader(cfg, ctx);
        }
    }

    /// AppendEntries receiver (Figure 2, steps 1-5).
    // One argument per field of the AppendEntries RPC (Figure 2), as the paper names them.
    #[allow(clippy::too_many_arguments)]
    pub fn on_append_entries(&mut self, from: NodeId, term: u64, prev_log_index: u64, prev_log_term: u64, entries: Vec<Entry>, leader_commit: u64, cfg: &Raft, ctx: &mut Ctx<Raft>) {
        // 1. Reply false if term < currentTerm.
        if term < self.term {
            ctx.send_node(from, Msg::AppendEntriesReply { term: self.term, success: false, match_index: 0, conflict_index: 0, conflict_term: None });
            return;
        }
        let mut dirty = false;
        if term > self.term || self.role != Role::Follower {
            dirty = term > self.term;
            self.adopt_term(term, cfg, ctx);
        }
        self.leader_hint = Some(from);
        self.reset_election_timer(cfg, ctx);
        // 2. Reply false if the log has no entry at prevLogIndex whose term matches; say where
        // the conflicting term starts so the leader can skip it in one round trip.
        if prev_log_index > self.last_index() {
            if dirty {
                ctx.persist();
            }
            ctx.send_node(from, Msg::AppendEntriesReply { term: self.term, success: false, match_index: 0, conflict_index: self.last_index() + 1, conflict_term: None });
            return;
        }
        if self.term_at(prev_log_index) != prev_log_term {
            let conflict_term = self.term_at(prev_log_index);
            let mut first = prev_log_index;
            while first > 1 && self.term_at(first - 1) == conflict_term {
                first -= 1;
            }
            if dirty {
                ctx.persist();
            }
            ctx.send_node(from, Msg::AppendEntriesReply { term: self.term, success: false, match_index: 0, conflict_index: first, conflict_term: Some(conflict_term) });
            return;
        }
        // 3. If an existing entry conflicts with a new one (same index, different term), delete
        // it and all that follow. 4. Append any new entries not already in the log. Entries that
        // already match are kept: a delayed, shorter AppendEntries must not truncate the log.
        let match_index = prev_log_index + entries.len() as u64;
        for (offset, entry) in entries.into_iter().enumerate() {
            let index = prev_log_index + 1 + offset as u64;
            if index <= self.last_index() {
                if self.term_at(index) == entry.term {
                    continue;
                }
                self.truncate_from(index);
            }
            self.append(entry);
            dirty = true;
        }
        if dirty {
            ctx.persist();
        }
        // 5. If leaderCommit > commitIndex, set commitIndex = min(leaderCommit, index of last
        // new entry).
        if leader_commit > self.commit_index {
            let new_commit = leader_commit.min(match_index);
            if new_commit > self.commit_index {
                self.commit_index = new_commit;
                ctx.note(RaftNote::Commit { index: new_commit });
                self.apply_committed(ctx);
            }
        }
        ctx.send_node(from, Msg::AppendEntriesReply { term: self.term, success: true, match_index, conflict_index: 0, conflict_term: None });
    }

    /// A follower answers the leader's AppendEntries.
    #[allow(clippy::too_many_arguments)]
    pub fn on_append_entries_reply(&mut self, from: NodeId, term: u64, success: bool, match_index: u64, conflict_index: u64, conflict_term: Option<u64>, cfg: &Raft, ctx: &mut Ctx<Raft>) {
        if term > self.term {
            self.adopt_term(term, cfg, ctx);
            ctx.persist();
            return;
        }
        if self.role != Role::Leader || term != self.term {
            return;
        }
        let f = from as usize - 1;
        if success {
            // Replies may arrive out of order: never move matchIndex backwards.
            self.match_index[f] = self.match_index[f].max(match_index);
            self.next_index[f] = self.next_index[f].max(match_index + 1);
            self.advance_commit(cfg, ctx);
            if self.next_index[f] <= self.last_index() {
                self.send_append(from, cfg, ctx);
            }
            return;
        }
        // Back up nextIndex: past the follower's whole conflicting term if we have none of it,
        // else just after our last entry of that term.
        let next = match conflict_term {
            Some(ct) => match (1..=self.last_index()).rev().find(|&i| self.term_at(i) == ct) {
                Some(last_of_term) => last_of_term + 1,
                None => conflict_index,
            },
            None => conflict_index,
        };
        self.next_index[f] = next.clamp(self.match_index[f] + 1, self.last_index() + 1);
        self.send_append(from, cfg, ctx);
    }

    /// "If there exists an N such that N > commitIndex, a majority of matchIndex[i] >= N, and
    /// log[N].term == currentTerm: set commitIndex = N" (Figure 2). The term condition is what
    /// Figure 8 is about; the planted bug drops it.
    fn advance_commit(&mut self, cfg: &Raft, ctx: &mut Ctx<Raft>) {
        self.match_index[self.id as usize - 1] = self.last_index();
        let majority = Self::majority(ctx.nodes());
        let own_term_only = cfg.planted_bug != Some(PlantedBug::CommitPreviousTerm);
        let mut n = self.last_index();
        while n > self.commit_index {
            if own_term_only && self.term_at(n) != self.term {
                // Earlier entries are older terms too (terms never decrease along a log).
                if self.term_at(n) < self.term {
                    break;
                }
                n -= 1;
                continue;
            }
            if self.match_index.iter().filter(|&&m| m >= n).count() >= majority {
                self.commit_index = n;
                ctx.note(RaftNote::Commit { index: n });
                self.apply_committed(ctx);
                return;
            }
            n -= 1;
        }
    }

    /// Applies committed entries in order; the leader answers the clients waiting on them.
    fn apply_committed(&mut self, ctx: &mut Ctx<Raft>) {
        while self.last_applied < self.commit_index {
            self.last_applied += 1;
            let entry = &self.log[self.last_applied as usize - 1];
            let result = self.kv.apply(&entry.command, entry.origin);
            if let (Role::Leader, Some((client, seq))) = (self.role, entry.origin) {
                ctx.note(RaftNote::Answered { seq, result: result.clone() });
                ctx.send(Addr::Client(client), Msg::ClientReply { seq, outcome: ClientOutcome::Done(result) });
            }
        }
    }

    /// A client's request: only the leader appends it; others redirect (section 8).
    pub fn on_client_request(&mut self, client: Option<(u32, u64)>, command: Command, cfg: &Raft, ctx: &mut Ctx<Raft>) {
        if self.role != Role::Leader {
            match client {
                Some((c, seq)) => ctx.send(Addr::Client(c), Msg::ClientReply { seq, outcome: ClientOutcome::NotLeader(self.leader_hint.filter(|&h| h != self.id)) }),
                None => ctx.note(RaftNote::NotLeader),
            }
            return;
        }
        if let Some((c, seq)) = client {
            if let Some(result) = self.kv.answered(c, seq) {
                ctx.send(Addr::Client(c), Msg::ClientReply { seq, outcome: ClientOutcome::Done(result.clone()) });
                return;
            }
            // A retry of a request already in the log in this term: its answer comes when it
            // applies. One from an earlier term is appended again, because this leader may only
            // commit it through an entry of its own term (Figure 8); the sessions in `Kv` make
            // the second copy a no-op when both apply.
            let start = self.last_applied as usize;
            if self.log[start..].iter().any(|e| e.origin == Some((c, seq)) && e.term == self.term) {
                return;
            }
        }
        self.append(Entry { term: self.term, command: std::rc::Rc::new(command), origin: client });
        ctx.persist();
        self.broadcast_append(cfg, ctx);
        self.advance_commit(cfg, ctx);
    }
}
