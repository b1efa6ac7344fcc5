//! Every shipped scenario has a guide, and every guide is true of its run: each step's claims
//! hold at the step's first and last moment (where Previous and Next take the lab, and the
//! moment the next step takes over), every server and term a step names is the subject of one
//! of its claims, and no file or field name reaches the reader (`scenario::guide_check`).
#![cfg(not(target_arch = "wasm32"))]

use distlab::scenario::{Scenario, guide_check};

fn shipped() -> Vec<(String, Scenario)> {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios");
    let mut names: Vec<String> =
        std::fs::read_dir(&dir).expect("scenarios/ exists").filter_map(|e| e.ok()).map(|e| e.file_name().to_string_lossy().into_owned()).filter(|n| n.ends_with(".json")).collect();
    names.sort();
    names
        .into_iter()
        .map(|n| {
            let sc = Scenario::load(&dir.join(&n)).unwrap_or_else(|e| panic!("{e}"));
            (n, sc)
        })
        .collect()
}

#[test]
fn every_shipped_scenario_has_a_guide_whose_last_step_stays_to_the_end() {
    let all = shipped();
    assert!(all.len() >= 44, "{} scenarios", all.len());
    for (name, sc) in &all {
        let guide = sc.guide.as_ref().unwrap_or_else(|| panic!("{name} has no guide"));
        let (last, timed) = guide.steps.split_last().expect("parsed guides have steps");
        assert_eq!(last.until_us, None, "{name}: the last step should stay to the end");
        for (i, s) in timed.iter().enumerate() {
            let t = s.until_us.expect("only the last step may be untimed");
            assert!(t <= sc.until_us, "{name}: step {} ends at {t} µs, after the run ({} µs)", i + 1, sc.until_us);
        }
    }
}

#[test]
fn guides_speak_words_not_file_or_field_names() {
    let problems: Vec<String> = shipped().iter().flat_map(|(name, sc)| guide_check::words(sc).into_iter().map(move |p| format!("{name}: {p}"))).collect();
    assert!(problems.is_empty(), "\n{}", problems.join("\n"));
}

#[test]
fn every_step_of_every_guide_is_true_of_its_run() {
    let mut problems = Vec::new();
    let mut claims = 0;
    for (name, sc) in shipped() {
        let guide = sc.guide.as_ref().expect("checked above");
        for step in guide_check::check(&sc).unwrap_or_else(|e| panic!("{name}: {e}")) {
            claims += guide.steps[step.index].expect.len();
            problems.extend(step.failures.iter().map(|f| format!("{name} step {}: {f}", step.index + 1)));
        }
    }
    assert!(problems.is_empty(), "\n{}", problems.join("\n"));
    assert!(claims >= 150, "the guides check only {claims} claims");
}

/// The check can fail: a guide that says S1 leads term 1 of the election scenario, where
/// another server wins, is caught, and so is a server named without a claim.
#[test]
fn a_guide_that_misreads_its_run_is_caught() {
    let path = format!("{}/scenarios/raft-election.json", env!("CARGO_MANIFEST_DIR"));
    let mut sc = Scenario::load(std::path::Path::new(&path)).expect("shipped");
    let guide = sc.guide.as_mut().expect("guided");
    let last = guide.steps.len() - 1;
    let step = &mut guide.steps[last];
    step.text = "S2 leads term 1; S3 is up.".into();
    step.expect =
        vec![distlab::scenario::claims::Claim { path: "S2.role".into(), want: serde_json::json!("leader") }, distlab::scenario::claims::Claim { path: "S2.term".into(), want: serde_json::json!(1) }];
    let checks = guide_check::check(&sc).expect("runs");
    let failures = &checks[last].failures;
    assert!(failures.iter().any(|f| f.contains("S2.role is \"follower\", not \"leader\"")), "{failures:?}");
    assert!(failures.iter().any(|f| f.contains("names S3")), "{failures:?}");
}

/// Every guide reads in Chinese too, whole (the parser refuses a guide translated in part), with
/// its description.
#[test]
fn every_shipped_guide_is_in_chinese_too() {
    for (name, sc) in shipped() {
        let guide = sc.guide.as_ref().expect("checked above");
        assert!(guide.title_zh.is_some(), "{name} has no title_zh (nor, then, any Chinese)");
        assert_eq!(sc.description.is_some(), sc.description_zh.is_some(), "{name}: description and description_zh");
    }
}
