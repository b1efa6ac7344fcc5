//! Walks a guided scenario step by step and checks each step against its run: its claims
//! ([`super::claims`]) at the step's first and last moment, and that every server and term its
//! text names is the subject of a claim. The guide tests run it over every shipped scenario;
//! `distlab guide FILE` runs it for a guide's author.
//!
//! A step's first moment is where Previous and Next take the lab ([`Guide::step_start`]); its
//! last is the microsecond before the next step takes over, the run's end for the last step,
//! or the event that broke an invariant, where the lab stops.
//!
//! [`words`] checks what a person reads (title, what to watch, steps, description) for what
//! should not reach them: file names, report field names, and lengths that do not fit beside
//! the stage.

use super::Scenario;
use super::guide::Guide;
use super::{BuildOptions, Built};
use crate::sim::{Micros, TraceMode};

/// What one step's check found.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StepCheck {
    /// 0-based.
    pub index: usize,
    /// The moments its claims were checked at: its start, and its last moment.
    pub moments_us: Vec<Micros>,
    /// Claims that did not hold (with the moment), names without a claim, unreachable moments.
    pub failures: Vec<String>,
}

/// Longest title: it is the picker's label and the guide's heading.
pub const TITLE_CHARS_MAX: usize = 60;
/// Longest "what to watch" and step text: a few lines of the panel beside the stage.
pub const TEXT_CHARS_MAX: usize = 320;

/// What a person reads that should not reach them: a file name (`raft-election.json`,
/// `paxos-dueling-backoff`), a field name (`blocked_ms`, `outcome.chosen`), "Press Play" (the
/// page plays on its own), or a text too long for its place. Empty when all is well.
pub fn words(sc: &Scenario) -> Vec<String> {
    let mut problems = Vec::new();
    let mut look = |what: String, text: &str, max: usize| {
        if text.chars().count() > max {
            problems.push(format!("{what} has {} characters (at most {max})", text.chars().count()));
        }
        for w in text.split(|c: char| c.is_whitespace() || "()[],;:\"'“”".contains(c)) {
            let w = w.trim_end_matches(['.', '!', '?']);
            let file_like = w.ends_with(".json") || FILE_PREFIXES.iter().any(|p| w.starts_with(p) && w.len() > p.len());
            if file_like || w.contains('_') || w.starts_with("outcome.") {
                problems.push(format!("{what} says \"{w}\": a file or field name, not words"));
            }
        }
        if text.to_lowercase().contains("press play") {
            problems.push(format!("{what} says \"Press Play\": the page plays on its own"));
        }
    };
    if let Some(d) = &sc.description {
        look("the description".into(), d, usize::MAX);
    }
    if let Some(d) = &sc.description_zh {
        look("the description in Chinese".into(), d, usize::MAX);
    }
    if let Some(g) = &sc.guide {
        look("the title".into(), &g.title, TITLE_CHARS_MAX);
        look("what to watch".into(), &g.watch, TEXT_CHARS_MAX);
        for (i, step) in g.steps.iter().enumerate() {
            look(format!("step {}", i + 1), &step.text, TEXT_CHARS_MAX);
        }
        if let (Some(title), Some(watch)) = (&g.title_zh, &g.watch_zh) {
            look("the title in Chinese".into(), title, TITLE_CHARS_MAX);
            look("what to watch in Chinese".into(), watch, TEXT_CHARS_MAX);
        }
        for (i, step) in g.steps.iter().enumerate() {
            if let Some(t) = &step.text_zh {
                look(format!("step {} in Chinese", i + 1), t, TEXT_CHARS_MAX);
            }
        }
    }
    problems
}

/// How shipped scenario files are named: a word starting so is a file name.
const FILE_PREFIXES: &[&str] = &["raft-", "2pc-", "3pc-", "paxos-", "multipaxos-", "balancer-"];

/// Checks every step of the scenario's guide against its run (under its own seed). A scenario
/// without a guide gives an empty list.
pub fn check(sc: &Scenario) -> Result<Vec<StepCheck>, String> {
    let Some(guide) = &sc.guide else {
        return Ok(Vec::new());
    };
    let mut built = sc.build(&BuildOptions { trace: TraceMode::Off, ..BuildOptions::default() }).map_err(|e| e.to_string())?;
    let mut broken_at: Option<Micros> = None;
    let mut out = Vec::with_capacity(guide.steps.len());
    for (i, step) in guide.steps.iter().enumerate() {
        let mut failures: Vec<String> = super::claims::unbacked(&step.text, &step.expect).into_iter().map(|name| format!("the text names {name}, and no claim of the step is about it")).collect();
        // The translation says the same of the same run: it answers to the same claims.
        if let Some(zh) = &step.text_zh {
            failures.extend(super::claims::unbacked(zh, &step.expect).into_iter().map(|name| format!("the Chinese text names {name}, and no claim of the step is about it")));
        }
        let (start, end) = span(guide, i, sc.until_us);
        let mut moments = vec![start];
        if end > start {
            moments.push(end);
        }
        for &t in &moments {
            if let Some(v) = broken_at.filter(|v| *v < t) {
                // The lab stops at the violation: a moment past it is never shown; the step's
                // last moment is the violation itself.
                if t == start {
                    failures.push(format!("starts at {} ms, after the run stopped on a broken invariant at {} ms", ms(t), ms(v)));
                }
                continue;
            }
            if advance(&mut built, t) {
                broken_at = Some(built.run.now());
            }
            let report = built.run.report();
            let at = built.run.now();
            for claim in &step.expect {
                if let Err(e) = claim.check(&report) {
                    failures.push(format!("at {} ms: {e}", ms(at)));
                }
            }
        }
        out.push(StepCheck { index: i, moments_us: moments, failures });
    }
    Ok(out)
}

/// Step `i`'s first and last moment (see the module doc).
fn span(guide: &Guide, i: usize, run_end_us: Micros) -> (Micros, Micros) {
    let start = guide.step_start(i);
    let end = guide.steps[i].until_us.map_or(run_end_us, |u| u.saturating_sub(1));
    (start, end.max(start))
}

/// Runs to `t`, stopping at a broken invariant; true if one broke.
fn advance(built: &mut Built, t: Micros) -> bool {
    built.run.run_until_violation(t)
}

fn ms(us: Micros) -> String {
    super::json::ms_value(us).to_string()
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn guided(steps: serde_json::Value) -> Scenario {
        let v = json!({
            "protocol": "raft", "nodes": 3, "seed": 1,
            "guide": {"title": "t", "watch": "w", "steps": steps},
            "schedule": [{"at_ms": 600, "crash": 1}],
            "until_ms": 1000
        });
        Scenario::parse(&v.to_string(), None).expect("parses")
    }

    #[test]
    fn claims_are_checked_at_both_ends_of_each_step() {
        let sc = guided(json!([
            {"text": "S1 is up.", "until_ms": 500, "expect": {"S1.up": true}},
            {"text": "S1 is up.", "until_ms": 700, "expect": {"S1.up": true}},
            {"text": "S1 is down.", "expect": {"S1.up": false}}
        ]));
        let checks = check(&sc).expect("runs");
        assert_eq!(checks[0].moments_us, [0, 499_999]);
        assert_eq!(checks[0].failures, Vec::<String>::new());
        assert_eq!(checks[1].moments_us, [500_000, 699_999]);
        assert_eq!(checks[1].failures, ["at 699.999 ms: S1.up is false, not true"], "the crash at 600 ms falls inside step 2");
        assert_eq!(checks[2].moments_us, [700_000, 1_000_000]);
        assert_eq!(checks[2].failures, Vec::<String>::new());
    }

    #[test]
    fn file_and_field_names_and_long_texts_are_reported() {
        let mut sc = guided(json!([{"text": "Open paxos-dueling-backoff and compare blocked_ms (see outcome.chosen). Press Play."}]));
        sc.description = Some("Like raft-election.json.".into());
        assert_eq!(
            words(&sc),
            [
                "the description says \"raft-election.json\": a file or field name, not words",
                "step 1 says \"paxos-dueling-backoff\": a file or field name, not words",
                "step 1 says \"blocked_ms\": a file or field name, not words",
                "step 1 says \"outcome.chosen\": a file or field name, not words",
                "step 1 says \"Press Play\": the page plays on its own",
            ]
        );
        sc.guide.as_mut().expect("guided").title = "t".repeat(TITLE_CHARS_MAX + 1);
        sc.description = None;
        assert_eq!(words(&sc)[0], format!("the title has {} characters (at most {TITLE_CHARS_MAX})", TITLE_CHARS_MAX + 1));
        assert_eq!(words(&guided(json!([{"text": "Two-phase commit, raft's paper and 3PC's flaw read fine."}]))), Vec::<String>::new());
    }

    #[test]
    fn names_without_claims_are_reported() {
        let sc = guided(json!([{"text": "S2 leads term 4.", "expect": {"S2.up": true}}]));
        let checks = check(&sc).expect("runs");
        assert_eq!(checks[0].failures, ["the text names term 4, and no claim of the step is about it"]);
    }

    #[test]
    fn the_chinese_text_answers_to_the_same_claims() {
        let mut sc = guided(json!([{"text": "S2 is up.", "expect": {"S2.up": true}}]));
        let g = sc.guide.as_mut().expect("guided");
        (g.title_zh, g.watch_zh) = (Some("标题".into()), Some("看点".into()));
        g.steps[0].text_zh = Some("S2 在线，S3 是任期3的领导者。".into());
        let checks = check(&sc).expect("runs");
        assert_eq!(checks[0].failures, ["the Chinese text names S3, and no claim of the step is about it", "the Chinese text names term 3, and no claim of the step is about it"]);
    }

    #[test]
    fn a_step_after_the_run_stops_on_a_broken_invariant_is_unreachable() {
        let path = format!("{}/scenarios/raft-figure8-planted-bug.json", env!("CARGO_MANIFEST_DIR"));
        let mut sc = Scenario::load(std::path::Path::new(&path)).expect("shipped");
        let stop = {
            let mut built = sc.build(&BuildOptions::default()).expect("builds");
            assert!(built.run.run_until_violation(sc.until_us), "the planted bug breaks an invariant");
            built.run.now()
        };
        sc.guide = Some(Guide {
            title: "t".into(),
            watch: "w".into(),
            steps: vec![
                crate::scenario::guide::Step { text: "a".into(), text_zh: None, until_us: Some(stop + 1_000), expect: Vec::new() },
                crate::scenario::guide::Step { text: "b".into(), text_zh: None, until_us: None, expect: Vec::new() },
            ],
            title_zh: None,
            watch_zh: None,
        });
        let checks = check(&sc).expect("runs");
        assert_eq!(checks[0].failures, Vec::<String>::new());
        assert_eq!(checks[1].failures.len(), 1, "{:?}", checks[1].failures);
        assert!(checks[1].failures[0].contains("after the run stopped on a broken invariant"), "{:?}", checks[1].failures);
    }
}
