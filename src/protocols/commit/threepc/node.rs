//! A 3PC node: its log, table and coordinator's bookkeeping ([`Core`]), the termination
//! protocol's volatile state, recovery from the log, and learning a decision.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt;

use super::ThreePc;
use super::messages::{Msg, ThreePcTimer};
use crate::protocols::commit::{COORDINATOR, CommitNote, Core, Decision, Refusal, TxId, TxState, Wal, participants};
use crate::sim::{Ctx, NodeId};

/// Where a participant stands in the termination protocol of one transaction.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Term {
    /// Sent `Elect` to the lower-numbered participants; waiting to hear if one is alive.
    Electing,
    /// A lower-numbered participant is alive; waiting for the backup to ask for states.
    Waiting,
    /// Answered backup coordinator `.0`; waiting for its decision.
    Following(NodeId),
    /// Backup coordinator collecting states (its own included).
    Gathering { states: BTreeMap<NodeId, TxState> },
    /// Backup coordinator that found someone pre-committed: pre-committing the uncertain ones
    /// before it commits.
    Committing { waiting: BTreeSet<NodeId> },
}

impl fmt::Display for Term {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Term::Electing => f.write_str("electing"),
            Term::Waiting => f.write_str("waiting"),
            Term::Following(b) => write!(f, "following S{b}"),
            Term::Gathering { .. } => f.write_str("backup: gathering states"),
            Term::Committing { .. } => f.write_str("backup: pre-committing"),
        }
    }
}

/// A running 3PC node (node 1 is the coordinator).
#[derive(Clone, Debug)]
pub struct ThreePcNode {
    /// Log, table, clock, and the coordinator's bookkeeping (its `acks` are of the pre-commit).
    pub core: Core,
    /// Participant: the termination protocol, per transaction under way.
    pub term: BTreeMap<TxId, Term>,
    /// Undecided transactions found in the log at boot: this node asks for their decision and
    /// takes no part in elections or state gathering (Skeen's rule for recovering sites).
    pub recovering: BTreeSet<TxId>,
}

impl ThreePcNode {
    /// Boots from stable storage and recovers. A coordinator that had not pre-committed a
    /// transaction aborts it (nobody can be pre-committed, so nobody can commit); one that had
    /// pre-committed it, and any participant that voted Yes without a decision, may not decide
    /// alone — a termination protocol may have decided in its absence — so it asks.
    pub fn boot(wal: &Wal, cfg: &ThreePc, ctx: &mut Ctx<ThreePc>) -> Self {
        let core = Core::boot(ctx.nodes(), wal, ctx.now());
        let mut node = ThreePcNode { core, term: BTreeMap::new(), recovering: BTreeSet::new() };
        let txs: Vec<(TxId, TxState)> = node.core.table.iter().map(|t| (t.id, t.state)).collect();
        for (tx, state) in txs {
            match state {
                TxState::Init if node.core.is_coordinator() => node.decide(tx, Decision::Abort, cfg, ctx),
                TxState::Prepared | TxState::PreCommitted => {
                    ctx.note(CommitNote::Recovering { tx, state });
                    node.recovering.insert(tx);
                    node.ask(tx, cfg, ctx);
                }
                _ => {}
            }
        }
        node
    }

    /// Every node but this one.
    pub fn others(&self) -> Vec<NodeId> {
        (1..=self.core.nodes).filter(|&n| n != self.core.id).collect()
    }

    /// Every participant but this one.
    pub fn other_participants(&self) -> Vec<NodeId> {
        participants(self.core.nodes).into_iter().filter(|&n| n != self.core.id).collect()
    }

    /// A recovering node asks everyone for the decision, and will again.
    pub fn ask(&mut self, tx: TxId, cfg: &ThreePc, ctx: &mut Ctx<ThreePc>) {
        for n in self.others() {
            ctx.send_node(n, Msg::DecisionRequest { tx });
        }
        ctx.set_timer(ThreePcTimer::Ask(tx), cfg.retry_us);
    }

    /// Logs a decision this node was told, then (the coordinator) reports it to the clients.
    pub fn learn(&mut self, tx: TxId, decision: Decision, ctx: &mut Ctx<ThreePc>) {
        self.record_decision(tx, decision, ctx);
        self.core.report(tx, decision, ctx);
    }

    /// Logs a decision — this node's own (coordinator, backup) or one it was told — and
    /// leaves every other duty for the transaction: timers, termination, recovery.
    pub fn record_decision(&mut self, tx: TxId, decision: Decision, ctx: &mut Ctx<ThreePc>) {
        self.core.write_decision(tx, decision, ctx);
        for t in
            [ThreePcTimer::Votes(tx), ThreePcTimer::Acks(tx), ThreePcTimer::Uncertain(tx), ThreePcTimer::Election(tx), ThreePcTimer::Gather(tx), ThreePcTimer::BackupAcks(tx), ThreePcTimer::Ask(tx)]
        {
            ctx.cancel_timer(t);
        }
        self.core.collecting.remove(&tx);
        self.core.acks.remove(&tx);
        self.term.remove(&tx);
        self.recovering.remove(&tx);
    }

    /// A decision arrives (DoCommit, Abort, DecisionReply): adopt it if undecided.
    pub fn on_decision(&mut self, tx: TxId, decision: Decision, ctx: &mut Ctx<ThreePc>) {
        match self.core.table.get(tx).map(|t| t.state) {
            Some(s @ (TxState::Committed | TxState::Aborted)) if s.decision() != Some(decision) => {
                ctx.note(CommitNote::Refused { tx, what: Refusal::Conflicting });
            }
            Some(TxState::Committed | TxState::Aborted) => {}
            Some(_) => self.learn(tx, decision, ctx),
            // Never voted: an abort is remembered; a commit cannot be honoured without this
            // participant's Yes.
            None if self.core.id != COORDINATOR => match decision {
                Decision::Abort => self.learn(tx, decision, ctx),
                Decision::Commit => ctx.note(CommitNote::Refused { tx, what: Refusal::CommitNeverVoted }),
            },
            None => {}
        }
    }

    /// Someone asks for the decision of `tx`.
    pub fn on_decision_request(&mut self, from: NodeId, tx: TxId, ctx: &mut Ctx<ThreePc>) {
        match self.core.table.get(tx).and_then(|t| t.decision()) {
            Some(decision) => ctx.send_node(from, Msg::DecisionReply { tx, decision }),
            None if self.core.table.get(tx).is_none() && !self.core.is_coordinator() => self.abort_unvoted(from, tx, ctx),
            None => {}
        }
    }

    /// A participant that never voted on `tx` is asked about it: it aborts (nobody can commit
    /// without its Yes) and says so.
    pub fn abort_unvoted(&mut self, from: NodeId, tx: TxId, ctx: &mut Ctx<ThreePc>) {
        self.learn(tx, Decision::Abort, ctx);
        ctx.send_node(from, Msg::DecisionReply { tx, decision: Decision::Abort });
    }

    /// Handles a message from a server.
    pub fn on_message(&mut self, from: NodeId, msg: Msg, cfg: &ThreePc, ctx: &mut Ctx<ThreePc>) {
        self.core.tick(ctx);
        match msg {
            Msg::CanCommit { tx, participants, plan } => self.core.vote(from, tx, participants, plan, cfg, ctx),
            Msg::Vote { tx, vote } => self.on_vote(from, tx, vote, cfg, ctx),
            Msg::PreCommit { tx } => self.on_precommit(from, tx, cfg, ctx),
            Msg::Ack { tx } => self.on_ack(from, tx, cfg, ctx),
            Msg::DoCommit { tx } => self.on_decision(tx, Decision::Commit, ctx),
            Msg::Abort { tx } => self.on_decision(tx, Decision::Abort, ctx),
            Msg::DecisionReply { tx, decision } => self.on_decision(tx, decision, ctx),
            Msg::DecisionRequest { tx } => self.on_decision_request(from, tx, ctx),
            Msg::Elect { tx } => self.on_elect(from, tx, cfg, ctx),
            Msg::Alive { tx } => self.on_alive(tx, cfg, ctx),
            Msg::StateRequest { tx } => self.on_state_request(from, tx, cfg, ctx),
            Msg::StateReply { tx, state } => self.on_state_reply(from, tx, state, cfg, ctx),
            // Client traffic arrives through `Core::begin`; outcomes go to clients only.
            Msg::Begin { .. } | Msg::Outcome { .. } => {}
        }
    }

    /// Handles a timer.
    pub fn on_timer(&mut self, timer: ThreePcTimer, cfg: &ThreePc, ctx: &mut Ctx<ThreePc>) {
        self.core.tick(ctx);
        match timer {
            ThreePcTimer::Votes(tx) => self.on_votes_timeout(tx, cfg, ctx),
            ThreePcTimer::Acks(tx) => self.on_acks_timeout(tx, cfg, ctx),
            ThreePcTimer::Uncertain(tx) => self.on_uncertain_timeout(tx, cfg, ctx),
            ThreePcTimer::Election(tx) => self.on_election_timeout(tx, cfg, ctx),
            ThreePcTimer::Gather(tx) => self.conclude(tx, cfg, ctx),
            ThreePcTimer::BackupAcks(tx) => self.on_backup_acks_timeout(tx, ctx),
            ThreePcTimer::Ask(tx) => {
                if self.recovering.contains(&tx) {
                    self.ask(tx, cfg, ctx);
                }
            }
            ThreePcTimer::ClientRetry => {}
        }
    }
}
