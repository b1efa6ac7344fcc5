//! Files a person takes out of the lab and brings back in: the session as a scenario (JSON,
//! which the CLI runs too) and the session's trace.
//!
//! A trace file is the run's record, not just its lines: `{"distlab_trace": 1, "name", "seed",
//! "at_event", "trace_hash", "scenario": {...}, "lines": [...]}`. Importing one replays the
//! scenario and compares every line, so a trace that opens is one this build reproduces byte
//! for byte; one that does not is reported with the first line that differs. Everything read
//! here comes from a file the person picked, so every failure is an error message that names
//! the file and what is wrong, never a panic.

use serde_json::{Value, json};

use super::i18n;
use super::lab::LabRun;
use crate::scenario::{BuildOptions, Scenario, ScenarioError};
use crate::sim::TraceMode;

/// The trace file format's version.
pub const TRACE_VERSION: u64 = 1;

/// A file read in: a run to open, and a line saying what was done.
#[derive(Debug)]
pub struct Imported {
    /// The run, at the file's moment.
    pub run: LabRun,
    /// For the page: what the file was and what was checked.
    pub message: String,
}

/// The session as a scenario file (pretty JSON).
pub fn scenario_file(run: &LabRun) -> String {
    pretty(&run.export().to_value())
}

/// The session's trace file: the scenario replayed from the start to the current moment.
pub fn trace_file(run: &LabRun) -> String {
    let scenario = run.export();
    let lines = replay_lines(&scenario, run.events()).unwrap_or_default();
    let value = json!({
        "distlab_trace": TRACE_VERSION,
        "name": run.name(),
        "seed": run.seed(),
        "at_event": run.events(),
        "trace_hash": run.trace_hash(),
        "scenario": scenario.to_value(),
        "lines": lines,
    });
    pretty(&value)
}

fn pretty(v: &Value) -> String {
    serde_json::to_string_pretty(v).unwrap_or_else(|_| v.to_string())
}

/// The trace lines of a scenario's run up to `events` events.
fn replay_lines(scenario: &Scenario, events: u64) -> Result<Vec<String>, String> {
    let options = BuildOptions { seed: None, until_us: None, trace: TraceMode::Lines };
    let mut run = scenario.build(&options).map_err(|e| i18n::scenario_error(&e))?.run;
    let mut lines: Vec<String> = run.drain_trace().into_iter().map(|l| l.text).collect();
    while run.events() < events && run.step() {
        lines.extend(run.drain_trace().into_iter().map(|l| l.text));
    }
    Ok(lines)
}

/// Reads a file the person picked: a scenario, a session exported from the lab, or a trace.
pub fn import(file: &str, text: &str) -> Result<Imported, String> {
    let value: Value = serde_json::from_str(text).map_err(|e| {
        crate::tr!(
            "{file}: not a scenario or trace file: invalid JSON at line {line}, column {column}: {e}",
            file = file,
            line = e.line(),
            column = e.column(),
            e = i18n::detail(&ScenarioError::syntax_reason(&e))
        )
    })?;
    if value.get("distlab_trace").is_some() {
        import_trace(file, &value)
    } else {
        let scenario = Scenario::from_value(&value).map_err(|e| i18n::scenario_error(&e.in_file(Some(file))))?;
        let run = LabRun::from_scenario(file, scenario)?;
        let message = crate::tr!("Opened {file}.", file = file);
        Ok(Imported { run, message })
    }
}

fn import_trace(file: &str, value: &Value) -> Result<Imported, String> {
    let bad = |what: &str| format!("{file}: {what}");
    match value.get("distlab_trace").and_then(Value::as_u64) {
        Some(TRACE_VERSION) => {}
        Some(v) => {
            return Err(bad(&crate::tr!("trace format {v}; this distlab reads format {ours}", v = v, ours = TRACE_VERSION)));
        }
        None => return Err(bad(crate::tr!("\"distlab_trace\" is not a format number"))),
    }
    let scenario = value.get("scenario").ok_or_else(|| bad(crate::tr!("a trace without its \"scenario\"")))?;
    let scenario = Scenario::from_value(scenario).map_err(|e| bad(&crate::tr!("scenario: {e}", e = i18n::scenario_error(&e))))?;
    let at_event = value.get("at_event").and_then(Value::as_u64).ok_or_else(|| bad(crate::tr!("\"at_event\" is missing or not a whole number")))?;
    let lines = value.get("lines").and_then(Value::as_array).ok_or_else(|| bad(crate::tr!("\"lines\" is missing or not a list")))?;
    let name = value.get("name").and_then(Value::as_str).unwrap_or(file).to_string();
    let replayed = replay_lines(&scenario, at_event).map_err(|e| bad(&e))?;
    for (i, expected) in replayed.iter().enumerate() {
        match lines.get(i) {
            Some(Value::String(found)) if found == expected => {}
            Some(Value::String(found)) => {
                return Err(bad(&crate::tr!("line {n} differs from the replay: the file has \"{found}\", this build gives \"{expected}\"", n = i + 1, found = found, expected = expected)));
            }
            Some(other) => return Err(bad(&crate::tr!("lines[{i}] is not a string: {other}", i = i, other = other))),
            None => {
                return Err(bad(&crate::tr!("the trace stops after {i} lines; the replay has {n}", i = i, n = replayed.len())));
            }
        }
    }
    if lines.len() > replayed.len() {
        return Err(bad(&crate::tr!("the trace has {n} lines; the replay to event {at} has {m}", n = lines.len(), at = at_event, m = replayed.len())));
    }
    let mut run = LabRun::from_scenario(&name, scenario)?;
    run.seek_event(at_event);
    let message = crate::tr!("Opened the trace {file}: all {n} lines replay identically, at event {at}.", file = file, n = replayed.len(), at = at_event);
    Ok(Imported { run, message })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::view::{NetCommand, NodeCommand};

    fn session() -> LabRun {
        let mut run = LabRun::shipped("raft-partition.json").expect("shipped");
        run.advance_to(700_000);
        run.node_command(4, NodeCommand::Crash);
        run.net_command(&NetCommand::LossPercent(10));
        run.advance_to(1_100_000);
        run
    }

    #[test]
    fn a_scenario_file_opens_at_the_start_of_the_same_session() {
        let run = session();
        let text = scenario_file(&run);
        let mut opened = import("session.json", &text).expect("opens").run;
        assert_eq!(opened.events(), 0);
        opened.advance_to(run.now_us());
        assert_eq!(opened.trace_hash(), run.trace_hash());
    }

    #[test]
    fn a_trace_file_is_checked_line_by_line_and_opens_at_its_moment() {
        let run = session();
        let text = trace_file(&run);
        let imported = import("trace.json", &text).expect("opens");
        assert!(imported.message.contains("replay identically"), "{}", imported.message);
        assert_eq!(imported.run.events(), run.events());
        assert_eq!(imported.run.trace_hash(), run.trace_hash());

        let mut value: Value = serde_json::from_str(&text).expect("JSON");
        let lines = value["lines"].as_array_mut().expect("lines");
        let n = lines.len();
        lines[n / 2] = Value::String("42 1.000 deliver m1 S1->S2 forged".into());
        let e = import("trace.json", &value.to_string()).expect_err("forged");
        assert!(e.contains(&format!("line {} differs", n / 2 + 1)), "{e}");
        value["lines"].as_array_mut().expect("lines").truncate(3);
        let e = import("trace.json", &value.to_string()).expect_err("short");
        assert!(e.contains("stops after 3 lines"), "{e}");
    }

    #[test]
    fn bad_files_name_the_file_and_the_problem() {
        let cases = [
            ("{", "invalid JSON at line 1"),
            ("[1]", "expected an object"),
            (r#"{"protocol": "raft", "nodes": 3, "schedule": [{"at_ms": 1, "explode": 2}]}"#, "schedule[0]"),
            (r#"{"protocol": "zab", "nodes": 3}"#, "protocol"),
            (r#"{"distlab_trace": 7}"#, "trace format 7"),
            (r#"{"distlab_trace": 1}"#, "without its \"scenario\""),
            (r#"{"distlab_trace": 1, "scenario": {"protocol": "raft", "nodes": 3}}"#, "\"at_event\""),
            (r#"{"distlab_trace": 1, "scenario": {"protocol": "raft", "nodes": 3}, "at_event": 2}"#, "\"lines\""),
        ];
        for (text, expected) in cases {
            let e = import("x.json", text).expect_err(text);
            assert!(e.contains("x.json") && e.contains(expected), "{text}: {e}");
        }
    }
}
