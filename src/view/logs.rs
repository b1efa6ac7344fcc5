//! The servers' logs side by side, as the log view draws them: a row per server, a cell per
//! index, each cell marked committed and/or different from the current leader's entry.

use crate::protocols::raft::{Entry, Role};
use crate::sim::NodeId;

/// Commands longer than this are cut (with `…`) in a cell.
pub const SHORT_COMMAND_CHARS: usize = 8;

/// One log index of one server.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LogCell {
    /// 1-based log index.
    pub index: u64,
    /// The entry's term, `None` if the server has no entry here.
    pub term: Option<u64>,
    /// The command, short (`set x 1`, `noop`); empty without an entry.
    pub command: String,
    /// The index is at or below the server's commit index.
    pub committed: bool,
    /// The last committed index of the row (the commit mark goes after it).
    pub commit_edge: bool,
    /// Unlike the leader's entry at this index: another term, or missing, or extra.
    pub differs_from_leader: bool,
    /// Named by a broken invariant (see [`mark_violations`]).
    pub violating: bool,
}

impl LogCell {
    /// Words for a screen reader: `index 2, term 1, set x 1, committed, differs from leader`.
    pub fn aria_label(&self) -> String {
        let mut s = crate::tr!("index {i}", i = self.index);
        match self.term {
            Some(t) => s.push_str(&crate::tr!(", term {t}, {command}", t = t, command = self.command)),
            None => s.push_str(crate::tr!(", no entry")),
        }
        if self.committed {
            s.push_str(crate::tr!(", committed"));
        }
        if self.differs_from_leader {
            s.push_str(match self.term {
                Some(_) => crate::tr!(", differs from leader"),
                None => crate::tr!(", missing: the leader has an entry here"),
            });
        }
        if self.violating {
            s.push_str(", involved in a broken invariant");
        }
        s
    }
}

/// One server's log.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LogRow {
    /// 1-based id (label `S{id}`).
    pub id: NodeId,
    /// Running (a down server shows its durable log).
    pub up: bool,
    /// The current leader (whose log the others are compared with).
    pub leader: bool,
    /// Its commit index (0 while down: it is volatile).
    pub commit: u64,
    /// Its log length.
    pub len: u64,
    /// One cell per index 1..=the longest log among all servers.
    pub cells: Vec<LogCell>,
}

/// A server's log as input to [`log_rows`].
#[derive(Clone, Copy, Debug)]
pub struct ServerLog<'a> {
    /// Its id.
    pub id: NodeId,
    /// Running.
    pub up: bool,
    /// Its role while up.
    pub role: Option<Role>,
    /// Its commit index.
    pub commit: u64,
    /// Its log (the durable one while down).
    pub log: &'a [Entry],
}

/// A command cut to [`SHORT_COMMAND_CHARS`].
pub fn short_command(command: &str) -> String {
    if command.chars().count() <= SHORT_COMMAND_CHARS {
        command.to_string()
    } else {
        let mut s: String = command.chars().take(SHORT_COMMAND_CHARS - 1).collect();
        s.push('…');
        s
    }
}

/// The rows of the log view, all `width` = longest log long, compared with `leader`'s log.
/// Without a leader nothing is flagged as different.
pub fn log_rows(servers: &[ServerLog<'_>], leader: Option<NodeId>) -> Vec<LogRow> {
    let width = servers.iter().map(|s| s.log.len()).max().unwrap_or(0);
    let leader_log = leader.and_then(|l| servers.iter().find(|s| s.id == l)).map(|s| s.log);
    servers
        .iter()
        .map(|s| {
            let commit = s.commit.min(s.log.len() as u64);
            let cells = (0..width)
                .map(|i| {
                    let index = i as u64 + 1;
                    let entry = s.log.get(i);
                    let differs_from_leader = match leader_log {
                        Some(ll) if Some(s.id) != leader => match (entry, ll.get(i)) {
                            (Some(e), Some(l)) => e.term != l.term || e.command != l.command,
                            (None, None) => false,
                            _ => true,
                        },
                        _ => false,
                    };
                    LogCell {
                        index,
                        term: entry.map(|e| e.term),
                        command: entry.map(|e| short_command(&e.command.to_string())).unwrap_or_default(),
                        committed: entry.is_some() && index <= commit,
                        commit_edge: index == commit,
                        differs_from_leader,
                        violating: false,
                    }
                })
                .collect();
            LogRow { id: s.id, up: s.up, leader: Some(s.id) == leader && s.role == Some(Role::Leader), commit, len: s.log.len() as u64, cells }
        })
        .collect()
}

/// Flags the cells a broken invariant names, as (server, 1-based index) positions.
pub fn mark_violations(rows: &mut [LogRow], positions: &[(NodeId, u64)]) {
    for &(id, index) in positions {
        let cell = rows.iter_mut().find(|r| r.id == id).and_then(|r| r.cells.get_mut((index as usize).wrapping_sub(1)));
        if let Some(cell) = cell {
            cell.violating = true;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::protocols::raft::Command;

    fn set(term: u64, key: &str) -> Entry {
        Entry::new(term, Command::Set { key: key.to_string(), value: "1".to_string() })
    }

    fn server(id: NodeId, role: Option<Role>, commit: u64, log: &[Entry]) -> ServerLog<'_> {
        ServerLog { id, up: role.is_some(), role, commit, log }
    }

    #[test]
    fn a_follower_with_an_extra_entry_is_flagged() {
        let leader = [set(1, "a"), set(1, "b")];
        let extra = [set(1, "a"), set(1, "b"), set(1, "c")];
        let rows = log_rows(&[server(1, Some(Role::Leader), 2, &leader), server(2, Some(Role::Follower), 1, &extra)], Some(1));
        assert_eq!(rows.len(), 2);
        assert!(rows.iter().all(|r| r.cells.len() == 3), "columns aligned to the longest log");
        assert!(rows[0].leader && !rows[1].leader);
        // The leader's own row never differs; its missing third cell is just empty.
        assert!(rows[0].cells.iter().all(|c| !c.differs_from_leader));
        assert_eq!(rows[0].cells[2].term, None);
        let flags: Vec<bool> = rows[1].cells.iter().map(|c| c.differs_from_leader).collect();
        assert_eq!(flags, [false, false, true]);
        assert!(rows[1].cells[2].aria_label().contains("differs from leader"));
        // Commit marks.
        let committed: Vec<bool> = rows[1].cells.iter().map(|c| c.committed).collect();
        assert_eq!(committed, [true, false, false]);
        assert!(rows[1].cells[0].commit_edge && !rows[1].cells[1].commit_edge);
        assert!(rows[0].cells[1].commit_edge && rows[0].cells[1].committed);
    }

    #[test]
    fn missing_entries_and_other_terms_are_flagged() {
        let leader = [set(1, "a"), set(3, "b")];
        let stale = [set(1, "a"), set(2, "x")];
        let short = [set(1, "a")];
        let rows = log_rows(&[server(1, Some(Role::Leader), 1, &leader), server(2, Some(Role::Follower), 1, &stale), server(3, Some(Role::Follower), 1, &short)], Some(1));
        assert!(!rows[1].cells[0].differs_from_leader && rows[1].cells[1].differs_from_leader);
        assert!(rows[2].cells[1].differs_from_leader && rows[2].cells[1].term.is_none());
        assert!(rows[2].cells[1].aria_label().contains("missing"));
        assert!(!rows[2].cells[1].committed);
    }

    #[test]
    fn without_a_leader_nothing_differs() {
        let a = [set(1, "a")];
        let b = [set(2, "b"), set(2, "c")];
        let rows = log_rows(&[server(1, Some(Role::Follower), 0, &a), server(2, Some(Role::Candidate), 0, &b)], None);
        assert!(rows.iter().flat_map(|r| &r.cells).all(|c| !c.differs_from_leader && !c.committed));
        assert!(rows.iter().all(|r| !r.leader));
    }

    #[test]
    fn commands_are_shortened() {
        assert_eq!(short_command("noop"), "noop");
        assert_eq!(short_command("set k10 10"), "set k10…");
        assert_eq!(short_command("set k10 10").chars().count(), SHORT_COMMAND_CHARS);
    }
}
