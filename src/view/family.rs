//! The lab comes as one page per family of protocols, each its own wasm bundle, so that a
//! reader who opens the Raft lab downloads Raft and the shell, not every protocol the project
//! will ever hold (each one adds its engine, views and faces: some 45 KB gzipped).
//!
//! A bundle holds the protocols its Cargo features compile into the scenario registry
//! ([`crate::scenario::protocols`]); trunk builds one bundle per family (index.html) and the
//! page's loader picks one by the address's `?lab=` (no `lab` is the first family, Raft). When
//! a person asks a bundle for a run of a protocol it does not hold (a link, a scenario from
//! the picker, an address), the lab moves to the family's address with the same request, so
//! links made anywhere open everywhere.

use serde_json::Value;

use super::page::percent_decode;
use crate::protocols::registry::{REGISTRY, registered};

/// A page of the lab: the protocols one bundle holds.
#[derive(Debug, PartialEq, Eq)]
pub struct Family {
    /// The `?lab=` value (the first family needs none).
    pub id: &'static str,
    /// Its name: the page's heading and the picker's group.
    pub title: &'static str,
    /// One line under the heading: what the page runs, in its own words.
    pub subtitle: &'static str,
    /// The name of its protocol's own panel (an embed's tab for `panels=logs`).
    pub panel_title: &'static str,
    /// The scenario it opens with.
    pub default_scenario: &'static str,
    /// Its bundle: the Cargo bin trunk builds (index.html) and the page's loader starts
    /// (Trunk.toml).
    pub bin: &'static str,
}

/// Every family, the default first. Its protocols are those the registry puts in it
/// ([`crate::protocols::registry`]). A new family adds a line here, a Cargo feature of its id
/// (which compiles its protocols into a build), a bin, a `<link data-trunk rel="rust">` in
/// index.html and two entries in the loader of Trunk.toml, its bin and its default scenario
/// (the test below checks them; `docs/adding-a-protocol.md` lists the rest).
pub const FAMILIES: &[Family] = &[
    Family {
        id: "raft",
        panel_title: crate::tr_key!("Logs"),
        title: "Raft",
        subtitle: crate::tr_key!("Consensus: a leader is elected, and it replicates a log that survives crashes"),
        default_scenario: "raft-election.json",
        bin: "distlab-web",
    },
    Family {
        id: "commit",
        panel_title: crate::tr_key!("Transactions"),
        title: crate::tr_key!("Atomic commit"),
        subtitle: crate::tr_key!("Two- and three-phase commit: every participant commits a transaction, or none does"),
        default_scenario: "2pc-all-yes.json",
        bin: "distlab-web-commit",
    },
    Family {
        id: "paxos",
        panel_title: crate::tr_key!("Acceptors"),
        title: "Paxos",
        subtitle: crate::tr_key!("Agreeing on one value, then on a log of them (Paxos and Multi-Paxos)"),
        default_scenario: "paxos-single-proposer.json",
        bin: "distlab-web-paxos",
    },
    Family {
        id: "balancer",
        panel_title: crate::tr_key!("Backends"),
        title: crate::tr_key!("Load balancing"),
        subtitle: crate::tr_key!("Twelve ways to spread requests over backends, on one workload"),
        default_scenario: "balancer-round-robin-slow-backend.json",
        bin: "distlab-web-balancer",
    },
];

impl Family {
    /// The protocols it runs, in the registry's order ([`crate::protocols::registry`]).
    pub fn protocols(&self) -> impl Iterator<Item = &'static str> + use<> {
        let id = self.id;
        REGISTRY.iter().filter(move |r| r.family == id).map(|r| r.name)
    }
    /// Whether it runs `protocol`.
    pub fn runs(&self, protocol: &str) -> bool {
        registered(protocol).is_some_and(|r| r.family == self.id)
    }
}

/// A protocol's name as people write it (`Multi-Paxos` for `multipaxos`).
pub fn protocol_title(protocol: &str) -> &str {
    registered(protocol).map_or(protocol, |r| r.title)
}

/// What the browser bundles say when run natively.
pub const NATIVE_NOTICE: &str = "distlab-web is the browser app: serve it with `bash scripts/serve.sh` and open \
     http://127.0.0.1:8080. On the command line, use the CLI: `cargo run --bin distlab -- --help`.";

/// The address key that picks the family.
pub const QUERY_KEY: &str = "lab";

/// The family that runs `protocol`.
pub fn family_of(protocol: &str) -> Option<&'static Family> {
    FAMILIES.iter().find(|f| f.runs(protocol))
}

/// Whether this build runs `protocol`.
pub fn holds(protocol: &str) -> bool {
    crate::scenario::protocol(protocol).is_some()
}

static HERE: std::sync::OnceLock<&'static Family> = std::sync::OnceLock::new();

/// The family of this page: the one its bin named at start ([`set_here`]), else the first.
pub fn here() -> &'static Family {
    HERE.get().copied().unwrap_or(&FAMILIES[0])
}

/// Names this page's family (a bundle may run other families' protocols too, to compare).
/// Only the first call counts; an unknown id leaves the default.
pub fn set_here(id: &str) {
    if let Some(f) = FAMILIES.iter().find(|f| f.id == id) {
        let _ = HERE.set(f);
    }
}

/// The protocol a scenario's JSON names, without parsing the rest (which only the family that
/// runs it can do).
pub fn protocol_of(scenario: &Value) -> Option<&str> {
    scenario.get("protocol").and_then(Value::as_str)
}

/// The protocol of a shipped scenario, by file name.
pub fn shipped_protocol(name: &str) -> Option<String> {
    super::shipped::find(name).map(|s| s.protocol.to_string())
}

/// Where to go for a run of `protocol` when a build that runs only what `holds` accepts was
/// asked for it: `None` when it is run here (or by no family at all, which the caller reports
/// as it always has).
pub fn elsewhere(protocol: &str, holds: impl Fn(&str) -> bool) -> Option<&'static Family> {
    // Never to this page's own family: a build that lacks one of its own protocols would
    // otherwise send the page to itself forever.
    if holds(protocol) { None } else { family_of(protocol).filter(|f| *f != here()) }
}

/// The query string (with its `?`, or empty) of `family`'s page, keeping the other keys of
/// `search` (`embed`, `panels`) and setting `scenario` when given.
pub fn address(search: &str, family: &Family, scenario: Option<&str>) -> String {
    let dropped: &[&str] = if scenario.is_some() { &[QUERY_KEY, "scenario"] } else { &[QUERY_KEY] };
    let mut pairs = pairs_without(search, dropped);
    if family.id != FAMILIES[0].id {
        pairs.insert(0, format!("{QUERY_KEY}={}", family.id));
    }
    if let Some(name) = scenario {
        pairs.push(format!("scenario={}", encode(name)));
    }
    if pairs.is_empty() { String::new() } else { format!("?{}", pairs.join("&")) }
}

/// The `key=value` pairs of a query string but those whose key is in `keys`.
fn pairs_without(search: &str, keys: &[&str]) -> Vec<String> {
    search.trim_start_matches('?').split('&').filter(|p| !p.is_empty() && !keys.contains(&percent_decode(p.split_once('=').map_or(*p, |(k, _)| k)).as_str())).map(str::to_string).collect()
}

/// The family the address asks for with `?lab=`, if it names one; an unknown name is returned
/// as the error.
pub fn requested(search: &str) -> Result<Option<&'static Family>, String> {
    for pair in search.trim_start_matches('?').split('&') {
        // Keys decoded as the page's loader (URLSearchParams) decodes them, so both agree.
        if let Some((key, value)) = pair.split_once('=')
            && percent_decode(key) == QUERY_KEY
        {
            let value = percent_decode(value);
            return FAMILIES.iter().find(|f| f.id == value).map(Some).ok_or(value);
        }
    }
    Ok(None)
}

/// A request this build cannot run, sent to the page of the family that can.
#[derive(Debug, PartialEq, Eq)]
pub struct Move {
    /// The family that runs it.
    pub family: &'static Family,
    /// The new query string (see [`address`]).
    pub search: String,
    /// What travels in the new page's fragment.
    pub fragment: Carried,
}

/// What a [`Move`] carries in the new page's fragment.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Carried {
    /// Nothing: the query says what to open.
    Nothing,
    /// A link's fragment (without `#`), as it came.
    Link(String),
    /// A run as a link's JSON ([`super::share::payload_value`]), for the page to compress into
    /// the fragment as it leaves: the compressor is the browser's (see [`super::share`]).
    Run(String),
}

impl Move {
    /// The address to go to, on the page at `path`: its query, and its fragment when that
    /// travels as it came (a [`Carried::Run`] is added once compressed).
    pub fn href(&self, path: &str) -> String {
        let hash = match &self.fragment {
            Carried::Link(fragment) => format!("#{fragment}"),
            Carried::Nothing | Carried::Run(_) => String::new(),
        };
        format!("{path}{}{hash}", self.search)
    }
}

/// Where a shipped scenario, asked for by name, runs, if not here.
pub fn move_for_scenario(search: &str, name: &str, holds: impl Fn(&str) -> bool) -> Option<Move> {
    let family = elsewhere(&shipped_protocol(name)?, holds)?;
    Some(Move { family, search: address(search, family, Some(name)), fragment: Carried::Nothing })
}

/// Where a link's run (`#run=...`) runs, if not here.
pub fn move_for_link(search: &str, fragment: &str, holds: impl Fn(&str) -> bool) -> Option<Move> {
    let family = elsewhere(&super::share::peek_protocol(fragment)?, holds)?;
    // Any `?scenario=` stays behind: the link says what to open.
    let search = address(&pairs_without(search, &["scenario"]).join("&"), family, None);
    Some(Move { family, search, fragment: Carried::Link(fragment.trim_start_matches('#').to_string()) })
}

/// Where a file the person picked (a scenario, or a trace file's scenario at its moment) runs,
/// if not here: it travels in the new page's fragment as a link's run does.
pub fn move_for_file(search: &str, file: &str, text: &str, holds: impl Fn(&str) -> bool) -> Option<Move> {
    let value: Value = serde_json::from_str(text).ok()?;
    let (scenario, at_event) = match value.get("distlab_trace") {
        Some(_) => (value.get("scenario")?, value.get("at_event").and_then(Value::as_u64).unwrap_or(0)),
        None => (&value, 0),
    };
    let family = elsewhere(protocol_of(scenario)?, holds)?;
    let fragment = Carried::Run(super::share::payload_value(file, scenario, at_event));
    Some(Move { family, search: address(search, family, None), fragment })
}

/// Percent-encoding for a scenario file name in a query value.
fn encode(s: &str) -> String {
    s.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => (b as char).to_string(),
            _ => format!("%{b:02X}"),
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_registered_protocol_has_exactly_one_family() {
        for kind in crate::scenario::protocols() {
            let families = FAMILIES.iter().filter(|f| f.runs(kind.name())).count();
            assert_eq!(families, 1, "{} is in {families} families", kind.name());
        }
    }

    #[test]
    fn every_shipped_scenario_belongs_to_a_family_and_defaults_are_its_own() {
        for crate::view::shipped::Shipped { name, .. } in crate::view::shipped::SHIPPED {
            let protocol = shipped_protocol(name).unwrap_or_else(|| panic!("{name} names no protocol"));
            assert!(family_of(&protocol).is_some(), "{name}: {protocol} has no family");
        }
        for f in FAMILIES {
            let protocol = shipped_protocol(f.default_scenario).expect("a shipped default");
            assert_eq!(family_of(&protocol), Some(f), "{}'s default scenario runs {protocol}", f.id);
        }
    }

    #[test]
    fn every_family_is_built_by_index_html_and_started_by_the_loader() {
        let index = include_str!("../../index.html");
        let trunk = include_str!("../../Trunk.toml");
        let cargo = include_str!("../../Cargo.toml");
        for (i, f) in FAMILIES.iter().enumerate() {
            let link = index.lines().find(|l| l.contains(&format!("data-bin=\"{}\"", f.bin))).unwrap_or_else(|| panic!("index.html has no rust link for {}", f.bin));
            let features = link.split("data-cargo-features=\"").nth(1).and_then(|r| r.split('"').next()).unwrap_or_default();
            assert!(features.split([' ', ',']).any(|x| x == f.id), "{} builds with the {} feature: {link}", f.bin, f.id);
            assert!(link.contains("data-cargo-no-default-features"), "{link}");
            assert!(cargo.contains(&format!("name = \"{}\"", f.bin)), "Cargo.toml has no bin {}", f.bin);
            assert!(cargo.contains(&format!("\n{} = []", f.id)), "Cargo.toml has no feature {}", f.id);
            assert!(features.split([' ', ',']).any(|x| x == "fetch-scenarios"), "{} carries the scenarios instead of fetching them: {link}", f.bin);
            assert!(trunk.contains(&format!("{}: \"{}\"", f.id, f.default_scenario)), "Trunk.toml's loader does not fetch {}'s default scenario, {}", f.id, f.default_scenario);
            let css = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("static/families").join(format!("{}.css", f.id));
            assert!(css.exists(), "{} has no style sheet of its own ({})", f.id, css.display());
            assert!(trunk.contains(&format!("{}: [\"{}\"", f.id, f.id)), "Trunk.toml's loader does not add {}'s style sheet", f.id);
            if i == 0 {
                assert!(!link.contains("data-type"), "the default family is trunk's main app: {link}");
            } else {
                assert!(link.contains(r#"data-type="worker""#) && link.contains(r#"data-bindgen-target="web""#), "{link}");
                assert!(trunk.contains(&format!("{}: \"{}\"", f.id, f.bin)), "Trunk.toml's loader does not start {} for ?lab={}", f.bin, f.id);
            }
        }
    }

    #[test]
    fn a_build_of_every_feature_runs_everything_here() {
        assert_eq!(here().id, "raft");
        assert_eq!(elsewhere("2pc", holds), None);
    }

    #[test]
    fn a_raft_only_build_sends_commit_runs_to_the_commit_page() {
        let raft_only = |p: &str| p == "raft";
        assert_eq!(elsewhere("raft", raft_only), None);
        assert_eq!(elsewhere("3pc", raft_only).map(|f| f.id), Some("commit"));
        // Nobody runs it: the caller reports the unknown protocol as before.
        assert_eq!(elsewhere("zab", raft_only), None);
    }

    #[test]
    fn addresses_keep_the_embed_keys_and_replace_lab_and_scenario() {
        let commit = family_of("2pc").expect("family");
        let raft = family_of("raft").expect("family");
        assert_eq!(address("", commit, None), "?lab=commit");
        assert_eq!(address("?embed=1&panels=logs", commit, Some("2pc-all-yes.json")), "?lab=commit&embed=1&panels=logs&scenario=2pc-all-yes.json");
        assert_eq!(address("?lab=commit&scenario=old.json&embed=1", raft, Some("raft figure 8.json")), "?embed=1&scenario=raft%20figure%208.json");
        assert_eq!(address("?lab=commit&scenario=old.json", raft, None), "?scenario=old.json");
    }

    #[test]
    fn requests_for_another_familys_protocol_move_there_and_others_stay() {
        let raft_only = |p: &str| p == "raft";
        let m = move_for_scenario("?embed=1", "3pc-partition-flaw.json", raft_only).expect("moves");
        assert_eq!(m.href("/"), "/?lab=commit&embed=1&scenario=3pc-partition-flaw.json");
        assert_eq!(move_for_scenario("?embed=1", "raft-figure8.json", raft_only), None);
        assert_eq!(move_for_scenario("", "no-such.json", raft_only), None, "unknown names are reported where they are asked for");

        let commit_run = crate::view::lab::LabRun::shipped("2pc-all-yes.json").expect("shipped").shared();
        let fragment = crate::view::share::encode(&commit_run);
        let m = move_for_link("?scenario=raft-figure8.json&embed=1", &format!("#{fragment}"), raft_only).expect("moves");
        assert_eq!(m.href("/lab/"), format!("/lab/?lab=commit&embed=1#{fragment}"));
        assert_eq!(move_for_link("", &fragment, holds), None, "a build that runs 2PC opens it");
        assert_eq!(move_for_link("", "#run=damaged!", raft_only), None, "a damaged link is reported here");

        let text = crate::view::files::scenario_file(&crate::view::lab::LabRun::shipped("3pc-all-yes.json").expect("shipped"));
        let m = move_for_file("?embed=1", "mine.json", &text, raft_only).expect("moves");
        assert_eq!(m.search, "?lab=commit&embed=1");
        assert_eq!(m.href("/"), "/?lab=commit&embed=1", "the run is added once compressed");
        let Carried::Run(payload) = &m.fragment else { panic!("the file travels as a run: {:?}", m.fragment) };
        let packed = crate::view::share::fragment(&miniz_oxide::deflate::compress_to_vec(payload.as_bytes(), 9));
        let carried = crate::view::share::decode(&packed).expect("the file travels as a link");
        assert_eq!((carried.name.as_str(), carried.at_event, carried.scenario.protocol.as_str()), ("mine.json", 0, "3pc"));
        assert_eq!(move_for_file("", "mine.json", &text, holds), None);
        assert_eq!(move_for_file("", "bad.json", "{not json", raft_only), None, "a bad file is reported by the import");
    }

    #[test]
    fn encoded_keys_are_read_as_the_loader_reads_them_and_a_page_never_moves_to_itself() {
        assert_eq!(requested("?l%61b=commit").map(|f| f.map(|f| f.id)), Ok(Some("commit")));
        assert_eq!(address("?l%61b=commit&embed=1", &FAMILIES[0], None), "?embed=1");
        // This (all-features) build's family is Raft: a Raft request it "lacks" stays here.
        assert_eq!(elsewhere("raft", |_| false), None);
    }

    #[test]
    fn the_requested_family_is_read_and_unknown_ones_are_reported() {
        assert_eq!(requested("?embed=1&lab=commit").map(|f| f.map(|f| f.id)), Ok(Some("commit")));
        assert_eq!(requested("?embed=1"), Ok(None));
        assert_eq!(requested("?lab=zab"), Err("zab".to_string()));
    }
}
