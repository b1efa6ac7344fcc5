//! Guides: the short lesson a scenario carries for the browser lab — a title, what to watch, and
//! hints shown one at a time as the run goes on.
//!
//! ```json
//! "guide": { "title": "Leader election",
//!            "watch": "The timer rings: the first to drain makes its server a candidate.",
//!            "steps": [ { "text": "Press Play (space)…", "until_ms": 300 },
//!                       { "text": "Click the leader and choose Crash…" } ] }
//! ```
//!
//! A step is shown until virtual time reaches its `until_ms`, then the next one is. Times are
//! tied to the scenario's own schedule, so a guide narrates what the file makes happen; the last
//! step may leave `until_ms` out and then stays to the end (it usually invites the reader to try
//! something). Only the last may: a step with no end in the middle would hide every later step
//! from a reader who only watches. A step's moment is where it starts (the previous step's
//! `until_ms`, or 0): Previous and Next take the run there.
//!
//! **In Chinese too.** Each text may have its translation beside it, in a field of the same
//! name with `_zh` after it (`title_zh`, `watch_zh`, each step's `text_zh`; the scenario's
//! `description_zh`), so that a translator sees both and the steps cannot fall out of step. A
//! guide translated at all is translated whole: a missing one is an error naming it. The
//! browser lab shows the page's language ([`Guide::in_language`]); the CLI, English.
//!
//! A step's `expect` holds what its text says about the run, as claims on the run's report
//! ([`super::claims`]): `"expect": {"S5.role": "leader", "S5.term": 1}`. The guide tests check
//! every claim at the step's first and last moment, and that every server and term its text
//! names is the subject of one, so that a guide cannot say what its run does not do.

use serde_json::Value;

use super::claims::Claim;
use super::error::Result;
use super::json::{Field, Obj, inline_obj, ms_value, unknown};
use crate::sim::{Detail, Micros};

/// At most this many steps: a guide is a handful of hints, not a textbook, and the panel shows
/// "step i of n".
pub const MAX_STEPS: usize = 24;

/// A scenario's guide.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Guide {
    /// A readable name ("Leader election"), also the picker's label.
    pub title: String,
    /// One or two sentences: what to look at on the stage.
    pub watch: String,
    /// Hints in order; never empty in a parsed guide.
    pub steps: Vec<Step>,
    /// `title` in Chinese; present exactly when `watch_zh` and every step's `text_zh` are.
    pub title_zh: Option<String>,
    /// `watch` in Chinese.
    pub watch_zh: Option<String>,
}

/// One hint of a guide.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Step {
    /// What to do or look at now.
    pub text: String,
    /// `text` in Chinese (see [`Guide::title_zh`]).
    pub text_zh: Option<String>,
    /// Virtual time at which the next step takes over; `None` (the last step only) keeps it
    /// shown to the end.
    pub until_us: Option<Micros>,
    /// What the text says about the run, checked by the guide tests (see [`super::claims`]).
    pub expect: Vec<Claim>,
}

const GUIDE_KEYS: &[&str] = &["title", "watch", "steps", "title_zh", "watch_zh"];
const STEP_KEYS: &[&str] = &["text", "until_ms", "expect", "text_zh"];

impl Guide {
    /// Reads a guide from the value at `f` (`guide` in a scenario), with errors naming the
    /// path: `guide.steps[2].until_ms: 300 ms is not after guide.steps[1].until_ms (300 ms)`.
    pub fn parse(f: &Field<'_>) -> Result<Guide> {
        let mut o = f.object()?;
        known_keys_only(&o, GUIDE_KEYS)?;
        let title = text(&o.req("title")?)?;
        let watch = text(&o.req("watch")?)?;
        let title_zh = o.opt("title_zh").map(|f| text(&f)).transpose()?;
        let watch_zh = o.opt("watch_zh").map(|f| text(&f)).transpose()?;
        if title_zh.is_some() != watch_zh.is_some() {
            let missing = if title_zh.is_none() { "title_zh" } else { "watch_zh" };
            return Err(o.err(Detail::new("missing field \"{key}\" (a guide translated at all is translated whole)", &[("key", &missing)])));
        }
        let sf = o.req("steps")?;
        let items = sf.array()?;
        if items.is_empty() {
            return Err(sf.err(Detail::plain("a guide needs at least one step")));
        }
        if items.len() > MAX_STEPS {
            return Err(sf.err(Detail::new("{n} steps are too many (at most {max})", &[("n", &items.len()), ("max", &MAX_STEPS)])));
        }
        let last = items.len() - 1;
        let mut steps: Vec<Step> = Vec::with_capacity(items.len());
        for (i, item) in items.iter().enumerate() {
            let mut so = item.object()?;
            known_keys_only(&so, STEP_KEYS)?;
            let text_zh = so.opt("text_zh").map(|f| text(&f)).transpose()?;
            let text = text(&so.req("text")?)?;
            if text_zh.is_some() != title_zh.is_some() {
                let why = if title_zh.is_some() {
                    Detail::plain("missing field \"text_zh\" (the guide has title_zh: it is translated whole)")
                } else {
                    Detail::plain("a step's text_zh needs the guide's title_zh and watch_zh")
                };
                return Err(so.err(why));
            }
            let until_us = match so.opt("until_ms") {
                Some(uf) => {
                    let us = uf.ms()?;
                    // Steps before the previous step's end would never be shown.
                    match steps.last().and_then(|s| s.until_us) {
                        Some(prev) if us <= prev => {
                            let previous = format!("{}.until_ms", step_path(&sf, i - 1));
                            return Err(uf.err(Detail::new("{ms} ms is not after {previous} ({prev_ms} ms)", &[("ms", &ms_value(us)), ("previous", &previous), ("prev_ms", &ms_value(prev))])));
                        }
                        None if us == 0 => {
                            return Err(uf.err(Detail::plain("0 ms: the step would never be shown")));
                        }
                        _ => Some(us),
                    }
                }
                None if i < last => {
                    return Err(so.err(Detail::plain("missing field \"until_ms\" (only the last step may leave it out: it then stays to the end)")));
                }
                None => None,
            };
            let expect = match so.opt("expect") {
                Some(ef) => claims(&ef)?,
                None => Vec::new(),
            };
            steps.push(Step { text, text_zh, until_us, expect });
        }
        Ok(Guide { title, watch, steps, title_zh, watch_zh })
    }

    /// The guide in a language (`"zh"`), where it has that language's words; in English
    /// otherwise.
    pub fn in_language(&self, code: &str) -> Guide {
        let mut g = self.clone();
        if code == "zh"
            && let (Some(title), Some(watch)) = (&self.title_zh, &self.watch_zh)
        {
            (g.title, g.watch) = (title.clone(), watch.clone());
            for s in &mut g.steps {
                if let Some(t) = &s.text_zh {
                    s.text = t.clone();
                }
            }
        }
        g
    }

    /// The guide without its translations.
    pub fn without_translations(&self) -> Guide {
        let mut g = self.clone();
        (g.title_zh, g.watch_zh) = (None, None);
        g.steps.iter_mut().for_each(|s| s.text_zh = None);
        g
    }

    /// The index of the step to show at virtual time `now_us`: the first whose `until_ms` is
    /// not yet reached, or the last once all are (0 for a guide without steps).
    pub fn step_at(&self, now_us: Micros) -> usize {
        self.steps.iter().position(|s| s.until_us.is_none_or(|t| now_us < t)).unwrap_or(self.steps.len().saturating_sub(1))
    }

    /// When step `i` starts: the previous step's end, or 0 (Previous and Next go there).
    pub fn step_start(&self, i: usize) -> Micros {
        i.checked_sub(1).and_then(|p| self.steps.get(p)).and_then(|s| s.until_us).unwrap_or(0)
    }

    /// The guide as the value of a scenario file's `"guide"` key, laid out to sit at the file's
    /// first level of indentation: one step per line.
    pub fn to_json(&self) -> String {
        let steps: Vec<String> = self
            .steps
            .iter()
            .map(|s| {
                let mut pairs = vec![("text", Value::from(s.text.as_str()).to_string())];
                if let Some(t) = &s.text_zh {
                    pairs.push(("text_zh", Value::from(t.as_str()).to_string()));
                }
                if let Some(t) = s.until_us {
                    pairs.push(("until_ms", ms_value(t).to_string()));
                }
                if !s.expect.is_empty() {
                    let claims: Vec<(&str, String)> = s.expect.iter().map(|c| (c.path.as_str(), c.want.to_string())).collect();
                    pairs.push(("expect", inline_obj(&claims)));
                }
                inline_obj(&pairs)
            })
            .collect();
        let zh = match (&self.title_zh, &self.watch_zh) {
            (Some(t), Some(w)) => format!("\n    \"title_zh\": {},\n    \"watch_zh\": {},", Value::from(t.as_str()), Value::from(w.as_str())),
            _ => String::new(),
        };
        format!("{{\n    \"title\": {},\n    \"watch\": {},{zh}\n    \"steps\": [\n      {}\n    ]\n  }}", Value::from(self.title.as_str()), Value::from(self.watch.as_str()), steps.join(",\n      "))
    }
}

/// The label of a scenario in a list: its guide's title when the text parses and has one,
/// else the file name without `.json`. For pickers, which must not fail on a broken file.
pub fn display_title(file_name: &str, text: &str) -> String {
    let title = serde_json::from_str::<Value>(text).ok().and_then(|v| {
        let g = v.get("guide")?;
        Guide::parse(&Field::at(g, "guide")).ok().map(|g| g.title)
    });
    title.unwrap_or_else(|| file_name.trim_end_matches(".json").to_string())
}

/// Fails on a key outside `keys`, before any required key is looked for: a typo ("stps") is
/// then reported as such rather than as a missing field.
fn known_keys_only(o: &Obj<'_>, keys: &[&str]) -> Result<()> {
    match o.keys().find(|k| !keys.contains(k)) {
        Some(k) => Err(o.err(unknown(Detail::plain("field"), k, keys))),
        None => Ok(()),
    }
}

/// A step's `expect`: an object of claims, each path well formed. The browser lab keeps a
/// file's claims without checking their paths: it never evaluates them (the guide tests and
/// `distlab guide` do, natively), and the checking code would weigh on every page's download.
fn claims(f: &Field<'_>) -> Result<Vec<Claim>> {
    let o = f.value().as_object().ok_or_else(|| f.expected(Detail::plain("an object of claims")))?;
    let mut claims = Vec::with_capacity(o.len());
    for (path, want) in o {
        let claim = Claim { path: path.clone(), want: want.clone() };
        #[cfg(not(target_arch = "wasm32"))]
        if let Err(e) = claim.validate() {
            return Err(Field::at(want, format!("{}.{path}", f.path())).err(e));
        }
        claims.push(claim);
    }
    Ok(claims)
}

/// A non-empty (after trimming) string.
fn text(f: &Field<'_>) -> Result<String> {
    let s = f.str()?;
    if s.trim().is_empty() {
        return Err(f.err(Detail::plain("expected a non-empty string")));
    }
    Ok(s.to_string())
}

fn step_path(steps: &Field<'_>, i: usize) -> String {
    format!("{}[{i}]", steps.path())
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;
    use crate::scenario::Scenario;

    fn with_guide(guide: Value) -> Value {
        json!({"protocol": "raft", "nodes": 3, "guide": guide})
    }

    fn parse(v: &Value) -> Result<Scenario> {
        Scenario::parse(&v.to_string(), Some("scenarios/x.json"))
    }

    fn err(guide: Value) -> String {
        parse(&with_guide(guide)).map(|_| ()).unwrap_err().to_string()
    }

    fn sample() -> Guide {
        Guide {
            title: "Leader election".into(),
            watch: "The timer rings; \"quotes\" and ünïcode survive.".into(),
            steps: vec![
                Step { text: "S1 stands.".into(), text_zh: None, until_us: Some(300_000), expect: vec![Claim { path: "S1.role".into(), want: json!("candidate") }] },
                Step { text: "A fraction.".into(), text_zh: None, until_us: Some(450_500), expect: Vec::new() },
                Step {
                    text: "Click the leader and choose Crash.".into(),
                    text_zh: None,
                    until_us: None,
                    // In the order a file reads back (sorted by path).
                    expect: vec![Claim { path: "S2.term".into(), want: json!({">=": 1}) }, Claim { path: "outcome.leaders.len".into(), want: json!(1) }],
                },
            ],
            title_zh: None,
            watch_zh: None,
        }
    }

    /// [`sample`] with its Chinese.
    fn translated() -> Guide {
        let mut g = sample();
        (g.title_zh, g.watch_zh) = (Some("领导者选举".into()), Some("计时环；\"引号\"保留。".into()));
        for (i, s) in g.steps.iter_mut().enumerate() {
            s.text_zh = Some(format!("第 {} 步。", i + 1));
        }
        g
    }

    #[test]
    fn a_translated_guide_reads_back_and_shows_in_its_language() {
        let mut sc = Scenario::new("raft", 3);
        sc.guide = Some(translated());
        let back = Scenario::parse(&sc.to_json(), None).unwrap();
        assert_eq!(back.guide, sc.guide);
        let zh = translated().in_language("zh");
        assert_eq!((zh.title.as_str(), zh.steps[1].text.as_str()), ("领导者选举", "第 2 步。"));
        assert_eq!(translated().in_language("en").title, "Leader election");
        // A guide without Chinese shows in English whatever the page's language.
        assert_eq!(sample().in_language("zh"), sample());
        assert_eq!(zh.steps.iter().map(|s| (s.until_us, &s.expect)).collect::<Vec<_>>(), sample().steps.iter().map(|s| (s.until_us, &s.expect)).collect::<Vec<_>>());
    }

    #[test]
    fn a_guide_translated_in_part_names_what_is_missing() {
        let steps = json!([{"text": "Play.", "until_ms": 300, "text_zh": "播放。"}, {"text": "Crash it."}]);
        let e = err(json!({"title": "T", "watch": "W", "title_zh": "标题", "watch_zh": "看点", "steps": steps}));
        assert!(e.contains("guide.steps[1]") && e.contains("text_zh"), "{e}");
        let e = err(json!({"title": "T", "watch": "W", "title_zh": "标题", "steps": [{"text": "x", "text_zh": "x"}]}));
        assert!(e.contains("watch_zh"), "{e}");
        let e = err(json!({"title": "T", "watch": "W", "steps": [{"text": "x", "text_zh": "x"}]}));
        assert!(e.contains("title_zh"), "{e}");
    }

    #[test]
    fn a_guide_is_read_with_its_steps_and_times() {
        let sc = parse(&with_guide(json!({
            "title": "Leader election", "watch": "Watch the rings.",
            "steps": [{"text": "Play.", "until_ms": 300}, {"text": "Half.", "until_ms": 300.5}, {"text": "Crash it."}]
        })))
        .unwrap();
        let g = sc.guide.expect("the guide is kept");
        assert_eq!(g.title, "Leader election");
        assert_eq!(g.watch, "Watch the rings.");
        let untils: Vec<Option<Micros>> = g.steps.iter().map(|s| s.until_us).collect();
        assert_eq!(untils, [Some(300_000), Some(300_500), None]);
        assert_eq!(g.steps[2].text, "Crash it.");
    }

    #[test]
    fn a_scenario_without_a_guide_has_none_and_writes_none() {
        let sc = parse(&json!({"protocol": "raft", "nodes": 3})).unwrap();
        assert_eq!(sc.guide, None);
        assert!(!sc.to_json().contains("guide"));
    }

    #[test]
    fn a_guide_round_trips_through_the_scenario_writer() {
        let mut sc = Scenario::new("raft", 3);
        sc.description = Some("d".into());
        sc.guide = Some(sample());
        let written = sc.to_json();
        let back = Scenario::parse(&written, None).unwrap_or_else(|e| panic!("{e}\n{written}"));
        assert_eq!(back, sc, "{written}");
        assert!(written.contains("\n  \"guide\": {\n    \"title\": \"Leader election\",\n"), "{written}");
        assert!(written.contains("\n      { \"text\": \"A fraction.\", \"until_ms\": 450.5 },\n"), "{written}");
        assert!(written.contains("\n      { \"text\": \"S1 stands.\", \"until_ms\": 300, \"expect\": { \"S1.role\": \"candidate\" } },\n"), "{written}");
        assert_eq!(sc.to_value()["guide"]["steps"][1], json!({"text": "A fraction.", "until_ms": 450.5}));
    }

    #[test]
    fn guide_errors_name_the_json_path() {
        let step = |t: &str| json!({"text": t, "until_ms": 100});
        let cases = [
            (json!("Leader election"), "scenarios/x.json: guide: expected an object, found the string \"Leader election\""),
            (json!({"watch": "w", "steps": [step("a")]}), "scenarios/x.json: guide: missing field \"title\""),
            (json!({"title": "t", "steps": [step("a")]}), "scenarios/x.json: guide: missing field \"watch\""),
            (json!({"title": "t", "watch": "w"}), "scenarios/x.json: guide: missing field \"steps\""),
            (json!({"title": " ", "watch": "w", "steps": [step("a")]}), "scenarios/x.json: guide.title: expected a non-empty string"),
            (json!({"title": "t", "watch": 3, "steps": [step("a")]}), "scenarios/x.json: guide.watch: expected a string, found 3"),
            (json!({"title": "t", "watch": "w", "steps": []}), "scenarios/x.json: guide.steps: a guide needs at least one step"),
            (json!({"title": "t", "watch": "w", "steps": {}}), "scenarios/x.json: guide.steps: expected an array, found an object"),
            (
                json!({"title": "t", "watch": "w", "stps": [step("a")]}),
                "scenarios/x.json: guide: unknown field \"stps\" (expected one of: title, watch, steps, title_zh, watch_zh; did you mean \"steps\"?)",
            ),
            (json!({"title": "t", "watch": "w", "steps": [step("a"), {"until_ms": 200}]}), "scenarios/x.json: guide.steps[1]: missing field \"text\""),
            (
                json!({"title": "t", "watch": "w", "steps": [step("a"), {"txt": "b"}]}),
                "scenarios/x.json: guide.steps[1]: unknown field \"txt\" (expected one of: text, until_ms, expect, text_zh; did you mean \"text\"?)",
            ),
            (
                json!({"title": "t", "watch": "w", "steps": [{"text": "a"}, {"text": "b"}]}),
                "scenarios/x.json: guide.steps[0]: missing field \"until_ms\" (only the last step may leave it out: it then stays to the end)",
            ),
            (
                json!({"title": "t", "watch": "w", "steps": [{"text": "a", "until_ms": 300}, {"text": "b", "until_ms": 300}]}),
                "scenarios/x.json: guide.steps[1].until_ms: 300 ms is not after guide.steps[0].until_ms (300 ms)",
            ),
            (json!({"title": "t", "watch": "w", "steps": [{"text": "a", "until_ms": 0}]}), "scenarios/x.json: guide.steps[0].until_ms: 0 ms: the step would never be shown"),
            (json!({"title": "t", "watch": "w", "steps": [{"text": "a", "until_ms": -5}]}), "scenarios/x.json: guide.steps[0].until_ms: -5 ms is negative"),
            (json!({"title": "t", "watch": "w", "steps": [{"text": "a", "until": 5}]}), "scenarios/x.json: guide.steps[0]: unknown field \"until\" (expected one of: text, until_ms, expect, text_zh)"),
            (json!({"title": "t", "watch": "w", "steps": [{"text": "a", "expect": []}]}), "scenarios/x.json: guide.steps[0].expect: expected an object of claims, found an array"),
            (json!({"title": "t", "watch": "w", "steps": [{"text": "a", "expect": {"S1..role": 1}}]}), "scenarios/x.json: guide.steps[0].expect.S1..role: \"S1..role\": an empty name"),
            (
                json!({"title": "t", "watch": "w", "steps": [{"text": "a", "expect": {"S1.term": {"=>": 1}}}]}),
                "scenarios/x.json: guide.steps[0].expect.S1.term: unknown operator \"=>\" (expected one of: >=, <=, !=, contains)",
            ),
        ];
        for (g, want) in cases {
            assert_eq!(err(g.clone()), want, "{g}");
        }
        let many: Vec<Value> = (1..=MAX_STEPS as u64 + 1).map(|i| json!({"text": "s", "until_ms": i})).collect();
        assert_eq!(err(json!({"title": "t", "watch": "w", "steps": many})), "scenarios/x.json: guide.steps: 25 steps are too many (at most 24)");
    }

    #[test]
    fn a_step_starts_where_the_one_before_ends() {
        let g = sample();
        assert_eq!((g.step_start(0), g.step_start(1), g.step_start(2)), (0, 300_000, 450_500));
        for i in 0..g.steps.len() {
            assert_eq!(g.step_at(g.step_start(i)), i, "the run at a step's start shows that step");
        }
    }

    #[test]
    fn the_step_shown_is_the_first_whose_time_is_not_yet_reached() {
        let g = sample();
        assert_eq!(g.step_at(0), 0);
        assert_eq!(g.step_at(299_999), 0);
        assert_eq!(g.step_at(300_000), 1, "until_ms is exclusive: at 300 ms the next step shows");
        assert_eq!(g.step_at(450_499), 1);
        assert_eq!(g.step_at(450_500), 2);
        assert_eq!(g.step_at(Micros::MAX), 2, "the untimed last step stays");
        let timed_last = Guide { steps: g.steps[..2].to_vec(), ..g.clone() };
        assert_eq!(timed_last.step_at(10_000_000), 1, "past every time, the last step stays shown");
        let empty = Guide { steps: Vec::new(), ..g };
        assert_eq!(empty.step_at(5), 0);
    }

    #[test]
    fn pickers_label_scenarios_by_guide_title_or_file_name() {
        let with = with_guide(json!({"title": "Split vote", "watch": "w", "steps": [{"text": "a"}]})).to_string();
        assert_eq!(display_title("raft-split-vote.json", &with), "Split vote");
        assert_eq!(display_title("raft-load-15.json", r#"{"protocol": "raft", "nodes": 15}"#), "raft-load-15");
        assert_eq!(display_title("broken.json", "{"), "broken", "a broken file still gets a label");
        assert_eq!(display_title("bad-guide.json", r#"{"guide": {"title": ""}}"#), "bad-guide");
    }
}
