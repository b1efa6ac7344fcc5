//! The scenarios shipped with the lab: every family's, by name, protocol and title, so that
//! each page's picker lists them all and can send a person to the page that runs one; but
//! the JSON text only of those this build runs (its Cargo features), since the text of the
//! others is download the page does not need (about 9 KB gzipped on the Raft page).
//!
//! The name, protocol and title are written here as well as in each file (the picker must
//! know them without the text); `tests::the_catalogue_matches_the_files` checks that they agree.
//! The text compiled in is the file's as `build.rs` writes it: without the guide's claims
//! (only the guide tests read them) and without layout whitespace. The browser bundles (built
//! with the `fetch-scenarios` feature) compile in none: the page's loader (Trunk.toml) fetches
//! the one it opens with alongside the wasm, and the page the others when a person chooses one
//! ([`fetched`]); both are handed over with [`remember`].

/// Whether a build compiles in the texts of the families it runs: not the browser bundles.
const fn compiled_in() -> bool {
    !cfg!(feature = "fetch-scenarios")
}

thread_local! {
    /// Texts of shipped scenarios fetched by the page (name, JSON).
    static FETCHED: std::cell::RefCell<Vec<(String, std::rc::Rc<str>)>> = const { std::cell::RefCell::new(Vec::new()) };
}

/// Keeps the text of a shipped scenario the page fetched, so that it runs like one compiled in.
pub fn remember(name: &str, text: &str) {
    FETCHED.with(|f| {
        let mut f = f.borrow_mut();
        if !f.iter().any(|(n, _)| n == name) {
            f.push((name.to_string(), std::rc::Rc::from(text)));
        }
    });
}

/// Where a bundle fetches a shipped scenario it does not carry: relative to the page.
pub fn fetched(name: &str) -> String {
    format!("scenarios/{name}")
}

/// Whether a build runs the shipped scenario `name` but has yet to fetch its text (see
/// [`fetched`]).
pub fn to_fetch(name: &str) -> bool {
    find(name).is_some_and(|s| crate::scenario::protocol(s.protocol).is_some()) && text(name).is_none()
}

/// A shipped scenario.
#[derive(Debug)]
pub struct Shipped {
    /// Its file name under `scenarios/`.
    pub name: &'static str,
    /// The protocol its JSON names.
    pub protocol: &'static str,
    /// Its guide's title, or the file name without `.json`.
    pub title: &'static str,
    /// Its JSON, if this build runs its family.
    pub text: Option<&'static str>,
}

/// One entry: the text is compiled in only into builds that run its protocol.
macro_rules! shipped {
    ($name:literal, $protocol:literal, $title:expr) => {
        Shipped {
            name: $name,
            protocol: $protocol,
            title: $title,
            text: if crate::protocols::registry::built($protocol) && compiled_in() { Some(include_str!(concat!(env!("OUT_DIR"), "/scenarios/", $name))) } else { None },
        }
    };
}

/// The shipped scenarios, in the order the picker lists them within each family.
pub const SHIPPED: &[Shipped] = &[
    shipped!("raft-election.json", "raft", crate::tr_key!("Leader election")),
    shipped!("raft-leader-crash.json", "raft", crate::tr_key!("Leader crash and re-election")),
    shipped!("raft-split-vote.json", "raft", crate::tr_key!("Split vote")),
    shipped!("raft-partition.json", "raft", crate::tr_key!("Partitioned leader with stale entries")),
    shipped!("raft-partition-clients.json", "raft", crate::tr_key!("Clients leave a partitioned leader")),
    shipped!("raft-figure7.json", "raft", crate::tr_key!("Figure 7: a new leader repairs the logs")),
    shipped!("raft-figure8.json", "raft", crate::tr_key!("Figure 8: committing entries from earlier terms")),
    shipped!("raft-figure8-planted-bug.json", "raft", crate::tr_key!("Figure 8 with a planted bug")),
    shipped!("raft-tour.json", "raft", crate::tr_key!("Tour: every scenario action once")),
    shipped!("raft-load-15.json", "raft", crate::tr_key!("Fifteen servers under load")),
    shipped!("2pc-all-yes.json", "2pc", crate::tr_key!("Two-phase commit (2PC): everyone votes yes")),
    shipped!("2pc-one-votes-no.json", "2pc", crate::tr_key!("2PC: one participant votes no")),
    shipped!("2pc-participant-crash-before-voting.json", "2pc", crate::tr_key!("2PC: a participant crashes before voting")),
    shipped!("2pc-coordinator-crash-before-decision.json", "2pc", crate::tr_key!("2PC: the coordinator crashes before deciding")),
    shipped!("2pc-coordinator-crash-after-commit.json", "2pc", crate::tr_key!("2PC: the coordinator crashes after deciding commit")),
    shipped!("2pc-cooperative-termination.json", "2pc", crate::tr_key!("2PC: a peer tells the decision (cooperative termination)")),
    shipped!("2pc-concurrent.json", "2pc", crate::tr_key!("2PC: concurrent transactions and a participant crash")),
    shipped!("3pc-all-yes.json", "3pc", crate::tr_key!("Three-phase commit (3PC): everyone votes yes")),
    shipped!("3pc-one-votes-no.json", "3pc", crate::tr_key!("3PC: one participant votes no")),
    shipped!("3pc-participant-crash-before-voting.json", "3pc", crate::tr_key!("3PC: a participant crashes before voting")),
    shipped!("3pc-coordinator-crash-before-decision.json", "3pc", crate::tr_key!("3PC: the coordinator crashes before deciding")),
    shipped!("3pc-coordinator-crash-after-commit.json", "3pc", crate::tr_key!("3PC: the coordinator crashes after deciding commit")),
    shipped!("3pc-partition-flaw.json", "3pc", crate::tr_key!("3PC: a network partition breaks atomicity")),
    shipped!("paxos-single-proposer.json", "paxos", crate::tr_key!("A single proposer")),
    shipped!("paxos-second-proposer-adopts.json", "paxos", crate::tr_key!("The second proposer adopts the chosen value")),
    shipped!("paxos-dueling-proposers.json", "paxos", crate::tr_key!("Dueling proposers (livelock)")),
    shipped!("paxos-dueling-backoff.json", "paxos", crate::tr_key!("Random back-off breaks the duel")),
    shipped!("paxos-acceptor-crash.json", "paxos", crate::tr_key!("Acceptor crash and recovery")),
    shipped!("paxos-chosen-unannounced.json", "paxos", crate::tr_key!("Chosen, and nobody knows")),
    shipped!("paxos-learner-catch-up.json", "paxos", crate::tr_key!("A learner that missed the news asks")),
    shipped!("multipaxos-leader-change.json", "multipaxos", crate::tr_key!("Multi-Paxos: leader change with an unfinished slot")),
    shipped!("balancer-round-robin-slow-backend.json", "balancer", crate::tr_key!("Round robin and a slow backend")),
    shipped!("balancer-least-conn-slow-backend.json", "balancer", crate::tr_key!("Least connections and a slow backend")),
    shipped!("balancer-peak-ewma-slow-backend.json", "balancer", crate::tr_key!("Peak-EWMA and a slow backend")),
    shipped!("balancer-smooth-wrr.json", "balancer", crate::tr_key!("Smooth weighted round robin")),
    shipped!("balancer-ring-hash-add-backend.json", "balancer", crate::tr_key!("Consistent hashing: adding a backend")),
    shipped!("balancer-maglev-remove-backend.json", "balancer", crate::tr_key!("Maglev: removing a backend")),
    shipped!("balancer-rendezvous-remove-backend.json", "balancer", crate::tr_key!("Rendezvous hashing: removing a backend")),
    shipped!("balancer-health-check-failure.json", "balancer", crate::tr_key!("A backend fails: health checks and retries")),
    shipped!("balancer-zipf-ring-hash.json", "balancer", crate::tr_key!("A hot key on a hash ring")),
    shipped!("balancer-zipf-bounded-load.json", "balancer", crate::tr_key!("Bounded loads tame a hot key")),
    shipped!("balancer-random-many-backends.json", "balancer", crate::tr_key!("Random choice")),
    shipped!("balancer-p2c-many-backends.json", "balancer", crate::tr_key!("The power of two choices")),
    shipped!("balancer-peak-ewma-slowdown.json", "balancer", crate::tr_key!("Peak-EWMA reacts to a slowdown")),
    shipped!("balancer-planted-bug-lose-on-timeout.json", "balancer", crate::tr_key!("Planted bug: a lost request")),
    shipped!("balancer-load-5000.json", "balancer", crate::tr_key!("Heavy load: 5,000 requests a second")),
];

/// A shipped scenario by file name (with `.json`).
pub fn find(name: &str) -> Option<&'static Shipped> {
    SHIPPED.iter().find(|s| s.name == name)
}

/// The JSON of a shipped scenario this build runs: compiled in, or fetched and remembered.
pub fn text(name: &str) -> Option<std::rc::Rc<str>> {
    find(name).and_then(|s| s.text.map(std::rc::Rc::from).or_else(|| FETCHED.with(|f| f.borrow().iter().find(|(n, _)| n == name).map(|(_, t)| t.clone()))))
}

/// The shipped scenarios this build runs: (file name, JSON).
pub fn runnable() -> impl Iterator<Item = (&'static str, &'static str)> {
    SHIPPED.iter().filter_map(|s| Some((s.name, s.text?)))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scenario::guide::display_title;

    #[test]
    fn the_catalogue_matches_the_files() {
        let mut files: Vec<String> = std::fs::read_dir(concat!(env!("CARGO_MANIFEST_DIR"), "/scenarios"))
            .expect("scenarios/")
            .map(|e| e.expect("entry").file_name().to_string_lossy().into_owned())
            .filter(|n| n.ends_with(".json"))
            .collect();
        files.sort();
        let mut listed: Vec<String> = SHIPPED.iter().map(|s| s.name.to_string()).collect();
        listed.sort();
        assert_eq!(listed, files, "every file under scenarios/ is shipped, once");
        for s in SHIPPED {
            let text = std::fs::read_to_string(format!("{}/scenarios/{}", env!("CARGO_MANIFEST_DIR"), s.name)).expect("readable");
            let value: serde_json::Value = serde_json::from_str(&text).expect("JSON");
            assert_eq!(value["protocol"].as_str(), Some(s.protocol), "{}", s.name);
            assert_eq!(display_title(s.name, &text), s.title, "{}", s.name);
            // Built with every family (the tests' default), every text is compiled in.
            if cfg!(all(feature = "raft", feature = "commit", feature = "paxos", feature = "balancer")) {
                let mut without_claims = value.clone();
                if let Some(steps) = without_claims.pointer_mut("/guide/steps").and_then(serde_json::Value::as_array_mut) {
                    steps.iter_mut().filter_map(serde_json::Value::as_object_mut).for_each(|step| drop(step.remove("expect")));
                }
                let shipped: serde_json::Value = serde_json::from_str(s.text.expect("compiled in")).expect("JSON");
                assert_eq!(shipped, without_claims, "{}: the compiled-in text is the file without its claims", s.name);
            }
        }
    }
}
