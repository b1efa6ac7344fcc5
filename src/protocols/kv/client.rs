//! The client actor: submits commands one at a time, follows redirects, retries on timeout
//! (the Raft paper, section 8). Request numbers let the cluster apply a retried command once.
//! It speaks to any [`KvService`]: Raft and Multi-Paxos servers alike.
//!
//! **Whom to ask.** A client keeps the server it last heard from (the leader, when things go
//! well). A server that is not the leader answers with a hint, the leader it believes in, and
//! the client follows it at once. A server that does not answer within the client timeout is
//! given up on: the client asks the next server in ring order (S1, S2, ..., SN, S1), and
//! remembers it as unreachable until its next answer. That memory is what keeps a client out of
//! a minority: a leader cut off with one follower keeps leading there, and the follower, which
//! still hears its heartbeats, points every client back at it. Section 8 has a client that gets
//! no answer try another server; it does not say to trust a hint over its own timeout. So the
//! client trusts the timeout: it skips unreachable servers when it moves on, and a redirect to
//! one is not followed; the client asks the next server instead, at once (the one that
//! redirected it did answer, so it is up, and the majority is elsewhere). To never circle at
//! network speed, a server that turned the request away is not asked again before the retry
//! timer fires; once every server has timed out, the client starts the round over; and once
//! every server it has not given up on turned it away in two retry periods in a row, it forgets
//! whom it gave up on (the network has healed, and they all point at a leader it had marked).
//!
//! Section 8 picks the next server at random; ring order is deterministic instead, needs no
//! draw from the engine's stream for the client (only the very first pick does), and asks every
//! server once before any twice.

use std::collections::{BTreeSet, VecDeque};

use serde::Serialize;

use super::command::{Answer, Command};
use super::{ClientOutcome, KvService};
use crate::sim::{Addr, ClientId, Ctx, Micros, NodeId};

/// A finished request.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Answered {
    /// Request number.
    pub seq: u64,
    /// The command (as its text in reports).
    #[serde(serialize_with = "as_text")]
    pub command: Command,
    /// The state machine's answer.
    pub result: Answer,
    /// How many times it was sent.
    pub attempts: u32,
    /// When the client first sent it (in reports, in the run's `history`).
    #[serde(skip)]
    pub sent_us: Micros,
    /// When the answer came (in reports, in the run's `history`).
    #[serde(skip)]
    pub answered_us: Micros,
}

fn as_text<S: serde::Serializer>(command: &Command, s: S) -> Result<S::Ok, S::Error> {
    s.collect_str(command)
}

/// One client operation, as linearizability and history checkers (Porcupine, Knossos, Elle)
/// take one after a small conversion: who, what, when it was invoked and completed, and what it
/// returned. A run's history is every client's, in [`history`]; the README documents its JSON
/// and the conversions.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Operation {
    /// The client (1 for C1): a checker's process.
    pub client: ClientId,
    /// Its request number, 1, 2, ... per client.
    pub seq: u64,
    /// The command as written.
    #[serde(serialize_with = "as_text")]
    pub command: Command,
    /// What it does: `set`, `get`, `del` or `noop`.
    pub f: &'static str,
    /// The key it names; null for a no-op.
    pub key: Option<String>,
    /// The value a `set` writes; null for the others.
    pub value: Option<String>,
    /// When the client first sent it, in µs of virtual time: the operation cannot take effect
    /// before. A request still waiting in the client's queue was not invoked and is left out.
    pub invoked_us: Micros,
    /// When its answer reached the client; null if none had by the end of the run.
    pub completed_us: Option<Micros>,
    /// `ok`: answered; `pending`: no answer by the end of the run, so it may or may not have
    /// taken effect, then or later (Jepsen's `:info`).
    pub status: &'static str,
    /// The answer: `"ok"` for `set`, the value for `get` (null for a missing key), `"1"` or
    /// `"0"` for `del`, `""` for `noop`; null while pending.
    pub result: Option<Answer>,
}

impl Operation {
    fn new(client: ClientId, seq: u64, command: &Command, invoked_us: Micros, completed: Option<(Micros, &Answer)>) -> Self {
        Operation {
            client,
            seq,
            command: command.clone(),
            f: command.verb(),
            key: command.key().map(str::to_string),
            value: command.value().map(str::to_string),
            invoked_us,
            completed_us: completed.map(|(at, _)| at),
            status: if completed.is_some() { "ok" } else { "pending" },
            result: completed.map(|(_, a)| a.clone()),
        }
    }
}

/// Every client's operations, ordered by invocation time (then client, then number): the run's
/// history as clients saw it.
pub fn history<'a>(clients: impl IntoIterator<Item = &'a KvClient>) -> Vec<Operation> {
    let mut ops: Vec<Operation> = clients.into_iter().flat_map(KvClient::history).collect();
    ops.sort_by_key(|o| (o.invoked_us, o.client, o.seq));
    ops
}

/// A key-value client.
#[derive(Clone, Debug)]
pub struct KvClient {
    /// Its id.
    pub id: ClientId,
    /// Commands not yet sent.
    pub queue: VecDeque<Command>,
    /// The command in flight, its number and the attempts so far.
    pub current: Option<(u64, Command, u32)>,
    /// The server it will try next.
    pub target: Option<NodeId>,
    /// Answers received, in order.
    pub answered: Vec<Answered>,
    /// When the command in flight was first sent.
    pub current_since_us: Micros,
    /// Servers that let a request time out since this client's last answer: tried last, and a
    /// redirect to one is not followed.
    pub unreachable: BTreeSet<NodeId>,
    /// Servers that turned the request in flight away since the retry timer last fired: not
    /// asked again at once, so that a client never circles at network speed.
    declined: BTreeSet<NodeId>,
    /// Whether the retry timer waits on `target`'s answer; false once `target` turned the
    /// request away, when the timer only paces the next try.
    awaiting: bool,
    /// Retry periods in a row in which every server not given up on turned the request away:
    /// at two, the marks in `unreachable` are older than what the servers know.
    refused_rounds: u8,
    next_seq: u64,
}

impl KvClient {
    /// An idle client.
    pub fn new(id: ClientId) -> Self {
        KvClient {
            id,
            queue: VecDeque::new(),
            current: None,
            target: None,
            answered: Vec::new(),
            current_since_us: 0,
            unreachable: BTreeSet::new(),
            declined: BTreeSet::new(),
            awaiting: false,
            refused_rounds: 0,
            next_seq: 1,
        }
    }

    /// What reports show of it: the request in flight (`pending`, with its attempts), those
    /// `queued`, those `answered`, the server it asks next (`target`) and those it gave up on
    /// since its last answer (`unreachable`).
    pub fn view(&self) -> serde_json::Value {
        serde_json::json!({
            "pending": self.current.as_ref().map(|(seq, cmd, attempts)| serde_json::json!({"seq": seq, "command": cmd.to_string(), "attempts": attempts})),
            "queued": self.queue.iter().map(|c| c.to_string()).collect::<Vec<_>>(),
            "answered": self.answered,
            "target": self.target,
            "unreachable": self.unreachable,
        })
    }

    /// This client's operations: those answered, then the one in flight (not those queued,
    /// which were never sent).
    pub fn history(&self) -> Vec<Operation> {
        let answered = self.answered.iter().map(|a| Operation::new(self.id, a.seq, &a.command, a.sent_us, Some((a.answered_us, &a.result))));
        let pending = self.current.iter().map(|(seq, command, _)| Operation::new(self.id, *seq, command, self.current_since_us, None));
        answered.chain(pending).collect()
    }

    /// Queues a command; sends it now if nothing is in flight.
    pub fn submit<P: KvService>(&mut self, command: Command, cfg: &P, ctx: &mut Ctx<P>) {
        self.queue.push_back(command);
        if self.current.is_none() {
            self.start_next(cfg, ctx);
        }
    }

    fn start_next<P: KvService>(&mut self, cfg: &P, ctx: &mut Ctx<P>) {
        self.declined.clear();
        if let Some(command) = self.queue.pop_front() {
            self.current = Some((self.next_seq, command, 0));
            self.current_since_us = ctx.now();
            self.next_seq += 1;
            self.send_current(cfg, ctx);
        }
    }

    fn send_current<P: KvService>(&mut self, cfg: &P, ctx: &mut Ctx<P>) {
        let nodes = ctx.nodes();
        let target = match self.target {
            Some(t) => t,
            None => ctx.rng().range_inclusive(1, nodes as u64) as NodeId,
        };
        self.target = Some(target);
        self.awaiting = true;
        if let Some((seq, command, attempts)) = &mut self.current {
            *attempts += 1;
            ctx.send_node(target, P::client_request(*seq, command.clone()));
            ctx.set_timer(P::client_retry_timer(), cfg.client_timeout_us());
        }
    }

    /// The first server after `from` in ring order that has not timed out since the last
    /// answer (`from` itself last); the plain next one if every server has.
    fn next_after(&self, from: NodeId, nodes: u32) -> NodeId {
        (1..=nodes).map(|k| (from - 1 + k) % nodes + 1).find(|s| !self.unreachable.contains(s)).unwrap_or(from % nodes + 1)
    }

    fn rotate(&mut self, nodes: u32) {
        self.target = self.target.map(|t| self.next_after(t, nodes));
    }

    /// A reply: done, or redirected.
    pub fn on_reply<P: KvService>(&mut self, from: Addr, seq: u64, outcome: ClientOutcome, cfg: &P, ctx: &mut Ctx<P>) {
        let Some((current, command, attempts)) = &self.current else {
            return;
        };
        if *current != seq {
            return;
        }
        match outcome {
            ClientOutcome::Done(result) => {
                self.answered.push(Answered { seq, command: command.clone(), result, attempts: *attempts, sent_us: self.current_since_us, answered_us: ctx.now() });
                self.current = None;
                self.unreachable.clear();
                ctx.cancel_timer(P::client_retry_timer());
                self.start_next(cfg, ctx);
            }
            ClientOutcome::NotLeader(hint) => {
                let from = from.node();
                self.declined.extend(from);
                match hint {
                    Some(h) if Some(h) != from && !self.unreachable.contains(&h) => {
                        self.target = Some(h);
                        self.send_current(cfg, ctx);
                    }
                    // A late answer from a server asked before: the timer waits on the last.
                    _ if from != self.target => {}
                    // A redirect to a server that timed out on this client: the server that
                    // sent it still believes in a leader the client could not reach (a leader
                    // cut off with it in a minority). Trust the timeout: ask the next server
                    // now, unless it too turned the request away since the timer last fired.
                    Some(h) if Some(h) != from => {
                        let next = self.next_after(from.unwrap_or(h), ctx.nodes());
                        if self.declined.contains(&next) || self.unreachable.contains(&next) {
                            self.awaiting = false;
                        } else {
                            self.target = Some(next);
                            self.send_current(cfg, ctx);
                        }
                    }
                    // No leader known: ask the next server when the retry timer fires, rather
                    // than spinning on servers that are mid-election.
                    _ => self.awaiting = false,
                }
            }
        }
    }

    /// The retry timer: the server asked did not answer in time (it is unreachable until the
    /// next answer), or turned the request away; ask the next one.
    pub fn on_timeout<P: KvService>(&mut self, cfg: &P, ctx: &mut Ctx<P>) {
        if self.current.is_none() {
            return;
        }
        let nodes = ctx.nodes();
        if let (true, Some(t)) = (self.awaiting, self.target) {
            self.unreachable.insert(t);
            if self.unreachable.len() >= nodes as usize {
                // Every server has timed out since the last answer: start the round over (the
                // network may have healed), after the one that just did.
                self.unreachable.clear();
                self.unreachable.insert(t);
            }
        }
        // Every server the client has not given up on turned the request away since the timer
        // last fired. Once, it may be a majority that has not yet elected a leader of its own
        // and still names the one cut off; twice in a row, a retry period later, the marks are
        // older than what the servers know (the network healed, and the leader they name is
        // reachable now). Forget them then, or the client would never ask the leader again.
        if !self.awaiting && (1..=nodes).all(|s| self.unreachable.contains(&s) || self.declined.contains(&s)) {
            self.refused_rounds += 1;
            if self.refused_rounds >= 2 {
                self.unreachable.clear();
                self.refused_rounds = 0;
            }
        } else {
            self.refused_rounds = 0;
        }
        self.declined.clear();
        self.rotate(nodes);
        self.send_current(cfg, ctx);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::protocols::raft::Raft;
    use crate::sim::protocol::Effect;
    use crate::sim::rng::Rng;

    /// A client of five servers, driven by hand; each step gives the servers it sent to.
    struct Harness {
        client: KvClient,
        rng: Rng,
    }

    impl Harness {
        /// A client with "set x 1" in flight to `first`.
        fn asking(first: NodeId) -> Harness {
            let mut h = Harness { client: KvClient::new(1), rng: Rng::stream(1, "client/1") };
            h.client.target = Some(first);
            assert_eq!(h.step(|c, cfg, ctx| c.submit("set x 1".parse().unwrap(), cfg, ctx)), [first]);
            h
        }

        fn step(&mut self, f: impl FnOnce(&mut KvClient, &Raft, &mut Ctx<Raft>)) -> Vec<NodeId> {
            let mut effects = Vec::new();
            f(&mut self.client, &Raft::default(), &mut Ctx::new(0, Addr::Client(1), 5, &mut self.rng, &mut effects));
            effects.iter().filter_map(|e| if let Effect::Send(Addr::Node(n), _) = e { Some(*n) } else { None }).collect()
        }

        fn timeout(&mut self) -> Vec<NodeId> {
            self.step(|c, cfg, ctx| c.on_timeout(cfg, ctx))
        }

        fn reply(&mut self, from: NodeId, outcome: ClientOutcome) -> Vec<NodeId> {
            self.step(|c, cfg, ctx| c.on_reply(Addr::Node(from), 1, outcome, cfg, ctx))
        }

        fn not_leader(&mut self, from: NodeId, hint: Option<NodeId>) -> Vec<NodeId> {
            self.reply(from, ClientOutcome::NotLeader(hint))
        }
    }

    /// Issue 21, point 7: S1 leads a minority with S2. S1 never answers; S2 still hears S1's
    /// heartbeats and points back at it. The client used to follow the hint back to S1 and
    /// loop between the two for the whole partition; it now asks S3 at once.
    #[test]
    fn section_8_a_redirect_to_a_server_that_timed_out_is_not_followed() {
        let mut h = Harness::asking(1);
        assert_eq!(h.timeout(), [2], "no answer from S1: the next server");
        assert_eq!(h.client.unreachable, BTreeSet::from([1]));
        assert_eq!(h.not_leader(2, Some(1)), [3], "S2 points back at S1: ask S3 instead, now");
        assert_eq!(h.not_leader(3, Some(4)), [4], "a hint to a server that has not timed out is followed");
        assert_eq!(h.reply(4, ClientOutcome::Done(Answer::Ok)), Vec::<NodeId>::new());
        assert!(h.client.unreachable.is_empty(), "an answer forgets the timeouts");
        assert_eq!(h.client.target, Some(4), "the next request goes to the server that answered");
    }

    /// A server that timed out under loss leads once the network heals: every other server
    /// points at it. The client used to skip it for good (no server timed out any more, none
    /// answered "done"), circling the followers until the run ended; two retry periods of
    /// refusals from every other server now make it forget them.
    #[test]
    fn two_rounds_of_refusals_pointing_at_a_server_given_up_on_forgive_it() {
        let mut h = Harness::asking(2);
        assert_eq!(h.timeout(), [3], "S2 lost the request: given up on");
        assert_eq!(h.not_leader(3, Some(2)), [4]);
        assert_eq!(h.not_leader(4, Some(2)), [5]);
        assert_eq!(h.not_leader(5, Some(2)), [1]);
        assert_eq!(h.not_leader(1, Some(2)), Vec::<NodeId>::new(), "every server asked once: wait for the timer");
        // Once may be a majority that has not elected yet: S2 stays skipped for one more round.
        assert_eq!(h.timeout(), [3]);
        for s in [3, 4, 5] {
            assert_eq!(h.not_leader(s, Some(2)), [s % 5 + 1]);
        }
        assert_eq!(h.not_leader(1, Some(2)), Vec::<NodeId>::new());
        assert_eq!(h.timeout(), [2], "a round later they still all point at S2: ask it again");
        assert!(h.client.unreachable.is_empty());
        assert_eq!(h.reply(2, ClientOutcome::Done(Answer::Ok)), Vec::<NodeId>::new());
    }

    /// A server that timed out is skipped when the client moves on, until the next answer; once
    /// every server has, the client starts over after the last one.
    #[test]
    fn a_server_that_timed_out_is_skipped_until_the_next_answer() {
        let mut h = Harness::asking(4);
        assert_eq!(h.timeout(), [5]);
        assert_eq!(h.timeout(), [1]);
        assert_eq!(h.not_leader(1, None), Vec::<NodeId>::new(), "no leader known: wait for the timer");
        assert_eq!(h.timeout(), [2], "S1 answered: not unreachable, and the timer moves on from it");
        assert_eq!(h.client.unreachable, BTreeSet::from([4, 5]));
        assert_eq!(h.timeout(), [3]);
        assert_eq!(h.timeout(), [1], "S4 and S5 timed out: skipped");
        assert_eq!(h.timeout(), [2], "S1 too: every server has timed out, so start over after it");
        assert_eq!(h.client.unreachable, BTreeSet::from([1]));
    }

    /// Redirects to unreachable servers never make the client circle at network speed: a
    /// server that turned the request away is not asked again before the timer fires.
    #[test]
    fn stale_redirects_stop_at_a_server_already_asked() {
        let mut h = Harness::asking(1);
        assert_eq!(h.timeout(), [2]);
        // Every server left still believes in S1 (the majority has not elected yet).
        assert_eq!(h.not_leader(2, Some(1)), [3]);
        assert_eq!(h.not_leader(3, Some(1)), [4]);
        assert_eq!(h.not_leader(4, Some(1)), [5]);
        assert_eq!(h.not_leader(5, Some(1)), Vec::<NodeId>::new(), "S2 turned it away already: wait for the timer");
        assert_eq!(h.timeout(), [2], "S5 answered, so it is not unreachable; S1 is skipped");
        assert_eq!(h.client.unreachable, BTreeSet::from([1]));
    }

    /// A late answer from a server asked before does not stop the timer from judging the one
    /// asked last.
    #[test]
    fn a_late_refusal_from_an_earlier_server_changes_nothing() {
        let mut h = Harness::asking(1);
        assert_eq!(h.timeout(), [2]);
        assert_eq!(h.not_leader(1, None), Vec::<NodeId>::new());
        assert_eq!(h.timeout(), [3], "S2 did not answer: unreachable too");
        assert_eq!(h.client.unreachable, BTreeSet::from([1, 2]));
    }
}
