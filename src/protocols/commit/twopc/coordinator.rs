//! The 2PC coordinator's transitions (Bernstein et al., Figure 7-2): log `start`, ask for
//! votes; decide Commit on a Yes from everyone, Abort on any No or when votes are missing at
//! the timeout; log the decision before announcing it; send it again until every participant
//! acknowledges, then log `end`.

use std::collections::BTreeSet;

use super::TwoPc;
use super::messages::{Msg, TwoPcTimer};
use super::node::TwoPcNode;
use crate::protocols::commit::{Begin, CommitNote, Decision, Entry, TxId, Vote, participants};
use crate::sim::{Addr, ClientId, Ctx, NodeId};

impl TwoPcNode {
    /// A client (or a scenario's direct request) asks for a transaction.
    pub fn on_begin(&mut self, origin: Option<(ClientId, u64)>, request: Begin, cfg: &TwoPc, ctx: &mut Ctx<TwoPc>) {
        self.core.tick(ctx);
        if !self.core.is_coordinator() {
            ctx.note(CommitNote::NotCoordinator);
            return;
        }
        // A retry of a request already under way or done: report, never start it twice.
        if let Some(o) = origin
            && let Some(tx) = self.core.table.by_origin(o)
        {
            self.report_or_wait(tx, o, ctx);
            return;
        }
        if let Some(id) = request.id
            && self.core.table.get(id).is_some()
        {
            ctx.note(CommitNote::Known { tx: id });
            if let Some(o) = origin {
                self.report_or_wait(id, o, ctx);
            }
            return;
        }
        let tx = request.id.unwrap_or(self.core.table.last_id() + 1);
        let parts = participants(ctx.nodes());
        self.core.write(tx, Entry::Start { participants: parts.clone(), origin }, ctx);
        ctx.note(CommitNote::Started { tx, origin });
        for &p in &parts {
            ctx.send_node(p, Msg::Prepare { tx, participants: parts.clone(), plan: request.plan_for(p, cfg.yes_ppm) });
        }
        self.collecting.insert(tx, BTreeSet::new());
        ctx.set_timer(TwoPcTimer::Votes(tx), cfg.vote_timeout_us);
    }

    fn report_or_wait(&mut self, tx: TxId, (client, seq): (ClientId, u64), ctx: &mut Ctx<TwoPc>) {
        match self.core.table.get(tx).and_then(|t| t.decision()) {
            Some(decision) => ctx.send(Addr::Client(client), Msg::Outcome { seq, tx, decision }),
            None => {
                self.waiters.entry(tx).or_default().insert((client, seq));
            }
        }
    }

    /// A vote arrives: a No decides Abort; the last Yes decides Commit.
    pub fn on_vote(&mut self, from: NodeId, tx: TxId, vote: Vote, cfg: &TwoPc, ctx: &mut Ctx<TwoPc>) {
        let Some(yes) = self.collecting.get_mut(&tx) else {
            return;
        };
        match vote {
            Vote::No => self.decide(tx, Decision::Abort, cfg, ctx),
            Vote::Yes => {
                yes.insert(from);
                if yes.len() == participants(ctx.nodes()).len() {
                    self.decide(tx, Decision::Commit, cfg, ctx);
                }
            }
        }
    }

    /// Votes are missing: the coordinator may abort, since no one can have committed.
    pub fn on_votes_timeout(&mut self, tx: TxId, cfg: &TwoPc, ctx: &mut Ctx<TwoPc>) {
        if self.collecting.contains_key(&tx) {
            self.decide(tx, Decision::Abort, cfg, ctx);
        }
    }

    /// Logs the decision, then announces it and reports it to the waiting clients.
    pub fn decide(&mut self, tx: TxId, decision: Decision, cfg: &TwoPc, ctx: &mut Ctx<TwoPc>) {
        self.collecting.remove(&tx);
        ctx.cancel_timer(TwoPcTimer::Votes(tx));
        self.core.write(tx, if decision == Decision::Commit { Entry::Commit } else { Entry::Abort }, ctx);
        ctx.note(CommitNote::Decided { tx, decision });
        self.announce(tx, decision, cfg, ctx);
        let origin = self.core.table.get(tx).and_then(|t| t.origin);
        let waiters = self.waiters.remove(&tx).unwrap_or_default();
        for (client, seq) in origin.into_iter().chain(waiters) {
            ctx.send(Addr::Client(client), Msg::Outcome { seq, tx, decision });
        }
    }

    /// Sends a logged decision to every participant and waits for their acknowledgements.
    pub fn announce(&mut self, tx: TxId, decision: Decision, cfg: &TwoPc, ctx: &mut Ctx<TwoPc>) {
        self.acks.insert(tx, BTreeSet::new());
        for p in participants(ctx.nodes()) {
            ctx.send_node(p, decision_msg(tx, decision));
        }
        ctx.set_timer(TwoPcTimer::Resend(tx), cfg.retry_us);
    }

    /// Sends the decision again to those that have not acknowledged it.
    pub fn on_resend(&mut self, tx: TxId, cfg: &TwoPc, ctx: &mut Ctx<TwoPc>) {
        let (Some(acked), Some(decision)) = (self.acks.get(&tx), self.core.table.get(tx).and_then(|t| t.decision())) else {
            return;
        };
        for p in participants(ctx.nodes()).into_iter().filter(|p| !acked.contains(p)) {
            ctx.send_node(p, decision_msg(tx, decision));
        }
        ctx.set_timer(TwoPcTimer::Resend(tx), cfg.retry_us);
    }

    /// A participant has logged the decision; once all have, the coordinator logs `end`.
    pub fn on_ack(&mut self, from: NodeId, tx: TxId, ctx: &mut Ctx<TwoPc>) {
        let Some(acked) = self.acks.get_mut(&tx) else {
            return;
        };
        acked.insert(from);
        if acked.len() == participants(ctx.nodes()).len() {
            self.acks.remove(&tx);
            ctx.cancel_timer(TwoPcTimer::Resend(tx));
            self.core.write(tx, Entry::End, ctx);
        }
    }
}

/// The phase-2 message carrying `decision`.
pub fn decision_msg(tx: TxId, decision: Decision) -> Msg {
    match decision {
        Decision::Commit => Msg::Commit { tx },
        Decision::Abort => Msg::Abort { tx },
    }
}
