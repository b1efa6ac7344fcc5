//! No two words on a stage overlap, and none sticks out of it, at sampled moments of every
//! shipped scenario: each
//! server's badge, name, caption, side and pause mark, and the labels of the messages in flight,
//! placed as the stage places them (`view::labels`). A placement is made for a drawing and must
//! hold until the next one: so each moment's labels are also checked a little later, where
//! their messages have moved on.
#![cfg(not(target_arch = "wasm32"))]

use distlab::sim::Micros;
use distlab::view::balancer_face::{BalancerPanel, mark_out_of_pool, out_of_pool, stage_keys};
use distlab::view::geometry::{self, Layout};
use distlab::view::i18n::{self, Catalogue, Lang};
use distlab::view::lab::LabRun;
use distlab::view::labels::{self, StageKeys, TextBox};
use distlab::view::{MessageView, NodeView};

/// Moments sampled per scenario, besides each guide step's start.
const SAMPLES: u64 = 40;
/// Longer runs are sampled over their first this many µs (the 600 s stress test repeats
/// itself: its first 20 s hold every kind of moment it has).
const SAMPLED_SPAN_US: Micros = 20_000_000;

fn shipped() -> Vec<(String, String)> {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios");
    let mut names: Vec<String> = std::fs::read_dir(&dir).expect("scenarios/").filter_map(Result::ok).map(|e| e.file_name().to_string_lossy().into_owned()).filter(|n| n.ends_with(".json")).collect();
    names.sort();
    names.into_iter().map(|n| (n.clone(), std::fs::read_to_string(dir.join(&n)).expect("readable"))).collect()
}

/// The boxes not wholly inside a view of `width` × `height`.
fn outside(boxes: &[(String, TextBox)], (width, height): (f64, f64)) -> Vec<String> {
    boxes
        .iter()
        .filter(|(_, b)| b.x - b.w / 2.0 < 0.0 || b.x + b.w / 2.0 > width || b.y - b.h / 2.0 < 0.0 || b.y + b.h / 2.0 > height)
        .map(|(what, b)| format!("{what} at ({:.0}, {:.0}) sticks out of the stage", b.x, b.y))
        .collect()
}

/// Every pair of `boxes` that overlaps, in words.
fn overlaps(boxes: &[(String, TextBox)]) -> Vec<String> {
    let mut out = Vec::new();
    for (i, (a, ab)) in boxes.iter().enumerate() {
        for (b, bb) in &boxes[i + 1..] {
            if ab.overlaps(bb) {
                out.push(format!("{a} and {b}"));
            }
        }
    }
    out
}

/// The stage's words with the labels placed at `placed_at` and drawn at `now_us`.
fn words(run: &LabRun, layout: Layout, nodes: &[NodeView], messages: &[MessageView], placed_at: Micros, now_us: Micros) -> Vec<(String, TextBox)> {
    let n = nodes.len() as u32;
    // A balancer's stage draws its key space about S1 and says which backends are outside its
    // pool, from its panel (as the stage does).
    let panel = run.panel();
    let (keys, marked) = match panel.get::<BalancerPanel>() {
        Some(p) => (stage_keys(p), mark_out_of_pool(nodes, &out_of_pool(p))),
        None => (StageKeys::None, None),
    };
    let nodes = marked.as_deref().unwrap_or(nodes);
    let texts = labels::stage_node_texts(layout, nodes, &keys);
    let every = labels::draw_every(layout, messages.len());
    let drawn: Vec<&MessageView> = messages.iter().filter(|m| m.id % every == 0).take(labels::MAX_DRAWN).collect();
    let placed = labels::stage_labels(layout, n, &drawn, &texts, placed_at, None, |_| None);
    let at = geometry::positions(layout, n);
    let r = geometry::radius(layout, n);
    let mut out: Vec<(String, TextBox)> = nodes.iter().zip(&texts).flat_map(|(node, t)| t.boxes().map(move |b| (format!("S{}'s words", node.id), b))).collect();
    for p in placed {
        let m = drawn.iter().find(|m| m.id == p.id).expect("placed messages are drawn");
        if m.due_us < now_us {
            continue;
        }
        let c = labels::flight(&at, layout, r, m).at(now_us);
        out.push((format!("m{}'s label \"{}\"", m.id, m.label), TextBox { x: c.x + p.offset.x, y: c.y + p.offset.y, w: p.w, h: p.h }));
    }
    out
}

#[test]
fn no_two_words_on_a_stage_overlap_at_any_sampled_moment_of_any_shipped_scenario() {
    no_two_words_overlap();
}

/// The same in Chinese, whose words on the stage (message labels, captions) take other widths.
#[test]
fn no_two_words_on_a_stage_overlap_in_chinese_either() {
    let zh = Catalogue::parse(include_str!("../static/i18n/zh.json")).expect("the catalogue parses");
    assert_eq!(i18n::install(Lang::Zh, Some(zh)), Lang::Zh);
    let labels = no_two_words_overlap();
    let chinese = labels.iter().filter(|l| l.chars().any(|c| ('\u{4e00}'..='\u{9fff}').contains(&c))).count();
    assert!(chinese > 100, "only {chinese} of {} labels checked in Chinese have a Chinese word", labels.len());
}

/// Checks every shipped scenario; returns the message labels it checked.
fn no_two_words_overlap() -> Vec<String> {
    let mut problems = Vec::new();
    let mut labels = Vec::new();
    let mut labelled = 0usize;
    for (name, text) in shipped() {
        let mut run = LabRun::from_json(&name, &text).unwrap_or_else(|e| panic!("{e}"));
        let span = run.scenario().until_us.min(SAMPLED_SPAN_US);
        let mut moments: Vec<Micros> = (0..=SAMPLES).map(|i| span * i / SAMPLES).collect();
        if let Some(g) = &run.scenario().guide {
            moments.extend((0..g.steps.len()).map(|i| g.step_start(i)).filter(|t| *t <= span));
        }
        moments.sort_unstable();
        moments.dedup();
        for t in moments {
            run.seek_time(t);
            let (nodes, messages) = (run.nodes(), run.messages());
            let now = run.now_us();
            // As a laptop draws it, and a phone (where a balancer's fan is narrower).
            let mut layouts = vec![run.layout(), run.layout().narrow()];
            layouts.dedup();
            for &layout in &layouts {
                for later in [now, now + 1_000, now + 5_000] {
                    let w = words(&run, layout, &nodes, &messages, now, later);
                    labelled += w.iter().filter(|(what, _)| what.contains("label")).count();
                    labels.extend(messages.iter().map(|m| m.label.clone()));
                    problems.extend(overlaps(&w).into_iter().map(|o| format!("{name} at {now} µs (drawn at {later} µs, {layout:?}): {o}")));
                    let view = (geometry::view_width(layout), geometry::view_height(layout));
                    problems.extend(outside(&w, view).into_iter().map(|o| format!("{name} at {now} µs (drawn at {later} µs, {layout:?}): {o}")));
                }
            }
        }
    }
    assert!(problems.is_empty(), "{} overlaps:\n{}", problems.len(), problems.iter().take(40).cloned().collect::<Vec<_>>().join("\n"));
    assert!(labelled > 1_000, "only {labelled} message labels were checked");
    labels
}
