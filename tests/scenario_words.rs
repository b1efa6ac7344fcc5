//! What is wrong with a scenario, as the lab shows it: in English exactly what the CLI prints
//! (the error's `Display`), in Chinese translated through (the words nested in a message, such
//! as "an array" in "expected an object, found an array", and serde_json's words for a syntax
//! error too), with only notation left in English: names, paths, JSON keys and values.
#![cfg(not(target_arch = "wasm32"))]

use distlab::scenario::{Scenario, ScenarioError};
use distlab::view::i18n::{self, Catalogue, Lang};
use distlab::view::lab::LabRun;

/// Malformed scenarios of every kind of error: wrong JSON types, unknown names (with and
/// without a guess), numbers out of range, JSON syntax errors (with and without a file).
fn malformed() -> Vec<(&'static str, Option<&'static str>)> {
    let mut cases = vec![
        (r#"{"protocol": "raft", "nodes": "five"}"#, Some("scenarios/x.json")),
        (r#"[1]"#, Some("scenarios/x.json")),
        (r#"{"protocol": "raft", "nodes": 5, "until_ms": true}"#, None),
        (r#"{"protocol": "raft", "nodes": 5, "config": {"heartbeat_ms": "50"}}"#, Some("x.json")),
        (r#"{"protocol": "raft", "nodes": 5, "schedule": [{"at_ms": 1, "crsh": 1}]}"#, Some("scenarios/x.json")),
        (r#"{"protocol": "raft", "nodes": 5, "schedule": [{"at_ms": 1, "zzzzzz": 1}]}"#, Some("scenarios/x.json")),
        (r#"{"protocol": "raft", "nodes": 5, "sed": 1}"#, Some("scenarios/x.json")),
        (r#"{"protocol": "rafts", "nodes": 5}"#, Some("scenarios/x.json")),
        (r#"{"protocol": "raft", "nodes": 16}"#, Some("scenarios/x.json")),
        (r#"{"protocol": "raft", "nodes": 5, "schedule": [{"at_ms": 1, "crash": 7}]}"#, Some("scenarios/x.json")),
        (r#"{"protocol": "raft", "nodes": 5, "schedule": [{"at_ms": -3, "crash": 1}]}"#, None),
        (r#"{"protocol": "raft", "nodes": 5, "network": {"latency_ms": [30, 10]}}"#, Some("scenarios/x.json")),
        (r#"{"protocol": "raft", "nodes": 5, "network": {"loss": 1.5}}"#, Some("scenarios/x.json")),
        (r#"{"protocol": "raft", "nodes": 5, "initial": [{"node": 1, "term": 18446744073709551615}]}"#, Some("scenarios/x.json")),
        (r#"{"protocol": "raft", "nodes": 5, "schedule": [{"at_ms": 1, "client": "sett x 1"}]}"#, Some("scenarios/x.json")),
        (r#"{"protocol": "raft", "nodes": 5, "schedule": [{"at_ms": 1, "heal": "yes please"}]}"#, Some("scenarios/x.json")),
        (r#"{"protocol": "raft", "nodes": 5, "config": {"planted_bug": "commit_previous_trem"}}"#, Some("scenarios/x.json")),
        ("{\n  \"protocol\": \"raft\",\n  \"nodes\": 5,,\n}", Some("scenarios/bad.json")),
        ("{\n  \"protocol\": \"raft\",\n  \"nodes\": 5,,\n}", None),
        ("", Some("f.json")),
        (r#"{"protocol": "raft", "nodes": 5} trailing"#, None),
    ];
    if cfg!(feature = "commit") {
        cases.push((r#"{"protocol": "2pc", "nodes": 3, "schedule": [{"at_ms": 0, "begin": {"votes": {"2": "maybe"}}}]}"#, Some("scenarios/x.json")));
        cases.push((r#"{"protocol": "2pc", "nodes": 3, "schedule": [{"at_ms": 0, "client": 4}]}"#, Some("scenarios/x.json")));
    }
    if cfg!(feature = "balancer") {
        cases.push((r#"{"protocol": "balancer", "nodes": 3, "config": {"strategy": {"name": "maglev", "table_size": 250}}}"#, Some("scenarios/x.json")));
        cases.push((r#"{"protocol": "balancer", "nodes": 3, "config": {"backend": {"slow": 0}}}"#, Some("scenarios/x.json")));
    }
    cases
}

fn errors() -> Vec<ScenarioError> {
    malformed()
        .into_iter()
        .map(|(text, file)| match Scenario::parse(text, file) {
            Err(e) => e,
            Ok(_) => panic!("{text} parses, but was meant not to"),
        })
        .collect()
}

/// Pairs of neighbouring words of Latin letters only: English left in a text once its
/// notation is taken out (whatever is in quotes, “…” or "…", is a name or a value).
fn english_phrases(text: &str) -> Vec<String> {
    let mut bare = String::new();
    let mut quote: Option<char> = None;
    for c in text.chars() {
        match (quote, c) {
            (None, '“') => quote = Some('”'),
            (None, '"') => quote = Some('"'),
            (Some(close), c) if c == close => quote = None,
            (Some(_), _) => {}
            (None, c) => bare.push(c),
        }
    }
    let is_word = |w: &str| w.len() > 1 && w.chars().all(|c| c.is_ascii_alphabetic());
    // Neighbours within one run of letters and spaces: "expected one", not "raft, paxos".
    let mut out = Vec::new();
    for run in bare.split(|c: char| !(c.is_ascii_alphabetic() || c == ' ')) {
        let words: Vec<&str> = run.split(' ').filter(|w| !w.is_empty()).collect();
        for pair in words.windows(2) {
            if is_word(pair[0]) && is_word(pair[1]) {
                out.push(format!("{} {}", pair[0], pair[1]));
            }
        }
    }
    out
}

#[test]
fn in_english_the_lab_shows_what_the_cli_prints() {
    i18n::install(Lang::En, None);
    for e in errors() {
        assert_eq!(i18n::scenario_error(&e), e.to_string());
    }
    // The same through the lab's own door, a scenario's text opened as a run.
    for (text, file) in malformed() {
        let shown = LabRun::from_json(file.unwrap_or("x.json"), text).map(|_| ()).unwrap_err();
        let printed = Scenario::parse(text, Some(file.unwrap_or("x.json"))).map(|_| ()).unwrap_err().to_string();
        assert_eq!(shown, printed);
    }
}

#[test]
fn in_chinese_only_notation_stays_english() {
    let zh = Catalogue::parse(include_str!("../static/i18n/zh.json")).expect("the catalogue parses");
    assert_eq!(i18n::install(Lang::Zh, Some(zh)), Lang::Zh);
    for e in errors() {
        let shown = i18n::scenario_error(&e);
        assert!(shown.chars().any(|c| ('\u{4e00}'..='\u{9fff}').contains(&c)), "no Chinese in {shown:?} ({e})");
        let english = english_phrases(&shown);
        assert!(english.is_empty(), "English words {english:?} in {shown:?} ({e})");
        // Names, paths and places stay as they are.
        if let Some(file) = &e.file {
            assert!(shown.starts_with(file.as_str()), "{shown:?} does not start with its file");
        }
        assert!(shown.contains(&e.path), "{shown:?} lost its path {:?}", e.path);
    }
    let e = Scenario::parse("{\n  \"protocol\": \"raft\",\n  \"nodes\": 5,,\n}", None).unwrap_err();
    assert_eq!(i18n::scenario_error(&e), "第 3 行第 14 列：JSON 无效：对象的键必须是字符串");
    let e = Scenario::parse(r#"{"protocol": "raft", "nodes": 5, "sed": 1}"#, Some("x.json")).unwrap_err();
    assert_eq!(
        i18n::scenario_error(&e),
        "x.json：未知的字段“sed”（应为以下之一：protocol, nodes, seed, description, description_zh, guide, network, config, initial, schedule, until_ms；是不是想写“seed”？）"
    );
    let e = Scenario::parse(r#"{"protocol": "raft", "nodes": "five"}"#, None).unwrap_err();
    assert_eq!(i18n::scenario_error(&e), "nodes：应为非负整数，实际为字符串“five”");
    i18n::install(Lang::En, None);
}

#[test]
fn the_english_phrase_check_sees_english() {
    assert_eq!(english_phrases("节点 7 超出范围 1..=5"), Vec::<String>::new());
    assert_eq!(english_phrases("未知的字段“sed”（应为以下之一：protocol, nodes）"), Vec::<String>::new());
    assert_eq!(english_phrases("JSON 无效：expected value"), vec!["expected value".to_string()]);
    assert_eq!(english_phrases("x.json: unknown field \"sed\""), vec!["unknown field".to_string()]);
}
