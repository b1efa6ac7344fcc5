//! What the coordinator does alike in both protocols: open a transaction when a client asks
//! (log `start`, then ask every participant for its vote), recognise a client's retry so that
//! a request never starts two transactions, count the votes, and report an outcome to the
//! clients waiting for it. What follows a Yes from everyone differs — 2PC decides Commit, 3PC
//! pre-commits first — and stays with each protocol.

use std::collections::BTreeSet;

use super::core::Core;
use super::wal::Entry;
use super::{Begin, CommitFamily, CommitNote, Decision, TxId, Vote, participants};
use crate::sim::{Addr, ClientId, Ctx, NodeId};

impl Core {
    /// A client (or a scenario's direct request) asks for a transaction: the coordinator logs
    /// `start` before it asks for votes, and arms its timer for missing votes.
    pub fn begin<P: CommitFamily>(&mut self, origin: Option<(ClientId, u64)>, request: Begin, cfg: &P, ctx: &mut Ctx<P>) {
        self.tick(ctx);
        if !self.is_coordinator() {
            ctx.note(CommitNote::NotCoordinator);
            return;
        }
        // A retry of a request already under way or done: report, never start it twice.
        if let Some(o) = origin
            && let Some(tx) = self.table.by_origin(o)
        {
            self.report_or_wait(tx, o, ctx);
            return;
        }
        if let Some(id) = request.id
            && self.table.get(id).is_some()
        {
            ctx.note(CommitNote::Known { tx: id });
            if let Some(o) = origin {
                self.report_or_wait(id, o, ctx);
            }
            return;
        }
        // Ids a scenario names are at most 2^53 (the parser's limit): the next one always exists.
        let tx = request.id.unwrap_or_else(|| self.table.last_id().checked_add(1).expect("a transaction id below 2^64 - 1: the next id would wrap to 0"));
        let parts = participants(ctx.nodes());
        self.write(tx, Entry::Start { participants: parts.clone(), origin }, ctx);
        ctx.note(CommitNote::Started { tx, origin });
        for &p in &parts {
            ctx.send_node(p, P::vote_request(tx, parts.clone(), request.plan_for(p, cfg.yes_ppm())));
        }
        self.collecting.insert(tx, BTreeSet::new());
        ctx.set_timer(P::votes_timer(tx), cfg.vote_timeout_us());
    }

    fn report_or_wait<P: CommitFamily>(&mut self, tx: TxId, (client, seq): (ClientId, u64), ctx: &mut Ctx<P>) {
        match self.table.get(tx).and_then(|t| t.decision()) {
            Some(decision) => ctx.send(Addr::Client(client), P::outcome_msg(seq, tx, decision)),
            None => {
                self.waiters.entry(tx).or_default().insert((client, seq));
            }
        }
    }

    /// Counts a vote for a transaction collecting them, and says what the votes settle: `No`
    /// at the first No, `Yes` once every participant has voted Yes, `None` while votes are
    /// missing (or when the transaction collects none).
    pub fn tally(&mut self, from: NodeId, tx: TxId, vote: Vote) -> Option<Vote> {
        let yes = self.collecting.get_mut(&tx)?;
        match vote {
            Vote::No => Some(Vote::No),
            Vote::Yes => {
                yes.insert(from);
                (yes.len() == participants(self.nodes).len()).then_some(Vote::Yes)
            }
        }
    }

    /// The coordinator tells the clients waiting for `tx` its outcome: the one that began it,
    /// then those that asked again while it was under way.
    pub fn report<P: CommitFamily>(&mut self, tx: TxId, decision: Decision, ctx: &mut Ctx<P>) {
        if !self.is_coordinator() {
            return;
        }
        let origin = self.table.get(tx).and_then(|t| t.origin);
        let waiters = self.waiters.remove(&tx).unwrap_or_default();
        for (client, seq) in origin.into_iter().chain(waiters) {
            ctx.send(Addr::Client(client), P::outcome_msg(seq, tx, decision));
        }
    }
}
