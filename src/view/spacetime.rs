//! Geometry of the space-time (sequence) diagram: a horizontal lane per server (and one shared
//! by the clients, when a message in view involves one), time flowing left to right over the
//! last `window_us` up to now, each message an arrow from its sender's lane at its sending time
//! to its receiver's lane at its end. The component only turns [`Diagram`] into SVG.
//!
//! - A delivered message ends on the receiver's lane at its delivery, with an arrowhead.
//! - A message in flight ends at now, dashed, part of the way across: as far as its sending and
//!   due times say it has come (never quite arriving, so one waiting on a held link or a paused
//!   server is not mistaken for delivered).
//! - A dropped message ends with a ✕ where it was lost: on the receiver's lane if it was lost on
//!   arrival, part of the way if dropped on the wire, on the sender's lane if it never left.
//! - An arrow that starts before the window is clipped at the window's left edge, along its
//!   line.
//!
//! Markers are vertical ticks: a crash or restart on its server's lane, a commit as a short
//! tick on the time axis, the rest across every lane. A server is drawn down (a dashed stretch
//! of its lane) between its crash and restart markers.
//!
//! ## Absolute time, so that a refresh touches only what moved
//!
//! Arrows, ticks, down stretches and grid lines are placed in *absolute* virtual time:
//! `x = (t − base) · scale`, where `base` ([`Diagram::base_us`], see [`epoch`]) is a fixed
//! epoch that changes once every [`EPOCH_WINDOWS`] windows. They are drawn inside a group moved
//! by [`Diagram::shift`] (`translate(shift 0)`, so that a time's place on screen is
//! `x + shift`) and clipped to the lanes' area (left of [`Diagram::x0`] is the lanes' labels).
//! As time passes only `shift` changes: an arrow keeps its coordinates from the moment it ends
//! until it leaves the window (or the epoch changes), so the view can skip it. An arrow still
//! in flight ends at now, so it changes until it ends. Whatever lies entirely outside the window
//! is left out; what lies partly outside (an arrow sent before the window's start) is drawn whole
//! and cut by the clip, along its line.

use crate::sim::{Addr, Micros, NodeId};

use super::face::KindClass;
#[cfg(test)]
use super::face::kind_class;
use super::history::{Fate, Marker, MarkerKind, MessageSpan};

/// The diagram's width, in SVG units (it scales to its box).
pub const WIDTH: f64 = 800.0;
/// Left gutter for the lanes' labels.
pub const GUTTER: f64 = 54.0;
/// Space right of the time axis.
pub const PAD_RIGHT: f64 = 12.0;
/// Band above the lanes for the time axis's labels and the markers' labels.
pub const TOP: f64 = 30.0;
/// Space below the last lane.
pub const PAD_BOTTOM: f64 = 6.0;
/// Vertical distance between lanes.
pub const LANE_GAP: f64 = 26.0;
/// Default cap on arrows drawn; the most recently sent are kept.
pub const ARROWS_MAX: usize = 600;
/// Past this many messages in the window the diagram draws a sample of about this many (see
/// [`crate::view::history::History::recent`]): at thousands of messages a second, drawing
/// every arrow made each refresh a long frame, and 600 arrows in 800 px cannot be told apart.
pub const ARROWS_SAMPLED_OVER: usize = 160;
/// Most server lanes drawn, whatever the node count says (Raft allows 15).
pub const LANES_MAX: u32 = 64;
/// How far across an arrow in flight may get: short of the receiver's lane.
pub const IN_FLIGHT_PROGRESS_MAX: f64 = 0.92;
/// Marker labels closer than this to the previous shown one are left to their titles.
const LABEL_SPACING: f64 = 56.0;
/// The epoch of the absolute coordinates moves by this many windows at once (see [`epoch`]).
pub const EPOCH_WINDOWS: u64 = 8;

/// Which lane.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum LaneId {
    /// Server `S{id}`.
    Server(NodeId),
    /// Every client, together.
    Clients,
}

/// A horizontal lane.
#[derive(Clone, Debug, PartialEq)]
pub struct Lane {
    /// Whose lane.
    pub id: LaneId,
    /// Its height.
    pub y: f64,
    /// `S3`, or `clients`.
    pub label: String,
    /// Stretches (x from, x to), absolute, during which the server was down; one that began
    /// before the epoch starts at the epoch.
    pub down: Vec<(f64, f64)>,
}

/// A message as drawn, in absolute coordinates (on screen at `x + Diagram::shift`).
#[derive(Clone, Debug, PartialEq)]
pub struct Arrow {
    /// Message id.
    pub id: u64,
    /// Index of its span in the slice given to [`layout`].
    pub span: usize,
    /// Start: its sending time, even before the window (the clip cuts it).
    pub x1: f64,
    /// Start.
    pub y1: f64,
    /// End.
    pub x2: f64,
    /// End.
    pub y2: f64,
    /// CSS classes by message type, as the stage colours them: `rv`, `rvr`, `ae`,
    /// `ae heartbeat`, `aer`, `client`.
    pub class: &'static str,
    /// What became of it.
    pub fate: Fate,
    /// Drawn dashed: still in flight.
    pub dashed: bool,
    /// Ends with an arrowhead: delivered, or in flight, and its end is in view.
    pub head: bool,
    /// Ends with a ✕: dropped, and its end is in view.
    pub cross: bool,
}

/// A marker as drawn: a vertical tick.
#[derive(Clone, Debug, PartialEq)]
pub struct Tick {
    /// Index of its marker in the slice given to [`layout`] (a stable key with `event`).
    pub marker: usize,
    /// Horizontal position, absolute.
    pub x: f64,
    /// Top.
    pub y1: f64,
    /// Bottom.
    pub y2: f64,
    /// What it marks.
    pub kind: MarkerKind,
    /// Text shown by the tick, if there is room (the marker's full label goes in its title).
    pub text: Option<String>,
}

/// A vertical grid line of the time axis.
#[derive(Clone, Debug, PartialEq)]
pub struct GridLine {
    /// Its time.
    pub t_us: Micros,
    /// Horizontal position, absolute.
    pub x: f64,
    /// The time, as `1200 ms`.
    pub label: String,
}

/// Everything the diagram draws.
#[derive(Clone, Debug, PartialEq)]
pub struct Diagram {
    /// SVG width.
    pub width: f64,
    /// SVG height.
    pub height: f64,
    /// The window's start.
    pub t0_us: Micros,
    /// The window's end.
    pub t1_us: Micros,
    /// The time axis runs from `x0` (t0) to `x1` (t1), on screen.
    pub x0: f64,
    /// See `x0`.
    pub x1: f64,
    /// Where now is, on screen.
    pub now_x: f64,
    /// The epoch: absolute x is 0 at this time (see [`epoch`]).
    pub base_us: Micros,
    /// SVG units per microsecond.
    pub scale: f64,
    /// What moves the absolute coordinates onto the screen: `x + shift`.
    pub shift: f64,
    /// The lanes, top to bottom.
    pub lanes: Vec<Lane>,
    /// Bottom of the last lane's band.
    pub lanes_bottom: f64,
    /// The arrows, oldest first.
    pub arrows: Vec<Arrow>,
    /// Spans in view that were left out by the cap.
    pub hidden: usize,
    /// The markers' ticks, in time order.
    pub ticks: Vec<Tick>,
    /// The time axis's grid.
    pub grid: Vec<GridLine>,
}

impl Diagram {
    /// An absolute x on screen.
    pub fn screen_x(&self, x: f64) -> f64 {
        x + self.shift
    }

    /// A time's absolute x.
    pub fn abs_x(&self, t_us: Micros) -> f64 {
        abs_x(t_us, self.base_us, self.scale)
    }
}

fn abs_x(t_us: Micros, base_us: Micros, scale: f64) -> f64 {
    (t_us as f64 - base_us as f64) * scale
}

/// The epoch of the absolute coordinates for a window starting at `t0_us`: a multiple of
/// [`EPOCH_WINDOWS`] windows, at or before `t0_us`, so it changes once every so many windows.
pub fn epoch(t0_us: Micros, window_us: Micros) -> Micros {
    let e = window_us.max(1).saturating_mul(EPOCH_WINDOWS);
    t0_us / e * e
}

/// The window shown at `now_us`: the last `window_us` up to now, or the first `window_us` of
/// the run until now reaches that far (so time is not stretched at the start).
pub fn window(now_us: Micros, window_us: Micros) -> (Micros, Micros) {
    let window_us = window_us.max(1);
    let t0 = now_us.saturating_sub(window_us);
    (t0, t0.saturating_add(window_us))
}

/// Lays out the diagram of `spans` and `markers` for `nodes` servers at `now_us`, over the last
/// `window_us`, drawing at most `arrows_max` arrows (the most recently sent). Spans and markers
/// outside the window, and addresses of servers that do not exist, are left out.
pub fn layout(spans: &[MessageSpan], markers: &[Marker], nodes: u32, now_us: Micros, window_us: Micros, arrows_max: usize, classify: KindClass) -> Diagram {
    let (t0, t1) = window(now_us, window_us);
    let n = nodes.min(LANES_MAX);
    let visible = |s: &MessageSpan| s.sent_us <= t1 && (s.fate == Fate::InFlight || s.end_us >= t0);
    let clients = spans.iter().any(|s| visible(s) && (matches!(s.from, Addr::Client(_)) || matches!(s.to, Addr::Client(_))));
    let lane_count = n as usize + usize::from(clients);
    let lane_y = |i: usize| TOP + LANE_GAP * (i as f64 + 0.5);
    let lanes_bottom = TOP + LANE_GAP * lane_count as f64;
    let (x0, x1) = (GUTTER, WIDTH - PAD_RIGHT);
    let scale = (x1 - x0) / (t1 - t0) as f64;
    let base = epoch(t0, window_us);
    let x_of = |t: Micros| abs_x(t, base, scale);
    let lane_of = |a: Addr| -> Option<usize> {
        match a {
            Addr::Node(id) if id >= 1 && id <= n => Some(id as usize - 1),
            Addr::Client(_) if clients => Some(n as usize),
            _ => None,
        }
    };

    // Arrows: the newest `arrows_max` of those in view.
    let in_view: Vec<usize> = (0..spans.len()).filter(|&i| visible(&spans[i]) && lane_of(spans[i].from).is_some() && lane_of(spans[i].to).is_some()).collect();
    let hidden = in_view.len().saturating_sub(arrows_max);
    let mut arrows = Vec::with_capacity(in_view.len() - hidden);
    for &i in &in_view[hidden..] {
        let s = &spans[i];
        let (Some(la), Some(lb)) = (lane_of(s.from), lane_of(s.to)) else {
            continue;
        };
        if let Some(a) = arrow(s, i, lane_y(la), lane_y(lb), now_us, (t0, t1), &x_of, classify) {
            arrows.push(a);
        }
    }

    // Lanes, with the stretches their servers were down (from the epoch at the earliest, so
    // that a long one keeps its coordinates).
    let mut lanes: Vec<Lane> = (1..=n).map(|id| Lane { id: LaneId::Server(id), y: lane_y(id as usize - 1), label: format!("S{id}"), down: Vec::new() }).collect();
    let mut down_since: Vec<Option<Micros>> = vec![None; n as usize];
    let close = |lanes: &mut Vec<Lane>, i: usize, from: Micros, to: Micros| {
        if to >= t0 && from <= t1 {
            lanes[i].down.push((x_of(from.max(base)), x_of(to.min(t1))));
        }
    };
    for m in markers {
        let Some(i) = m.node.filter(|&id| id >= 1 && id <= n).map(|id| id as usize - 1) else {
            continue;
        };
        match m.kind {
            MarkerKind::Crash => {
                down_since[i].get_or_insert(m.at_us);
            }
            MarkerKind::Restart => {
                if let Some(from) = down_since[i].take() {
                    close(&mut lanes, i, from, m.at_us);
                }
            }
            _ => {}
        }
    }
    for (i, since) in down_since.iter().enumerate() {
        if let Some(from) = *since {
            close(&mut lanes, i, from, now_us.max(from));
        }
    }
    if clients {
        lanes.push(Lane { id: LaneId::Clients, y: lane_y(n as usize), label: crate::tr!("clients").to_string(), down: Vec::new() });
    }

    // Ticks, labelled where there is room.
    let mut ticks = Vec::new();
    let mut last_label_x = f64::NEG_INFINITY;
    for (i, m) in markers.iter().enumerate() {
        if m.at_us < t0 || m.at_us > t1 {
            continue;
        }
        let x = x_of(m.at_us);
        let on_lane = m.node.filter(|&id| id >= 1 && id <= n).map(|id| lane_y(id as usize - 1));
        let (y1, y2) = match (m.kind, on_lane) {
            (MarkerKind::Crash | MarkerKind::Restart, Some(y)) => (y - LANE_GAP * 0.45, y + LANE_GAP * 0.45),
            (MarkerKind::Commit, _) => (TOP - 7.0, TOP),
            _ => (TOP, lanes_bottom),
        };
        let text = short_text(m).filter(|_| x - last_label_x >= LABEL_SPACING);
        if text.is_some() {
            last_label_x = x;
        }
        ticks.push(Tick { marker: i, x, y1, y2, kind: m.kind, text });
    }

    let shift = x0 - x_of(t0);
    Diagram {
        width: WIDTH,
        height: lanes_bottom + PAD_BOTTOM,
        t0_us: t0,
        t1_us: t1,
        x0,
        x1,
        now_x: x_of(now_us.clamp(t0, t1)) + shift,
        base_us: base,
        scale,
        shift,
        lanes,
        lanes_bottom,
        arrows,
        hidden,
        ticks,
        grid: grid(t0, t1, &x_of),
    }
}

/// One span's arrow, or none if nothing of it is in view.
#[allow(clippy::too_many_arguments)]
fn arrow(s: &MessageSpan, span: usize, ya: f64, yb: f64, now_us: Micros, (t0, t1): (Micros, Micros), x_of: &impl Fn(Micros) -> f64, classify: KindClass) -> Option<Arrow> {
    // How far across the message has come at `t`, from its sending and due times.
    let progress = |t: Micros| -> f64 { if s.due_us > s.sent_us { (t.saturating_sub(s.sent_us) as f64 / (s.due_us - s.sent_us) as f64).clamp(0.0, 1.0) } else { 1.0 } };
    let (tb, fraction) = match s.fate {
        Fate::Delivered => (s.end_us, 1.0),
        Fate::Dropped if s.never_sent() => (s.end_us, 0.0),
        Fate::Dropped => (s.end_us, progress(s.end_us)),
        Fate::InFlight => {
            let tb = now_us.max(s.sent_us);
            (tb, progress(tb).min(IN_FLIGHT_PROGRESS_MAX))
        }
    };
    let ta = s.sent_us;
    let yb = ya + (yb - ya) * fraction;
    if tb < t0 || ta > t1 {
        return None;
    }
    let end_in_view = tb <= t1;
    Some(Arrow {
        id: s.id,
        span,
        x1: x_of(ta),
        y1: ya,
        x2: x_of(tb),
        y2: yb,
        class: classify(&s.kind, s.heartbeat),
        fate: s.fate,
        dashed: s.fate == Fate::InFlight,
        head: end_in_view && s.fate != Fate::Dropped,
        cross: end_in_view && s.fate == Fate::Dropped,
    })
}

/// The words shown by a marker's tick; commits have none (they are many).
fn short_text(m: &Marker) -> Option<String> {
    let node = m.node.map(|id| format!("S{id} ")).unwrap_or_default();
    match m.kind {
        MarkerKind::Election => Some(format!("{node}leader")),
        MarkerKind::Crash => Some(format!("{node}crash")),
        MarkerKind::Restart => Some(format!("{node}restart")),
        MarkerKind::Partition | MarkerKind::Heal => m.word.map(str::to_string),
        MarkerKind::Violation => Some("violation".to_string()),
        MarkerKind::Chosen => Some("chosen".to_string()),
        MarkerKind::Commit | MarkerKind::Learned => None,
    }
}

/// Grid lines at round times: a step of 1, 2 or 5 × 10^k µs giving at most 8 lines.
fn grid(t0: Micros, t1: Micros, x_of: &impl Fn(Micros) -> f64) -> Vec<GridLine> {
    let span = (t1 - t0).max(1);
    let mut step: Micros = 1;
    'find: for scale in (0..19).map(|k| 10u64.pow(k)) {
        for m in [1, 2, 5] {
            step = scale.saturating_mul(m);
            if span / step <= 8 {
                break 'find;
            }
        }
    }
    let decimals = match step {
        1_000.. => 0,
        100.. => 1,
        10.. => 2,
        _ => 3,
    };
    let first = t0.div_ceil(step).saturating_mul(step);
    (0..)
        .map(|k: u64| first.saturating_add(k.saturating_mul(step)))
        .take_while(|&t| t <= t1)
        .take(16)
        .map(|t| GridLine { t_us: t, x: x_of(t), label: format!("{} ms", crate::num::fixed(t as f64 / 1_000.0, decimals as u32)) })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn span(id: u64, from: Addr, to: Addr, sent_us: Micros, due_us: Micros, end: Option<(Micros, Fate)>) -> MessageSpan {
        let (end_us, fate) = end.unwrap_or((due_us, Fate::InFlight));
        MessageSpan {
            id,
            kind: "AppendEntries".to_string(),
            text: "AppendEntries term=1 prev=0@0 entries=1 commit=0".to_string(),
            heartbeat: false,
            from,
            to,
            sent_us,
            due_us,
            end_us,
            fate,
            drop_reason: (fate == Fate::Dropped).then_some("loss"),
            copy_of: None,
            sent_event: id,
            end_event: (fate != Fate::InFlight).then_some(id + 1),
        }
    }

    fn marker(event: u64, at_us: Micros, kind: MarkerKind, node: Option<NodeId>) -> Marker {
        let word = matches!(kind, MarkerKind::Partition | MarkerKind::Heal).then_some(kind.as_str());
        Marker { event, at_us, kind, text: crate::view::history::MarkerText::Action(crate::sim::Action::<String>::Drop(event).words()), word, node }
    }

    const S: fn(NodeId) -> Addr = Addr::Node;
    const EPS: f64 = 1e-9;

    #[test]
    fn x_grows_with_time_across_the_window() {
        let now = 1_000_000;
        let window_us = 300_000;
        let spans: Vec<MessageSpan> = (0..30).map(|i| span(i + 1, S(1), S(2), 700_000 + i * 10_000, 700_000 + i * 10_000 + 5_000, Some((700_000 + i * 10_000 + 5_000, Fate::Delivered)))).collect();
        let d = layout(&spans, &[], 3, now, window_us, ARROWS_MAX, kind_class);
        assert_eq!((d.t0_us, d.t1_us), (700_000, 1_000_000));
        assert_eq!(d.arrows.len(), 30);
        assert!((d.screen_x(d.arrows[0].x1) - d.x0).abs() < 1e-6, "sent at t0: at the left edge");
        assert!(d.arrows.windows(2).all(|w| w[0].x1 < w[1].x1), "later sends further right");
        assert!(d.arrows.iter().all(|a| a.x2 > a.x1 && d.screen_x(a.x2) <= d.x1 + 1e-6 && a.head && !a.dashed && !a.cross));
        assert!((d.now_x - d.x1).abs() < EPS, "now at the right edge");
        // Before the window is full, time starts at 0 and now is part of the way.
        let early = layout(&[], &[], 3, 100_000, window_us, ARROWS_MAX, kind_class);
        assert_eq!((early.t0_us, early.t1_us), (0, 300_000));
        assert!((early.now_x - (d.x0 + (d.x1 - d.x0) / 3.0)).abs() < 1e-6);
        // Grid lines at round times, left to right, inside the axis.
        assert!(d.grid.len() >= 3 && d.grid.len() <= 9, "{:?}", d.grid);
        assert!(d.grid.windows(2).all(|w| w[0].x < w[1].x));
        assert!(d.grid.iter().all(|g| d.screen_x(g.x) >= d.x0 - 1e-6 && d.screen_x(g.x) <= d.x1 + 1e-6));
        assert_eq!(d.grid[0].label, "700 ms");
    }

    #[test]
    fn a_span_from_before_the_window_is_clipped_along_its_line() {
        // Sent at 600 ms from S1 (lane 0), delivered to S3 (lane 2) at 800 ms; window 700..1000.
        let s = span(7, S(1), S(3), 600_000, 800_000, Some((800_000, Fate::Delivered)));
        let d = layout(&[s], &[], 3, 1_000_000, 300_000, ARROWS_MAX, kind_class);
        let a = &d.arrows[0];
        let (ya, yb) = (d.lanes[0].y, d.lanes[2].y);
        // Drawn whole from its send, left of the window (the clip cuts it)...
        let (sx1, sx2) = (d.screen_x(a.x1), d.screen_x(a.x2));
        assert!((a.x1 - d.abs_x(600_000)).abs() < EPS && sx1 < d.x0);
        assert!((a.y1 - ya).abs() < EPS);
        // ... so that it crosses the window's start halfway down.
        let y_at_x0 = a.y1 + (a.y2 - a.y1) * (d.x0 - sx1) / (sx2 - sx1);
        assert!((y_at_x0 - (ya + yb) / 2.0).abs() < 1e-6, "halfway down at the window's start");
        assert!((a.y2 - yb).abs() < EPS && a.head);
        // Entirely before the window: not drawn.
        let old = span(8, S(1), S(3), 100_000, 200_000, Some((200_000, Fate::Delivered)));
        assert!(layout(&[old], &[], 3, 1_000_000, 300_000, ARROWS_MAX, kind_class).arrows.is_empty());
    }

    #[test]
    fn in_flight_arrows_end_at_now_dashed_and_dropped_ones_with_a_cross() {
        let now = 1_000_000;
        let spans = [
            // Halfway from S1 to S2.
            span(1, S(1), S(2), 990_000, 1_010_000, None),
            // Overdue (a held link): short of the lane.
            span(2, S(2), S(1), 900_000, 950_000, None),
            // Lost on arrival at S3.
            span(3, S(1), S(3), 900_000, 920_000, Some((920_000, Fate::Dropped))),
        ];
        let d = layout(&spans, &[], 3, now, 300_000, ARROWS_MAX, kind_class);
        let y = |i: usize| d.lanes[i].y;
        let [a, b, c] = &d.arrows[..] else { panic!("three arrows: {:?}", d.arrows) };
        assert!(a.dashed && a.head && !a.cross && a.fate == Fate::InFlight);
        assert!((d.screen_x(a.x2) - d.now_x).abs() < 1e-6);
        assert!((a.y2 - (y(0) + y(1)) / 2.0).abs() < 1e-6);
        assert!((d.screen_x(b.x2) - d.now_x).abs() < 1e-6);
        assert!((b.y2 - (y(1) + (y(0) - y(1)) * IN_FLIGHT_PROGRESS_MAX)).abs() < 1e-6);
        assert!(c.cross && !c.head && !c.dashed && (c.y2 - y(2)).abs() < EPS);
        assert!(d.screen_x(c.x2) < d.now_x && c.x2 > c.x1);
        // Dropped on the wire (by the user) halfway: the ✕ is halfway.
        let user = span(4, S(1), S(3), 900_000, 920_000, Some((910_000, Fate::Dropped)));
        let d = layout(&[user], &[], 3, now, 300_000, ARROWS_MAX, kind_class);
        assert!((d.arrows[0].y2 - (y(0) + y(2)) / 2.0).abs() < 1e-6);
        // Lost with its crashing sender: a ✕ on the sender's lane.
        let mut lost = span(5, S(2), S(3), 950_000, 950_000, Some((950_000, Fate::Dropped)));
        lost.drop_reason = Some("sender-crashed");
        let d = layout(&[lost], &[], 3, now, 300_000, ARROWS_MAX, kind_class);
        assert!(d.arrows[0].cross && (d.arrows[0].y2 - y(1)).abs() < EPS && (d.arrows[0].x2 - d.arrows[0].x1).abs() < EPS);
    }

    #[test]
    fn lanes_in_order_for_one_to_fifteen_servers() {
        let mut last_height = 0.0;
        for n in 1..=15u32 {
            // Messages between every pair of neighbours, some in flight.
            let spans: Vec<MessageSpan> = (1..=n)
                .map(|i| {
                    let to = i % n + 1;
                    let end = (i % 2 == 0).then_some((950_000 + u64::from(i), Fate::Delivered));
                    span(u64::from(i), S(i), S(to), 900_000, 990_000 + u64::from(i), end)
                })
                .collect();
            let d = layout(&spans, &[], n, 1_000_000, 300_000, ARROWS_MAX, kind_class);
            assert_eq!(d.lanes.len(), n as usize, "no client lane without clients");
            let labels: Vec<String> = d.lanes.iter().map(|l| l.label.clone()).collect();
            assert_eq!(labels, (1..=n).map(|i| format!("S{i}")).collect::<Vec<_>>());
            assert!(d.lanes.windows(2).all(|w| w[0].y < w[1].y), "S1 on top, downwards");
            assert!(d.height > last_height);
            last_height = d.height;
            assert_eq!(d.arrows.len(), n as usize);
            for a in &d.arrows {
                for (x, y) in [(a.x1, a.y1), (a.x2, a.y2)] {
                    let x = d.screen_x(x);
                    assert!(x >= d.x0 - 1e-6 && x <= d.x1 + 1e-6 && y >= TOP && y <= d.lanes_bottom, "{a:?} n={n}");
                }
            }
        }
    }

    #[test]
    fn clients_share_a_lane_at_the_bottom_when_in_view() {
        let mut request = span(1, Addr::Client(1), S(2), 950_000, 960_000, Some((960_000, Fate::Delivered)));
        request.kind = "ClientRequest".to_string();
        let reply = span(2, S(2), Addr::Client(2), 970_000, 980_000, None);
        let d = layout(&[request.clone(), reply], &[], 3, 1_000_000, 300_000, ARROWS_MAX, kind_class);
        assert_eq!(d.lanes.len(), 4);
        assert_eq!((d.lanes[3].id, d.lanes[3].label.as_str()), (LaneId::Clients, "clients"));
        assert!((d.arrows[0].y1 - d.lanes[3].y).abs() < EPS && d.arrows[0].class == "client");
        // A client message out of view: no client lane.
        let d = layout(&[request], &[], 3, 5_000_000, 300_000, ARROWS_MAX, kind_class);
        assert_eq!(d.lanes.len(), 3);
        assert!(d.arrows.is_empty());
    }

    #[test]
    fn the_cap_keeps_the_newest_and_bad_addresses_are_skipped() {
        let spans: Vec<MessageSpan> = (1..=1_000).map(|i| span(i, S(1), S(2), 800_000 + i * 100, 900_000 + i * 100, None)).collect();
        let d = layout(&spans, &[], 2, 1_000_000, 300_000, ARROWS_MAX, kind_class);
        assert_eq!(d.arrows.len(), ARROWS_MAX);
        assert_eq!(d.hidden, 1_000 - ARROWS_MAX);
        assert_eq!(d.arrows.first().map(|a| a.id), Some(401));
        assert_eq!(d.arrows.last().map(|a| (a.id, a.span)), Some((1_000, 999)));
        // Servers beyond the node count, server 0, and no servers at all: nothing, no panic.
        let odd = [span(1, S(9), S(1), 900_000, 950_000, None), span(2, S(0), S(1), 900_000, 950_000, None)];
        assert!(layout(&odd, &[], 3, 1_000_000, 300_000, ARROWS_MAX, kind_class).arrows.is_empty());
        let empty = layout(&odd, &[marker(1, 950_000, MarkerKind::Crash, Some(9))], 0, 1_000_000, 0, ARROWS_MAX, kind_class);
        assert!(empty.lanes.is_empty() && empty.arrows.is_empty());
        assert!(empty.height > 0.0 && empty.now_x.is_finite());
    }

    #[test]
    fn markers_become_ticks_and_down_stretches() {
        let markers = [
            marker(1, 100_000, MarkerKind::Crash, Some(2)), // before the window: S2 is down from its start
            marker(2, 750_000, MarkerKind::Election, Some(1)),
            marker(3, 760_000, MarkerKind::Commit, Some(1)),
            marker(4, 800_000, MarkerKind::Restart, Some(2)),
            marker(5, 900_000, MarkerKind::Partition, None),
            marker(6, 950_000, MarkerKind::Crash, Some(3)),
        ];
        let d = layout(&[], &markers, 3, 1_000_000, 300_000, ARROWS_MAX, kind_class);
        assert_eq!(d.ticks.iter().map(|t| t.marker).collect::<Vec<_>>(), [1, 2, 3, 4, 5]);
        assert!(d.ticks.windows(2).all(|w| w[0].x < w[1].x));
        let election = &d.ticks[0];
        assert_eq!((election.y1, election.y2), (TOP, d.lanes_bottom));
        assert_eq!(election.text.as_deref(), Some("S1 leader"));
        let commit = &d.ticks[1];
        assert!(commit.y2 <= TOP && commit.text.is_none());
        let restart = &d.ticks[2];
        assert!(restart.y1 < d.lanes[1].y && restart.y2 > d.lanes[1].y && restart.y2 < d.lanes[2].y);
        // Down from before the window (the clip cuts it at the window's start) to the restart.
        assert_eq!(d.lanes[1].down, [(d.abs_x(100_000), restart.x)]);
        assert!(d.screen_x(d.lanes[1].down[0].0) < d.x0);
        assert_eq!(d.lanes[2].down, [(d.ticks[4].x, d.abs_x(1_000_000))], "still down at now");
        assert!((d.screen_x(d.lanes[2].down[0].1) - d.now_x).abs() < 1e-6);
        assert!(d.lanes[0].down.is_empty());
        assert_eq!(d.ticks[3].text.as_deref(), Some("partition"));
    }

    #[test]
    fn classes_match_the_stage() {
        assert_eq!(kind_class("RequestVote", false), "rv");
        assert_eq!(kind_class("RequestVoteReply", false), "rvr");
        assert_eq!(kind_class("AppendEntries", true), "ae heartbeat");
        assert_eq!(kind_class("AppendEntries", false), "ae");
        assert_eq!(kind_class("AppendEntriesReply", false), "aer");
        assert_eq!(kind_class("ClientReply", false), "client");
    }

    #[test]
    fn a_real_run_lays_out_inside_the_box() {
        let mut h = crate::view::history::History::new();
        let text = crate::view::shipped::text("raft-tour.json").expect("shipped");
        let sc = crate::scenario::Scenario::parse(&text, None).expect("parses");
        let setup = crate::scenario::protocol::setup::<crate::protocols::raft::Raft>(&sc, sc.seed, crate::sim::TraceMode::Lines).expect("builds");
        let mut engine = crate::sim::Engine::new(setup);
        engine.run_until(3_000_000);
        for l in engine.drain_trace() {
            h.push(&l);
        }
        let (spans, _) = h.recent(engine.now(), 500_000, ARROWS_MAX);
        let d = layout(&spans, h.markers(), engine.nodes().len() as u32, engine.now(), 500_000, ARROWS_MAX, kind_class);
        assert_eq!(d.lanes.len(), 5);
        assert!(!d.arrows.is_empty() && !d.ticks.is_empty());
        for a in &d.arrows {
            assert!(a.x1 <= a.x2 + EPS, "{a:?}");
            // Its end in the window (its start may be before it: the clip cuts it).
            let x2 = d.screen_x(a.x2);
            assert!(x2 >= d.x0 - 1e-6 && x2 <= d.x1 + 1e-6, "{a:?}");
            assert!(d.screen_x(a.x1) <= d.x1 + 1e-6, "{a:?}");
            for y in [a.y1, a.y2] {
                assert!(y >= TOP && y <= d.lanes_bottom, "{a:?}");
            }
        }
        assert!(d.arrows.iter().any(|a| a.dashed) && d.arrows.iter().any(|a| a.cross) && d.arrows.iter().any(|a| a.head && !a.dashed));
    }

    /// The arrows (without their index in the slice, which shifts as spans leave) by id.
    fn by_id(d: &Diagram) -> Vec<(u64, [f64; 4], bool, bool, bool)> {
        d.arrows.iter().map(|a| (a.id, [a.x1, a.y1, a.x2, a.y2], a.dashed, a.head, a.cross)).collect()
    }

    #[test]
    fn an_ended_arrow_keeps_its_coordinates_as_now_advances_within_an_epoch() {
        let window_us = 400_000;
        // Delivered messages every 10 ms from 2.0 s to 2.6 s, and one in flight since 2.55 s.
        let mut spans: Vec<MessageSpan> = (0..60)
            .map(|i| span(i + 1, S(1 + (i % 3) as u32), S(1 + ((i + 1) % 3) as u32), 2_000_000 + i * 10_000, 2_000_000 + i * 10_000 + 8_000, Some((2_000_000 + i * 10_000 + 8_000, Fate::Delivered))))
            .collect();
        spans.push(span(100, S(1), S(2), 2_550_000, 3_000_000, None));
        let at = |now: Micros| layout(&spans, &[], 3, now, window_us, ARROWS_MAX, kind_class);
        let (a, b) = (at(2_600_000), at(2_700_000));
        assert_eq!(epoch(a.t0_us, window_us), epoch(b.t0_us, window_us), "one epoch");
        assert_eq!(a.base_us, b.base_us);
        // The translate moves with time, by the time gone...
        assert!((a.shift - b.shift - 100_000.0 * a.scale).abs() < 1e-6, "{} {}", a.shift, b.shift);
        assert!(b.shift < a.shift);
        // ... and nothing else that has ended: the arrows still in view are the same, at the
        // same absolute coordinates, and on screen they moved left with the translate.
        let (old, new) = (by_id(&a), by_id(&b));
        let ended = |v: &[(u64, [f64; 4], bool, bool, bool)]| v.iter().filter(|x| !x.2).cloned().collect::<Vec<_>>();
        let kept: Vec<_> = ended(&old).into_iter().filter(|x| new.iter().any(|y| y.0 == x.0)).collect();
        assert!(kept.len() >= 20, "{}", kept.len());
        for x in &kept {
            assert!(new.contains(x), "{x:?} changed");
        }
        // The one in flight keeps its start and moves its end to now.
        let (fa, fb) = (a.arrows.iter().find(|x| x.id == 100).expect("m100 drawn at a"), b.arrows.iter().find(|x| x.id == 100).expect("m100 drawn at b"));
        assert_eq!((fa.x1, fa.y1), (fb.x1, fb.y1));
        assert!(fb.x2 > fa.x2 && fb.y2 > fa.y2);
        assert!((a.screen_x(fa.x2) - a.now_x).abs() < 1e-6 && (b.screen_x(fb.x2) - b.now_x).abs() < 1e-6);
        // Grid lines and ticks keep theirs too.
        for g in &b.grid {
            if let Some(h) = a.grid.iter().find(|h| h.t_us == g.t_us) {
                assert_eq!(h, g);
            }
        }
    }

    #[test]
    fn the_epoch_changes_once_in_so_many_windows_and_the_screen_does_not_jump() {
        let window_us = 400_000;
        let e = window_us * EPOCH_WINDOWS;
        assert_eq!(epoch(0, window_us), 0);
        assert_eq!(epoch(e - 1, window_us), 0);
        assert_eq!(epoch(e, window_us), e);
        assert_eq!(epoch(3 * e + 5, window_us), 3 * e);
        // Across an epoch's change, absolute coordinates change and screen ones do not.
        let s = span(1, S(1), S(2), e + window_us - 100_000, e + window_us - 50_000, Some((e + window_us - 50_000, Fate::Delivered)));
        let (before, after) = (layout(std::slice::from_ref(&s), &[], 2, e + window_us - 1, window_us, ARROWS_MAX, kind_class), layout(&[s], &[], 2, e + window_us, window_us, ARROWS_MAX, kind_class));
        assert_eq!((before.base_us, after.base_us), (0, e));
        let (a, b) = (&before.arrows[0], &after.arrows[0]);
        assert!(a.x1 != b.x1);
        assert!((before.screen_x(a.x1) - after.screen_x(b.x1) - before.scale).abs() < 1e-6, "one µs apart");
        // Absolute coordinates stay small, whatever the time.
        let late = layout(&[], &[], 2, 3_600_000_000, window_us, ARROWS_MAX, kind_class);
        assert!(late.shift.abs() <= (EPOCH_WINDOWS + 1) as f64 * WIDTH, "{}", late.shift);
        assert!((late.screen_x(late.abs_x(late.t0_us)) - late.x0).abs() < 1e-6);
    }

    #[test]
    fn what_lies_outside_the_window_is_culled() {
        let now = 5_000_000;
        let window_us = 400_000;
        let t0 = now - window_us;
        let spans = [
            // Ended before the window: gone.
            span(1, S(1), S(2), t0 - 50_000, t0 - 10_000, Some((t0 - 10_000, Fate::Delivered))),
            span(2, S(1), S(2), t0 - 50_000, t0 - 10_000, Some((t0 - 1, Fate::Dropped))),
            // Ends in the window: kept, though it starts before it.
            span(3, S(2), S(1), t0 - 50_000, t0 + 10_000, Some((t0 + 10_000, Fate::Delivered))),
            // Sent long ago, still in flight: kept.
            span(4, S(2), S(1), t0 - 900_000, t0 - 800_000, None),
            span(5, S(1), S(2), now - 10_000, now + 10_000, None),
        ];
        let markers = [marker(1, t0 - 1, MarkerKind::Election, Some(1)), marker(2, t0 + 1, MarkerKind::Election, Some(2))];
        let d = layout(&spans, &markers, 2, now, window_us, ARROWS_MAX, kind_class);
        assert_eq!(d.arrows.iter().map(|a| a.id).collect::<Vec<_>>(), [3, 4, 5]);
        assert_eq!(d.ticks.iter().map(|t| t.marker).collect::<Vec<_>>(), [1]);
        assert!(d.grid.iter().all(|g| g.t_us >= t0 && g.t_us <= now));
        assert!(d.screen_x(d.arrows[1].x1) < d.x0, "the old one starts far left, cut by the clip");
    }
}
