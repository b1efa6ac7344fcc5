//! What reports and the inspector show of a commit node and of a whole run, as JSON.
//!
//! A node's view: `role` (`coordinator` or `participant`), `state` per transaction its log
//! mentions (`init`, `prepared`, `precommitted`, `committed`, `aborted`; one it never heard of
//! is `init` in the outcome's `states`), a participant's `votes`, the
//! transactions whose `locks` it holds and how long it was `blocked_ms` in each (uncertain: from
//! its Yes vote to the decision), and its `log`. A node knows no time but that of the events it
//! handles, so a running node counts an undecided transaction's blocking up to its `clock_ms`
//! (its latest event); a crashed one shows `null` there. The run's outcome measures up to the
//! end of the run.

use serde_json::{Map, Value, json};

use super::checker::{CommitChecker, table_of};
use super::client::CommitClient;
use super::core::Core;
use super::tx::Table;
use super::wal::{Record, Wal};
use super::{COORDINATOR, CommitFamily, TxId, participants};
use crate::sim::time::to_ms_f64;
use crate::sim::{Micros, NodeId, World};

fn key(id: u64) -> String {
    id.to_string()
}

/// The log as `[{"tx", "record", "at_ms"}]`.
pub fn log_json(records: &[Record]) -> Value {
    Value::Array(records.iter().map(|r| json!({"tx": r.tx, "record": r.entry.name(), "at_ms": to_ms_f64(r.at_us)})).collect())
}

/// The view of node `id` from its table and log; `clock_us` is the node's time if it is running.
pub fn table_view(id: NodeId, table: &Table, records: &[Record], clock_us: Option<Micros>) -> Value {
    let state: Map<String, Value> = table.iter().map(|t| (key(t.id), Value::from(t.state.as_str()))).collect();
    let mut v = json!({
        "role": if id == COORDINATOR { "coordinator" } else { "participant" },
        "state": state,
    });
    if id != COORDINATOR {
        let votes: Map<String, Value> = table.iter().filter_map(|t| t.vote.map(|vote| (key(t.id), Value::from(vote.as_str())))).collect();
        let locks: Vec<TxId> = table.iter().filter(|t| t.holds_locks()).map(|t| t.id).collect();
        let blocked: Map<String, Value> = table
            .iter()
            .filter(|t| t.uncertain_since_us.is_some())
            .map(|t| {
                let ms = match (t.decided_us, clock_us) {
                    (None, None) => Value::Null,
                    (_, clock) => t.blocked_us(clock.unwrap_or(0)).map_or(Value::Null, |us| Value::from(to_ms_f64(us))),
                };
                (key(t.id), ms)
            })
            .collect();
        v["votes"] = Value::Object(votes);
        v["locks"] = json!(locks);
        v["blocked_ms"] = Value::Object(blocked);
    }
    v["log"] = log_json(records);
    v["clock_ms"] = clock_us.map_or(Value::Null, |c| Value::from(to_ms_f64(c)));
    v
}

/// A running node's view; a coordinator's adds the votes it is `collecting` (the Yes votes so
/// far) and the participants whose acknowledgements it is awaiting (`awaiting_acks`).
pub fn node_view<P: CommitFamily>(cfg: &P, node: &P::Node) -> Value {
    let core: &Core = P::core(node);
    let mut v = table_view(core.id, &core.table, &core.log, Some(core.clock_us));
    if core.is_coordinator() {
        let everyone = participants(core.nodes);
        v["collecting"] = core.collecting.iter().map(|(tx, yes)| (key(*tx), json!({"yes": yes}))).collect::<Map<_, _>>().into();
        v["awaiting_acks"] = core.acks.iter().map(|(tx, acked)| (key(*tx), json!(everyone.iter().filter(|p| !acked.contains(p)).collect::<Vec<_>>()))).collect::<Map<_, _>>().into();
    }
    cfg.extra_view(node, &mut v);
    v
}

/// A crashed node's view: what its stable log says.
pub fn durable_view(wal: &Wal) -> Value {
    table_view(wal.node, &wal.table(), &wal.records, None)
}

/// A client's view: requests `pending` (with the attempts so far) and `answered`.
pub fn client_view(c: &CommitClient) -> Value {
    json!({
        "pending": c.pending.iter().map(|(seq, (r, attempts))| json!({"seq": seq, "request": r.to_string(), "attempts": attempts})).collect::<Vec<_>>(),
        "answered": c.answered,
    })
}

/// The run's outcome: `transactions` (`[{"id", "decision", "states", "blocked_ms"}]`, the
/// decision being the first any node reached) and, per participant, the total time it was
/// `blocked_ms`, measured to the end of the run.
pub fn outcome<P: CommitFamily>(world: &World<'_, P>, checker: &CommitChecker) -> Value {
    let tables: Vec<_> = world.nodes.iter().map(table_of).collect();
    let mut ids: Vec<TxId> = tables.iter().flat_map(|t| t.iter().map(|tx| tx.id)).collect();
    ids.sort_unstable();
    ids.dedup();
    let mut totals: Map<String, Value> = Map::new();
    let mut total_us: Vec<Micros> = vec![0; world.nodes.len()];
    let transactions: Vec<Value> = ids
        .iter()
        .map(|&id| {
            let mut states = Map::new();
            let mut blocked = Map::new();
            for (i, t) in tables.iter().enumerate() {
                let node = i as NodeId + 1;
                states.insert(key(node as u64), Value::from(t.state(id).as_str()));
                if let Some(us) = t.get(id).and_then(|tx| tx.blocked_us(world.now_us)) {
                    blocked.insert(key(node as u64), Value::from(to_ms_f64(us)));
                    total_us[i] += us;
                }
            }
            json!({
                "id": id,
                "decision": checker.decision(id).map(|d| d.as_str()),
                "states": states,
                "blocked_ms": blocked,
            })
        })
        .collect();
    for (i, us) in total_us.iter().enumerate().skip(1) {
        totals.insert(key(i as u64 + 1), Value::from(to_ms_f64(*us)));
    }
    json!({"transactions": transactions, "blocked_ms": totals})
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::protocols::commit::wal::Entry;

    #[test]
    fn a_participant_view_shows_state_vote_locks_and_blocking() {
        let records = vec![Record { tx: 1, at_us: 1_000, entry: Entry::Prepared { coordinator: 1, participants: vec![2, 3] } }, Record { tx: 2, at_us: 2_000, entry: Entry::VotedNo }];
        let table = Table::replay(&records);
        let v = table_view(2, &table, &records, Some(4_500));
        assert_eq!(v["role"], "participant");
        assert_eq!(v["state"], json!({"1": "prepared", "2": "aborted"}));
        assert_eq!(v["votes"], json!({"1": "yes", "2": "no"}));
        assert_eq!(v["locks"], json!([1]));
        assert_eq!(v["blocked_ms"], json!({"1": 3.5}));
        assert_eq!(v["log"][0], json!({"tx": 1, "record": "prepared", "at_ms": 1.0}));
        let down = table_view(2, &table, &records, None);
        assert_eq!(down["blocked_ms"], json!({"1": null}), "a crashed node knows no time");
        let c = table_view(1, &Table::default(), &[], Some(0));
        assert_eq!(c["role"], "coordinator");
        assert!(c.get("locks").is_none());
    }
}
