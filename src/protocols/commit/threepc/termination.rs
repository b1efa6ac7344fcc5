//! Skeen's termination protocol (1981; Bernstein et al., section 7.5): when a participant that
//! voted Yes times out, the operational participants elect a new coordinator, which collects
//! their states and decides by these rules:
//!
//! - TR1: if anyone has aborted, abort;
//! - TR2: if anyone has committed, commit;
//! - TR3: if everyone who answered is uncertain (prepared), abort — nobody can have committed,
//!   because commit is sent only after everyone operational has pre-committed;
//! - TR4: if someone is pre-committed, pre-commit the uncertain ones, then commit.
//!
//! A participant left alone elects itself and applies the same rules to its own state, which is
//! the textbook's per-participant timeout rule: uncertain → abort, pre-committed → commit.
//!
//! **Election** is the bully algorithm over participant ids (Garcia-Molina, 1982): a participant
//! that times out sends `Elect` to the lower-numbered ones; any that is alive answers `Alive` and
//! runs its own election; one that hears no `Alive` in time becomes the backup coordinator. So
//! the lowest-numbered operational participant leads, and a higher one takes over only after it
//! fell silent. Participants recovering from a crash stay out of it (they only ask for the
//! decision), as Skeen requires: the decision may have been made in their absence.
//!
//! All of this is safe only if "fell silent" means "crashed": timeouts must not lie. Under a
//! partition both sides elect a coordinator, one side with a pre-committed participant commits
//! (TR4) while the other, all uncertain, aborts (TR3), and Atomicity is broken — the lesson of
//! `scenarios/3pc-partition-flaw.json`.

use std::collections::{BTreeMap, BTreeSet};

use super::coordinator::decision_msg;
use super::messages::{Msg, ThreePcTimer};
use super::node::{Term, ThreePcNode};
use super::{PlantedBug, ThreePc};
use crate::protocols::commit::{CommitNote, Decision, Entry, TxId, TxState, participants};
use crate::sim::{Ctx, NodeId};

impl ThreePcNode {
    /// Whether this participant takes part in the termination of `tx`: it voted Yes, has no
    /// decision, and did not crash since.
    fn terminating(&self, tx: TxId) -> bool {
        !self.core.is_coordinator() && !self.recovering.contains(&tx) && matches!(self.core.table.state(tx), TxState::Prepared | TxState::PreCommitted)
    }

    /// The participant's timer: no word from the coordinator (or backup); elect a new one.
    pub fn on_uncertain_timeout(&mut self, tx: TxId, cfg: &ThreePc, ctx: &mut Ctx<ThreePc>) {
        if !self.terminating(tx) {
            return;
        }
        if cfg.planted_bug == Some(PlantedBug::CommitOnTimeout) && self.core.table.state(tx) == TxState::Prepared {
            // Wrong on purpose: an uncertain participant may not commit alone.
            ctx.note(CommitNote::PlantedBug { tx });
            self.learn(tx, Decision::Commit, ctx);
            return;
        }
        self.start_election(tx, cfg, ctx);
    }

    /// Asks the lower-numbered participants whether they are alive; with none, leads.
    fn start_election(&mut self, tx: TxId, cfg: &ThreePc, ctx: &mut Ctx<ThreePc>) {
        ctx.cancel_timer(ThreePcTimer::Uncertain(tx));
        let lower: Vec<NodeId> = participants(self.core.nodes).into_iter().filter(|&p| p < self.core.id).collect();
        if lower.is_empty() {
            self.become_backup(tx, cfg, ctx);
            return;
        }
        ctx.note(CommitNote::Electing { tx });
        for p in lower {
            ctx.send_node(p, Msg::Elect { tx });
        }
        self.term.insert(tx, Term::Electing);
        ctx.set_timer(ThreePcTimer::Election(tx), cfg.election_timeout_us);
    }

    /// A higher-numbered participant is electing.
    pub fn on_elect(&mut self, from: NodeId, tx: TxId, cfg: &ThreePc, ctx: &mut Ctx<ThreePc>) {
        match self.core.table.get(tx).map(|t| t.state) {
            None if !self.core.is_coordinator() => self.abort_unvoted(from, tx, ctx),
            Some(s) if s.decision().is_some() => ctx.send_node(from, Msg::DecisionReply { tx, decision: s.decision().expect("checked") }),
            _ if !self.terminating(tx) => {}
            _ => {
                ctx.send_node(from, Msg::Alive { tx });
                if !self.term.contains_key(&tx) {
                    self.start_election(tx, cfg, ctx);
                }
            }
        }
    }

    /// A lower-numbered participant is alive: wait for the backup it will lead to.
    pub fn on_alive(&mut self, tx: TxId, cfg: &ThreePc, ctx: &mut Ctx<ThreePc>) {
        if self.term.get(&tx) == Some(&Term::Electing) {
            self.term.insert(tx, Term::Waiting);
            ctx.set_timer(ThreePcTimer::Election(tx), cfg.decision_timeout_us);
        }
    }

    /// No `Alive` in time: lead. Or the awaited backup fell silent: elect again.
    pub fn on_election_timeout(&mut self, tx: TxId, cfg: &ThreePc, ctx: &mut Ctx<ThreePc>) {
        if !self.terminating(tx) {
            return;
        }
        match self.term.get(&tx) {
            Some(Term::Electing) => self.become_backup(tx, cfg, ctx),
            Some(Term::Waiting | Term::Following(_)) => self.start_election(tx, cfg, ctx),
            _ => {}
        }
    }

    /// Becomes the backup coordinator: asks every other participant for its state.
    fn become_backup(&mut self, tx: TxId, cfg: &ThreePc, ctx: &mut Ctx<ThreePc>) {
        ctx.note(CommitNote::Backup { tx });
        let own = self.core.table.state(tx);
        self.term.insert(tx, Term::Gathering { states: BTreeMap::from([(self.core.id, own)]) });
        for p in self.other_participants() {
            ctx.send_node(p, Msg::StateRequest { tx });
        }
        ctx.cancel_timer(ThreePcTimer::Election(tx));
        ctx.cancel_timer(ThreePcTimer::Uncertain(tx));
        ctx.set_timer(ThreePcTimer::Gather(tx), cfg.gather_timeout_us);
    }

    /// A backup coordinator asks for this participant's state.
    pub fn on_state_request(&mut self, from: NodeId, tx: TxId, cfg: &ThreePc, ctx: &mut Ctx<ThreePc>) {
        let state = match self.core.table.get(tx).map(|t| t.state) {
            None if !self.core.is_coordinator() => return self.abort_unvoted(from, tx, ctx),
            Some(s) if s.decision().is_some() => {
                return ctx.send_node(from, Msg::DecisionReply { tx, decision: s.decision().expect("checked") });
            }
            _ if !self.terminating(tx) => return,
            _ => self.core.table.state(tx),
        };
        let backup = matches!(self.term.get(&tx), Some(Term::Gathering { .. } | Term::Committing { .. }));
        if !(backup && from > self.core.id) {
            if backup {
                // Two backups: the lower-numbered one leads (the bully rule).
                ctx.note(CommitNote::StepDown { tx, to: from });
                ctx.cancel_timer(ThreePcTimer::Gather(tx));
                ctx.cancel_timer(ThreePcTimer::BackupAcks(tx));
            }
            self.term.insert(tx, Term::Following(from));
            ctx.cancel_timer(ThreePcTimer::Uncertain(tx));
            ctx.set_timer(ThreePcTimer::Election(tx), cfg.decision_timeout_us);
        }
        ctx.send_node(from, Msg::StateReply { tx, state });
    }

    /// A participant's state reaches the backup coordinator.
    pub fn on_state_reply(&mut self, from: NodeId, tx: TxId, state: TxState, cfg: &ThreePc, ctx: &mut Ctx<ThreePc>) {
        let Some(Term::Gathering { states }) = self.term.get_mut(&tx) else {
            return;
        };
        states.insert(from, state);
        let all = states.len() == participants(self.core.nodes).len();
        if all || state.decision().is_some() {
            self.conclude(tx, cfg, ctx);
        }
    }

    /// The backup decides by the termination rules, from the states it has.
    pub fn conclude(&mut self, tx: TxId, cfg: &ThreePc, ctx: &mut Ctx<ThreePc>) {
        let Some(Term::Gathering { states }) = self.term.get(&tx) else {
            return;
        };
        let states = states.clone();
        let any = |s: TxState| states.values().any(|&x| x == s);
        if any(TxState::Aborted) {
            return self.backup_decide(tx, Decision::Abort, ctx);
        }
        if any(TxState::Committed) {
            return self.backup_decide(tx, Decision::Commit, ctx);
        }
        if !any(TxState::PreCommitted) {
            return self.backup_decide(tx, Decision::Abort, ctx);
        }
        if self.core.table.state(tx) == TxState::Prepared {
            self.core.write(tx, Entry::PreCommitted, ctx);
            ctx.note(CommitNote::PreCommitted { tx });
        }
        let uncertain: BTreeSet<NodeId> = states.iter().filter(|&(&p, &s)| p != self.core.id && s == TxState::Prepared).map(|(&p, _)| p).collect();
        ctx.cancel_timer(ThreePcTimer::Gather(tx));
        if uncertain.is_empty() {
            return self.backup_decide(tx, Decision::Commit, ctx);
        }
        for &p in &uncertain {
            ctx.send_node(p, Msg::PreCommit { tx });
        }
        self.term.insert(tx, Term::Committing { waiting: uncertain });
        ctx.set_timer(ThreePcTimer::BackupAcks(tx), cfg.gather_timeout_us);
    }

    /// A pre-commit acknowledgement reaches the backup coordinator.
    pub fn on_backup_ack(&mut self, from: NodeId, tx: TxId, ctx: &mut Ctx<ThreePc>) {
        let Some(Term::Committing { waiting }) = self.term.get_mut(&tx) else {
            return;
        };
        waiting.remove(&from);
        if waiting.is_empty() {
            self.backup_decide(tx, Decision::Commit, ctx);
        }
    }

    /// Acknowledgements missing: the silent ones are taken for crashed; commit.
    pub fn on_backup_acks_timeout(&mut self, tx: TxId, ctx: &mut Ctx<ThreePc>) {
        if matches!(self.term.get(&tx), Some(Term::Committing { .. })) {
            self.backup_decide(tx, Decision::Commit, ctx);
        }
    }

    /// The backup logs its decision and tells every other node, the old coordinator included.
    fn backup_decide(&mut self, tx: TxId, decision: Decision, ctx: &mut Ctx<ThreePc>) {
        self.record_decision(tx, decision, ctx);
        for n in self.others() {
            ctx.send_node(n, decision_msg(tx, decision));
        }
    }
}
