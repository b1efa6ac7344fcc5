//! Where the stage's words go, so that no two overlap: each server's badge, name and caption
//! (inside its circle when the caption fits there, else under it, clear of its timer ring), its
//! partition side and pause mark, and the labels riding with messages in flight. A balancer's
//! fan ([`geometry::Layout::Fan`]) adds a backend's meter (slots, queue and the queue's length,
//! right of its circle, with a caption that does not fit inside under the meter) and S1's key
//! space (a ring around it, its caption under the ring; or a strip of cells under its caption,
//! with a line saying what the cells are).
//!
//! A message's label rides beside it, off its path: on the left of its direction of travel
//! first (so a request and its reply, going opposite ways, put theirs on opposite sides), then
//! on the right, then one lane further out on either side. A placement is kept only if the
//! label never touches a server's words or an earlier-placed label for as long as both are in
//! flight: positions are linear in time, so two moving boxes meet, if ever, on an interval
//! found in closed form ([`meet`]). A label that fits nowhere is not drawn (the message still
//! is, with its tooltip and inspector). Older messages are placed first and keep their side
//! from one drawing to the next, so labels do not jump as new messages arrive.
//!
//! Sizes are in the stage's viewBox units. Text widths are estimated from the characters, a
//! little wide for the common sans-serif faces (DejaVu Sans, the widest of them, included), so
//! a box holds its text whatever face the browser picks; the browser tests compare the boxes
//! actually drawn.

use crate::sim::{Addr, Micros, NodeId};

use super::geometry::{self, Point};

/// Font size of a message's label.
pub const LABEL_FONT: f64 = 15.0;
/// Font size of a caption drawn under its server.
pub const CAPTION_FONT: f64 = 14.0;
/// Font size of the line under a balancer's key strip.
pub const KEYS_FONT: f64 = 12.0;
/// Most labelled messages considered in one drawing (the oldest first): a crowd of labels is
/// unreadable anyway, and placing each costs a pass over those placed.
pub const LABELS_MAX: usize = 48;
/// Radius of a message's dot (a square's half side), and of a routine one.
pub const DOT_R: f64 = 8.0;
pub const ROUTINE_R: f64 = 6.0;

/// Most messages a stage draws at once.
pub const MAX_DRAWN: usize = 400;
/// Above this many messages in flight a balancer's stage draws every k-th (by id), about
/// [`SAMPLE_DRAWN`] of them, instead of all.
const SAMPLE_OVER: usize = 80;
const SAMPLE_DRAWN: usize = 60;

/// A stage in `layout` with `in_flight` messages draws those whose id is a multiple of this
/// (at most [`MAX_DRAWN`] of them): all of them on a ring; a sample on a balancer's fan at
/// thousands of requests a second.
pub fn draw_every(layout: geometry::Layout, in_flight: usize) -> u64 {
    if layout.is_fan() { geometry::sample_every(in_flight, SAMPLE_OVER, SAMPLE_DRAWN) } else { 1 }
}

/// A text's box: centre and size.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct TextBox {
    pub x: f64,
    pub y: f64,
    pub w: f64,
    pub h: f64,
}

impl TextBox {
    /// The box of `text` at `font` centred on `at`.
    pub fn of(text: &str, font: f64, at: Point) -> TextBox {
        TextBox { x: at.x, y: at.y, w: text_width(text, font), h: font * 1.2 }
    }

    /// Whether two boxes share any area.
    pub fn overlaps(&self, o: &TextBox) -> bool {
        (self.x - o.x).abs() < (self.w + o.w) / 2.0 && (self.y - o.y).abs() < (self.h + o.h) / 2.0
    }

    /// Moved by `d`.
    pub fn shifted(self, d: Point) -> TextBox {
        TextBox { x: self.x + d.x, y: self.y + d.y, ..self }
    }

    /// The box of `text`'s lines (split at `\n`) at `font`, its top-left corner at `at`.
    pub fn lines_from(text: &str, font: f64, at: Point) -> TextBox {
        let w = text.lines().map(|l| text_width(l, font)).fold(0.0, f64::max);
        let h = text.lines().count().max(1) as f64 * font * 1.2;
        TextBox { x: at.x + w / 2.0, y: at.y + h / 2.0, w, h }
    }

    /// Its top and bottom edges.
    pub fn top(&self) -> f64 {
        self.y - self.h / 2.0
    }
    pub fn bottom(&self) -> f64 {
        self.y + self.h / 2.0
    }

    /// The middles of its `n` lines of `font` (see [`TextBox::lines_from`]), top first.
    pub fn line_ys(&self, n: usize, font: f64) -> impl Iterator<Item = f64> + '_ {
        let top = self.top();
        (0..n).map(move |i| top + (i as f64 + 0.5) * font * 1.2)
    }
}

/// The width `text` takes at `font`, generous (see the module doc).
pub fn text_width(text: &str, font: f64) -> f64 {
    let em: f64 = text.chars().map(char_em).sum();
    em * font + 2.0
}

/// A character's advance in ems, at or above DejaVu Sans's.
fn char_em(c: char) -> f64 {
    match c {
        ' ' | 'i' | 'l' | '.' | ',' | ':' | ';' | '\'' | '|' | '!' | '`' | 'I' | 'J' | '·' => 0.34,
        'f' | 'j' | 'r' | 't' | '(' | ')' | '[' | ']' | '-' | '/' | '"' => 0.44,
        'm' => 1.0,
        'w' => 0.84,
        'M' | '%' => 0.9,
        'W' | '@' => 1.02,
        '0'..='9' | '?' | '$' | '#' | '_' => 0.66,
        'a'..='z' => 0.64,
        'A'..='Z' | '&' => 0.78,
        c if c.is_ascii() => 0.86,
        // Arrows, marks, signs and, above all, CJK: a full em.
        _ => 1.0,
    }
}

/// Where a server's words go.
#[derive(Clone, Debug, PartialEq)]
pub struct NodeText {
    /// The font of its name (the badge's is 1.25 times it, an inside caption's 0.8 times).
    pub font: f64,
    /// Its badge (`L`), above the centre.
    pub badge: TextBox,
    /// Its name (`S3`), under the badge.
    pub name: TextBox,
    /// Its caption, and whether it is inside the circle (else under it, in [`CAPTION_FONT`]).
    pub caption: Option<(TextBox, bool)>,
    /// Its partition side (`side A`), above the circle.
    pub side: Option<TextBox>,
    /// The pause mark, at the circle's upper right.
    pub mark: Option<TextBox>,
    /// A backend's meter in a fan: its slots, its queue and the queue's length (at its longest).
    pub meter: Option<TextBox>,
    /// A balancer's key strip and the line under it, in a fan.
    pub keys: Option<TextBox>,
}

impl NodeText {
    /// Every box, for collision tests.
    pub fn boxes(&self) -> impl Iterator<Item = TextBox> + '_ {
        [Some(self.badge), Some(self.name), self.caption.map(|(b, _)| b), self.side, self.mark, self.meter, self.keys].into_iter().flatten()
    }
}

/// What a balancer draws of its key space about S1 in a fan (from the panel's data).
#[derive(Clone, Debug, Default, PartialEq)]
pub enum StageKeys {
    /// Nothing (the strategies that do not hash keys).
    #[default]
    None,
    /// The hash ring, around S1.
    Ring,
    /// A strip of `cells` cells under S1's caption (Maglev's table, where the first keys go)
    /// with a line of words under it.
    Strip { cells: usize, words: String },
}

/// The server's words around its centre `c` (radius `r`): `badge`, `S{id}`, `caption`, `side`
/// (`side A`) and whether it shows the pause mark.
pub fn node_text(c: Point, r: f64, id: NodeId, badge: &str, caption: &str, side: Option<&str>, paused_mark: bool) -> NodeText {
    let font = (r * 0.42).max(9.0);
    // Badge names are bold.
    let bold = |b: TextBox| TextBox { w: b.w * 1.1, ..b };
    let name = format!("S{id}");
    // The lines stacked and centred: badge (1.25 em), name (1 em), and an inside caption
    // (0.8 em), each 1.2 lines high, 0.06 em apart.
    let stack = |with_caption: bool| {
        let total = if with_caption { 3.78 } else { 2.76 };
        let top = c.y - total * font / 2.0;
        (top + 0.75 * font, top + 2.16 * font, top + 3.3 * font, top + total * font)
    };
    let one_line = !caption.contains('\n');
    let inside = (!caption.is_empty()).then(|| {
        if !one_line {
            return None;
        }
        let (_, _, cy, bottom) = stack(true);
        let b = TextBox::of(caption, font * 0.8, Point { x: c.x, y: cy });
        // Inside if its box fits the circle's chord at its lower edge (2 units to spare).
        let dy = bottom - c.y;
        let half_chord = (r * r - dy * dy).max(0.0).sqrt();
        (b.w / 2.0 + 2.0 <= half_chord).then_some(b)
    });
    let (badge_y, name_y, _, _) = stack(matches!(inside, Some(Some(_))));
    let caption = match inside {
        None => None,
        Some(Some(b)) => Some((b, true)),
        // Under the circle, clear of the timer ring (r + 6, 4 wide) and a partition's halo.
        Some(None) => {
            let b = TextBox::lines_from(caption, CAPTION_FONT, Point { x: c.x, y: c.y + r + 15.0 });
            Some((b.shifted(Point { x: -b.w / 2.0, y: 0.0 }), false))
        }
    };
    let side = side.map(|s| TextBox::of(s, CAPTION_FONT, Point { x: c.x, y: c.y - r - 15.0 - CAPTION_FONT * 0.6 }));
    let mark = paused_mark.then(|| TextBox::of("❚❚", font, Point { x: c.x + r * 0.8, y: c.y - r * 0.8 }));
    NodeText {
        font,
        badge: bold(TextBox::of(badge, font * 1.25, Point { x: c.x, y: badge_y })),
        name: bold(TextBox::of(&name, font, Point { x: c.x, y: name_y })),
        caption,
        side,
        mark,
        meter: None,
        keys: None,
    }
}

/// The words of every server of a stage in `layout`, in order; in a fan, with the backends'
/// meters and S1's `keys` (see the module doc).
pub fn stage_node_texts(layout: geometry::Layout, nodes: &[super::NodeView], keys: &StageKeys) -> Vec<NodeText> {
    let n = nodes.len() as u32;
    let at = geometry::positions(layout, n);
    let r = geometry::radius(layout, n);
    nodes
        .iter()
        .zip(at)
        .enumerate()
        .map(|(i, (node, c))| {
            let side = node.group.map(|g| format!("side {}", side_letter(g)));
            let t = node_text(c, r, node.id, node.badge, &node.caption, side.as_deref(), node.up && node.paused);
            match layout {
                _ if layout.is_fan() && i == 0 => balancer_text(t, c, r, keys),
                _ if layout.is_fan() => backend_text(t, c, r, node.load.is_some()),
                _ => t,
            }
        })
        .map(|mut t| {
            // A caption under a server at the stage's edge moves in, whole, rather than out.
            if let Some((b, false)) = &mut t.caption {
                // max/min, not clamp: clamp's check of its bounds would bring f64's Debug
                // formatting (some 6 KB) into the page's download.
                b.x = b.x.min(geometry::view_width(layout) - b.w / 2.0).max(b.w / 2.0);
            }
            t
        })
        .collect()
}

/// A fan's backend: its meter right of its circle and, under the meter, a caption that does not
/// fit inside.
fn backend_text(mut t: NodeText, c: Point, r: f64, loaded: bool) -> NodeText {
    let m = geometry::Meter::of(c, r);
    let longest = geometry::queue_text(u32::MAX);
    let text = m.queue_text_at(u32::MAX);
    let right = text.x + text_width(&longest, m.font);
    let (top, bottom) = (m.slots_y, (m.queue_y + m.slot).max(text.y + m.font * 0.6));
    let meter = TextBox { x: (m.x + right) / 2.0, y: (top + bottom) / 2.0, w: right - m.x, h: bottom - top };
    if let Some((b, false)) = t.caption {
        let below = if loaded { bottom + 2.0 } else { c.y - b.h / 2.0 };
        t.caption = Some((TextBox { x: m.x + b.w / 2.0, y: below + b.h / 2.0, ..b }, false));
    }
    t.meter = loaded.then_some(meter);
    t
}

/// A fan's balancer: its caption under the ring, or the strip and its line under the caption.
fn balancer_text(mut t: NodeText, c: Point, r: f64, keys: &StageKeys) -> NodeText {
    match keys {
        StageKeys::None => {}
        StageKeys::Ring => {
            if let Some((b, false)) = t.caption {
                let top = c.y + geometry::key_ring_outer(r) + 6.0;
                t.caption = Some((TextBox { y: top + b.h / 2.0, ..b }, false));
            }
        }
        StageKeys::Strip { cells, words } => {
            let top = t.caption.map_or(c.y + r + 10.0, |(b, _)| b.bottom().max(c.y + r)) + 8.0;
            let (w, h) = geometry::strip_size(*cells);
            let line = TextBox::of(words, KEYS_FONT, Point { x: c.x, y: 0.0 });
            let (w, h) = (w.max(line.w), h + 4.0 + line.h);
            t.keys = Some(TextBox { x: c.x, y: top + h / 2.0, w, h });
        }
    }
    t
}

/// A partition side's letter: A, B, C...
pub fn side_letter(group: usize) -> char {
    char::from(b'A' + (group % 26) as u8)
}

/// Where a message to or from `a` starts or ends: its server's centre, or the clients' place.
pub fn endpoint(at: &[Point], layout: geometry::Layout, a: Addr) -> Point {
    match a {
        Addr::Node(id) => at.get((id as usize).wrapping_sub(1)).copied().unwrap_or_else(|| geometry::client_point(layout)),
        Addr::Client(_) => geometry::client_point(layout),
    }
}

/// A message's flight on a stage whose servers sit at `at` (radius `gap`).
pub fn flight(at: &[Point], layout: geometry::Layout, gap: f64, m: &super::MessageView) -> Flight {
    Flight { from: endpoint(at, layout, m.from), to: endpoint(at, layout, m.to), gap, sent_us: m.sent_us, due_us: m.due_us }
}

/// The labels of the messages a stage in `layout` with `n` servers draws at `now_us` (see
/// [`place`]): every drawn message with a label but the routine ones, clear of the servers'
/// words `texts`.
pub fn stage_labels(layout: geometry::Layout, n: u32, drawn: &[&super::MessageView], texts: &[NodeText], now_us: Micros, selected: Option<u64>, previous: impl Fn(u64) -> Option<u8>) -> Vec<Placed> {
    let at = geometry::positions(layout, n);
    let r = geometry::radius(layout, n);
    let fixed: Vec<TextBox> = texts.iter().flat_map(NodeText::boxes).collect();
    let to_label: Vec<ToLabel<'_>> =
        drawn.iter().filter(|m| !m.heartbeat && !m.label.is_empty()).map(|m| ToLabel { id: m.id, flight: flight(&at, layout, r, m), text: &m.label, dot_r: DOT_R }).collect();
    place(&to_label, &fixed, (geometry::view_width(layout), geometry::view_height(layout)), now_us, selected, previous)
}

/// A message on its way, as the stage draws it (see [`geometry::message_position`]).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Flight {
    pub from: Point,
    pub to: Point,
    /// Servers' radius: it leaves and arrives at their edges.
    pub gap: f64,
    pub sent_us: Micros,
    pub due_us: Micros,
}

impl Flight {
    /// Where it is at `now_us`.
    pub fn at(&self, now_us: Micros) -> Point {
        geometry::message_position(self.from, self.to, self.gap, self.sent_us, self.due_us, now_us)
    }

    /// The unit vector of its travel (rightwards for a message going nowhere).
    fn direction(&self) -> Point {
        let d = self.from.dist(self.to);
        if d < 1e-9 { Point { x: 1.0, y: 0.0 } } else { Point { x: (self.to.x - self.from.x) / d, y: (self.to.y - self.from.y) / d } }
    }

    /// Its position as `a + b·t` over `[sent, due]` (t in µs).
    fn linear(&self) -> (Point, Point) {
        let start = self.at(self.sent_us);
        let end = self.at(self.due_us);
        if self.due_us <= self.sent_us {
            return (end, Point { x: 0.0, y: 0.0 });
        }
        let span = (self.due_us - self.sent_us) as f64;
        let v = Point { x: (end.x - start.x) / span, y: (end.y - start.y) / span };
        let s = self.sent_us as f64;
        (Point { x: start.x - v.x * s, y: start.y - v.y * s }, v)
    }
}

/// A message to label: its id, flight, label and size of dot.
#[derive(Clone, Debug, PartialEq)]
pub struct ToLabel<'a> {
    pub id: u64,
    pub flight: Flight,
    pub text: &'a str,
    pub dot_r: f64,
}

/// A placed label: its message, the offset of its box's centre from the message, and which
/// candidate it took (kept for the next drawing).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Placed {
    pub id: u64,
    pub offset: Point,
    pub choice: u8,
    pub w: f64,
    pub h: f64,
}

/// Number of candidate places for a label.
pub const CHOICES: u8 = 4;

/// Candidate `choice`'s offset for a box of `w`×`h` beside a dot of radius `dot_r` going `u`.
fn candidate(u: Point, w: f64, h: f64, dot_r: f64, choice: u8) -> Point {
    // Left of travel on screen (y down): (u.y, -u.x).
    let n = Point { x: u.y, y: -u.x };
    let along_n = (n.x.abs() * w + n.y.abs() * h) / 2.0;
    let lane = dot_r + 3.0 + along_n + f64::from(choice / 2) * (2.0 * along_n + 2.0);
    let side = if choice.is_multiple_of(2) { 1.0 } else { -1.0 };
    Point { x: n.x * lane * side, y: n.y * lane * side }
}

/// Whether two boxes moving linearly (centres `a0 + av·t`, `b0 + bv·t`) overlap at some t in
/// `[t0, t1]`.
fn meet(a: (Point, Point), aw: (f64, f64), b: (Point, Point), bw: (f64, f64), t0: f64, t1: f64) -> bool {
    if t0 > t1 {
        return false;
    }
    // The offset between centres, p + q·t, must be under the half sizes on both axes at once.
    let axis = |p: f64, q: f64, half: f64| -> Option<(f64, f64)> {
        if q.abs() < 1e-15 {
            return (p.abs() < half).then_some((f64::NEG_INFINITY, f64::INFINITY));
        }
        let (x, y) = ((-half - p) / q, (half - p) / q);
        Some((x.min(y), x.max(y)))
    };
    let (p, q) = (Point { x: a.0.x - b.0.x, y: a.0.y - b.0.y }, Point { x: a.1.x - b.1.x, y: a.1.y - b.1.y });
    let Some((x0, x1)) = axis(p.x, q.x, (aw.0 + bw.0) / 2.0) else {
        return false;
    };
    let Some((y0, y1)) = axis(p.y, q.y, (aw.1 + bw.1) / 2.0) else {
        return false;
    };
    let lo = x0.max(y0).max(t0);
    let hi = x1.min(y1).min(t1);
    // Strictly: boxes that only touch do not overlap.
    lo < hi
}

/// Places the labels of `messages` (see the module doc) for a drawing at `now_us`, avoiding the
/// fixed boxes `fixed` (the servers' words) and staying inside a view of `bounds` (width,
/// height). `previous` gives the choice a message's label took in the last drawing, tried
/// first. `selected` is placed first. Returns the placed labels.
pub fn place(messages: &[ToLabel<'_>], fixed: &[TextBox], bounds: (f64, f64), now_us: Micros, selected: Option<u64>, previous: impl Fn(u64) -> Option<u8>) -> Vec<Placed> {
    // The selected message first, then the others in their order (the stage's is by id): no
    // sort, whose code would weigh on the page's download for a list already in order.
    let labelled = |m: &&ToLabel<'_>| !m.text.is_empty() && m.flight.due_us >= now_us;
    let first = messages.iter().filter(labelled).filter(|m| Some(m.id) == selected);
    let rest = messages.iter().filter(labelled).filter(|m| Some(m.id) != selected);
    let order: Vec<&ToLabel<'_>> = first.chain(rest).take(LABELS_MAX).collect();
    let now = now_us as f64;
    // Each with its line and its time in flight from now.
    let mut placed: Vec<(Placed, (Point, Point), f64, f64)> = Vec::new();
    for m in order {
        let (w, h) = (text_width(m.text, LABEL_FONT), LABEL_FONT * 1.2);
        let u = m.flight.direction();
        let line = m.flight.linear();
        let (sent, due) = (now.max(m.flight.sent_us as f64), m.flight.due_us as f64);
        let first = previous(m.id).filter(|c| *c < CHOICES);
        let choices = first.into_iter().chain((0..CHOICES).filter(|c| Some(*c) != first));
        let fits = |offset: Point| {
            let me = (Point { x: line.0.x + offset.x, y: line.0.y + offset.y }, line.1);
            let still = Point { x: 0.0, y: 0.0 };
            // Inside the view at both ends of its flight, so inside all along (it moves straight).
            let inside = [sent, due].iter().all(|&t| {
                let (x, y) = (me.0.x + me.1.x * t, me.0.y + me.1.y * t);
                x - w / 2.0 >= 0.0 && x + w / 2.0 <= bounds.0 && y - h / 2.0 >= 0.0 && y + h / 2.0 <= bounds.1
            });
            inside
                && fixed.iter().all(|f| !meet(me, (w, h), (Point { x: f.x, y: f.y }, still), (f.w, f.h), sent, due))
                && placed.iter().all(|(p, other, other_sent, other_due)| {
                    let them = (Point { x: other.0.x + p.offset.x, y: other.0.y + p.offset.y }, other.1);
                    !meet(me, (w, h), them, (p.w, p.h), sent.max(*other_sent), due.min(*other_due))
                })
        };
        if let Some(choice) = choices.into_iter().find(|c| fits(candidate(u, w, h, m.dot_r, *c))) {
            let offset = candidate(u, w, h, m.dot_r, choice);
            placed.push((Placed { id: m.id, offset, choice, w, h }, line, sent, due));
        }
    }
    placed.into_iter().map(|(p, ..)| p).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn p(x: f64, y: f64) -> Point {
        Point { x, y }
    }

    const VIEW: (f64, f64) = (600.0, 600.0);

    fn flight(from: Point, to: Point, sent_us: Micros, due_us: Micros) -> Flight {
        Flight { from, to, gap: 0.0, sent_us, due_us }
    }

    #[test]
    fn widths_grow_with_the_text_and_the_font() {
        assert!(text_width("m", 10.0) > text_width("i", 10.0));
        assert!(text_width("prepare 36.1", 15.0) > text_width("prepare", 15.0));
        assert_eq!(text_width("ab", 20.0), 2.0 * text_width("ab", 10.0) - 2.0);
        // DejaVu Sans, the widest usual face: "vote? t2" is 55.6 px at 15 px.
        assert!(text_width("vote? t2", 15.0) >= 56.0, "{}", text_width("vote? t2", 15.0));
        assert_eq!(text_width("领导者", 10.0), 32.0, "CJK: an em each");
    }

    #[test]
    fn boxes_overlap_only_when_they_share_area() {
        let a = TextBox { x: 0.0, y: 0.0, w: 10.0, h: 10.0 };
        assert!(a.overlaps(&TextBox { x: 9.0, y: 9.0, w: 10.0, h: 10.0 }));
        assert!(!a.overlaps(&TextBox { x: 10.0, y: 0.0, w: 10.0, h: 10.0 }), "touching is not overlapping");
        assert!(!a.overlaps(&TextBox { x: 0.0, y: 11.0, w: 10.0, h: 10.0 }));
    }

    #[test]
    fn a_short_caption_sits_inside_a_long_one_under_the_ring() {
        let c = p(300.0, 300.0);
        let short = node_text(c, 44.0, 3, "L", "t3", None, false);
        let (b, inside) = short.caption.expect("a caption");
        assert!(inside);
        assert!(b.y > short.name.y && !b.overlaps(&short.name) && !short.badge.overlaps(&short.name));
        let long = node_text(c, 44.0, 1, "P", "T1 prepared · 179 ms", None, false);
        let (b, inside) = long.caption.expect("a caption");
        assert!(!inside);
        assert!(b.y - b.h / 2.0 >= c.y + 44.0 + 10.0, "under the timer ring (r + 6, 4 wide): {b:?}");
        let sided = node_text(c, 44.0, 1, "F", "t2", Some("side A"), true);
        let side = sided.side.expect("a side");
        assert!(side.y + side.h / 2.0 <= c.y - 44.0 - 10.0, "above the ring and halo");
        let boxes: Vec<TextBox> = sided.boxes().collect();
        for (i, a) in boxes.iter().enumerate() {
            for b in &boxes[i + 1..] {
                assert!(!a.overlaps(b), "{a:?} {b:?}");
            }
        }
    }

    #[test]
    fn moving_boxes_meet_when_their_paths_cross_at_the_same_time() {
        let still = p(0.0, 0.0);
        // Two boxes sliding towards each other along x meet around t = 5.
        let a = (p(0.0, 0.0), p(1.0, 0.0));
        let b = (p(10.0, 0.0), p(-1.0, 0.0));
        assert!(meet(a, (2.0, 2.0), b, (2.0, 2.0), 0.0, 10.0));
        assert!(!meet(a, (2.0, 2.0), b, (2.0, 2.0), 0.0, 3.0), "not yet by t = 3");
        assert!(!meet(a, (2.0, 2.0), b, (2.0, 2.0), 7.0, 10.0), "past each other after t = 6");
        // Crossing paths at different times never meet.
        let c = (p(5.0, -100.0), p(0.0, 1.0));
        assert!(!meet(a, (2.0, 2.0), c, (2.0, 2.0), 0.0, 10.0));
        assert!(!meet((p(3.0, 3.0), still), (4.0, 4.0), (p(4.0, 4.0), still), (4.0, 4.0), 0.0, 0.0), "an empty interval");
        assert!(meet((p(3.0, 3.0), still), (4.0, 4.0), (p(4.0, 4.0), still), (4.0, 4.0), 0.0, 1.0));
    }

    #[test]
    fn a_request_and_its_reply_put_their_labels_on_opposite_sides() {
        let (a, b) = (p(100.0, 300.0), p(500.0, 300.0));
        let ms = [ToLabel { id: 1, flight: flight(a, b, 0, 1000), text: "vote? t2", dot_r: DOT_R }, ToLabel { id: 2, flight: flight(b, a, 0, 1000), text: "yes t2", dot_r: DOT_R }];
        let placed = place(&ms, &[], VIEW, 0, None, |_| None);
        assert_eq!(placed.len(), 2);
        assert_eq!((placed[0].choice, placed[1].choice), (0, 0), "left of each one's travel");
        assert!(placed[0].offset.y < 0.0 && placed[1].offset.y > 0.0, "{placed:?}");
    }

    #[test]
    fn labels_avoid_each_other_and_fixed_words_and_keep_their_side() {
        let (a, b) = (p(100.0, 300.0), p(500.0, 300.0));
        // Three messages on the same path at the same time: two lanes per side hold them.
        let ms: Vec<ToLabel<'_>> = (1..=5).map(|id| ToLabel { id, flight: flight(a, b, 0, 1000), text: "append 3", dot_r: DOT_R }).collect();
        let placed = place(&ms, &[], VIEW, 0, None, |_| None);
        assert_eq!(placed.iter().map(|p| p.choice).collect::<Vec<_>>(), [0, 1, 2, 3], "the fifth fits nowhere");
        // Words of a server on the first candidate's path push it to the other side.
        let words = TextBox { x: 300.0, y: 300.0 - 25.0, w: 60.0, h: 18.0 };
        let one = place(&ms[..1], &[words], VIEW, 0, None, |_| None);
        assert_eq!(one[0].choice, 1);
        // The choice of the last drawing is kept when it still fits.
        let kept = place(&ms[..1], &[], VIEW, 0, None, |_| Some(3));
        assert_eq!(kept[0].choice, 3);
        // A selected message is placed first, so it gets the first place.
        let sel = place(&ms[..2], &[], VIEW, 0, Some(2), |_| None);
        assert_eq!(sel.iter().find(|p| p.id == 2).map(|p| p.choice), Some(0));
    }

    #[test]
    fn placed_labels_never_overlap_at_any_moment_of_their_flights() {
        // Messages criss-crossing a ring of 5, sent at staggered times.
        let at = geometry::ring_positions(5);
        let mut ms = Vec::new();
        let mut id = 0;
        for i in 0..5 {
            for j in 0..5 {
                if i != j {
                    id += 1;
                    let sent = (id * 7_919 % 50) * 1_000;
                    ms.push(ToLabel { id, flight: Flight { from: at[i], to: at[j], gap: 44.0, sent_us: sent, due_us: sent + 30_000 }, text: "accept 12.5", dot_r: DOT_R });
                }
            }
        }
        let placed = place(&ms, &[], VIEW, 0, None, |_| None);
        assert!(placed.len() >= 10, "{} placed", placed.len());
        for t in (0..80_000).step_by(250) {
            let boxes: Vec<TextBox> = placed
                .iter()
                .filter_map(|pl| {
                    let m = ms.iter().find(|m| m.id == pl.id)?;
                    (m.flight.sent_us <= t && t <= m.flight.due_us).then(|| {
                        let c = m.flight.at(t);
                        TextBox { x: c.x + pl.offset.x, y: c.y + pl.offset.y, w: pl.w, h: pl.h }
                    })
                })
                .collect();
            for (i, a) in boxes.iter().enumerate() {
                for b in &boxes[i + 1..] {
                    assert!(!a.overlaps(b), "at {t} µs: {a:?} and {b:?}");
                }
            }
        }
    }
}
