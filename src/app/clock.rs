//! The stage's clock: the virtual time the moving parts (messages in flight, timer rings,
//! fading drops) are drawn at, and a signal on every animation frame.
//!
//! While playing, most frames change nothing but the time: no event happens, no panel is due.
//! Re-rendering the whole page for that cost most of a frame's script, so the reducer keeps the
//! state it had (nothing the page shows changed; see `LabState`'s `PartialEq`) and only sets
//! this clock; the frame loop then signals the few components that move, and only they render
//! (the same split as a game loop's "simulate, then draw what moved").
//!
//! The messages in flight, which are many and move on every frame, go further:
//! [`use_clock_translate`] sets each one's position directly, without rendering anything,
//! instead of building and diffing their virtual DOM on every frame.

use std::cell::{Cell, RefCell};
use std::fmt;
use std::rc::Rc;

use wasm_bindgen::prelude::*;
use yew::prelude::*;

use crate::sim::Micros;
use crate::view::geometry::Point;

/// A shared clock: cloning shares it; two clocks are equal when they are the same one.
#[derive(Clone, Default)]
pub struct StageClock(Rc<Inner>);

#[derive(Default)]
struct Inner {
    now_us: Cell<Micros>,
    frame: Cell<u64>,
    next_listener: Cell<u64>,
    /// (id, every how many frames, what hears the time).
    listeners: RefCell<Vec<(u64, u64, Callback<Micros>)>>,
}

impl PartialEq for StageClock {
    fn eq(&self, other: &Self) -> bool {
        Rc::ptr_eq(&self.0, &other.0)
    }
}

impl fmt::Debug for StageClock {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "StageClock({} µs)", self.now_us())
    }
}

impl StageClock {
    /// The time to draw at.
    pub fn now_us(&self) -> Micros {
        self.0.now_us.get()
    }

    /// Moves the clock (the reducer, after every action).
    pub fn set(&self, now_us: Micros) {
        self.0.now_us.set(now_us);
    }

    /// An animation frame passed: every listener due on this frame hears the time. A listener
    /// may subscribe or leave while hearing (a render it asks for runs later, in Yew's
    /// scheduler).
    pub fn frame(&self) {
        let frame = self.0.frame.get() + 1;
        self.0.frame.set(frame);
        self.emit(|every| frame.is_multiple_of(every));
    }

    /// The time moved without a frame (a step or a seek while paused, a new state drawn): every
    /// listener hears it.
    pub fn redraw(&self) {
        self.emit(|_| true);
    }

    fn emit(&self, due: impl Fn(u64) -> bool) {
        let now_us = self.now_us();
        let listeners: Vec<Callback<Micros>> = self.0.listeners.borrow().iter().filter(|(_, every, _)| due(*every)).map(|(_, _, cb)| cb.clone()).collect();
        for cb in listeners {
            cb.emit(now_us);
        }
    }

    fn listen(&self, every_frames: u64, cb: Callback<Micros>) -> u64 {
        let id = self.0.next_listener.get();
        self.0.next_listener.set(id + 1);
        self.0.listeners.borrow_mut().push((id, every_frames.max(1), cb));
        id
    }

    fn forget(&self, id: u64) {
        self.0.listeners.borrow_mut().retain(|(i, _, _)| *i != id);
    }
}

/// The clock's time, and a render of the calling component on every `every_frames`-th frame
/// and on redraws (besides the renders its props cause); 0: on none (it has nothing that moves
/// just now).
#[hook]
pub fn use_stage_clock(clock: &StageClock, every_frames: u64) -> Micros {
    let update = use_force_update();
    use_effect_with((clock.clone(), every_frames), move |(clock, every)| {
        let id = (*every > 0).then(|| clock.listen(*every, Callback::from(move |_| update.force_update())));
        let clock = clock.clone();
        move || {
            if let Some(id) = id {
                clock.forget(id);
            }
        }
    });
    clock.now_us()
}

/// Keeps the SVG element behind `node` translated to `at(&data, now)` (to a tenth of a unit)
/// without rendering: when the calling component mounts or `data` changes, on every
/// `every_frames`-th frame of `clock`, and on its redraws. The element's `transform` must not
/// be set in the component's `html!` too: Yew would compare against the value it set last, not
/// the one on the page (and since it is not, Yew's patches leave it alone).
///
/// The position goes in as two numbers, through the element's `transform` list (its one
/// `translate`), not as a `transform="translate(x y)"` string: no string to format and pass
/// to JavaScript, and none for the browser to parse, for each message on each frame.
#[hook]
pub fn use_clock_translate<D>(clock: &StageClock, every_frames: u64, node: &NodeRef, data: D, at: fn(&D, Micros) -> Point)
where
    D: PartialEq + Clone + 'static,
{
    let node = node.clone();
    use_effect_with((clock.clone(), every_frames, data), move |(clock, every, data)| {
        let data = data.clone();
        // Where the element is drawn, in tenths: the same place again (a redraw at the frame's
        // time, a part that has not moved) is not written again.
        let mut shown = None;
        let mut translate: Option<SvgTransform> = None;
        let mut set = move |now_us: Micros| {
            let p = at(&data, now_us);
            let tenths = ((p.x * 10.0).round(), (p.y * 10.0).round());
            if shown == Some(tenths) {
                return;
            }
            if translate.is_none() {
                // The ref is on an SVG element by construction: no `instanceof` check.
                let Some(el) = node.get() else { return };
                let _ = el.unchecked_ref::<web_sys::Element>().set_attribute("transform", "translate(0 0)");
                translate = el.unchecked_ref::<SvgGraphics>().transform().base_val().get_item(0).ok();
            }
            if let Some(t) = &translate {
                t.set_translate((tenths.0 / 10.0) as f32, (tenths.1 / 10.0) as f32);
                shown = Some(tenths);
            }
        };
        set(clock.now_us());
        let set = RefCell::new(set);
        let id = clock.listen(*every, Callback::from(move |now_us| (set.borrow_mut())(now_us)));
        let clock = clock.clone();
        move || clock.forget(id)
    });
}

// The few SVG DOM calls `use_clock_translate` needs, declared here rather than through
// web-sys's features: an element's `transform.baseVal.getItem(0).setTranslate(x, y)`.
#[wasm_bindgen]
extern "C" {
    type SvgGraphics;
    #[wasm_bindgen(method, getter)]
    fn transform(this: &SvgGraphics) -> SvgAnimatedTransformList;
    type SvgAnimatedTransformList;
    #[wasm_bindgen(method, getter, js_name = baseVal)]
    fn base_val(this: &SvgAnimatedTransformList) -> SvgTransformList;
    type SvgTransformList;
    #[wasm_bindgen(method, catch, js_name = getItem)]
    fn get_item(this: &SvgTransformList, index: u32) -> Result<SvgTransform, JsValue>;
    type SvgTransform;
    #[wasm_bindgen(method, js_name = setTranslate)]
    fn set_translate(this: &SvgTransform, x: f32, y: f32);
}

#[cfg(test)]
mod tests {
    use super::*;
    use wasm_bindgen_test::wasm_bindgen_test;

    #[wasm_bindgen_test]
    fn a_frame_reaches_every_listener_until_it_leaves() {
        let clock = StageClock::default();
        let heard = Rc::new(RefCell::new(Vec::new()));
        let a = clock.listen(1, {
            let heard = heard.clone();
            Callback::from(move |t| heard.borrow_mut().push(("a", t)))
        });
        clock.listen(1, {
            let heard = heard.clone();
            Callback::from(move |t| heard.borrow_mut().push(("b", t)))
        });
        clock.set(10);
        clock.frame();
        clock.forget(a);
        clock.set(20);
        clock.frame();
        assert_eq!(*heard.borrow(), vec![("a", 10), ("b", 10), ("b", 20)]);
    }

    #[wasm_bindgen_test]
    fn a_slow_listener_hears_its_frames_and_every_redraw() {
        let clock = StageClock::default();
        let heard = Rc::new(RefCell::new(Vec::new()));
        clock.listen(2, {
            let heard = heard.clone();
            Callback::from(move |t| heard.borrow_mut().push(t))
        });
        for t in 1..=4 {
            clock.set(t);
            clock.frame();
        }
        clock.set(7);
        clock.redraw();
        assert_eq!(*heard.borrow(), vec![2, 4, 7]);
    }

    #[wasm_bindgen_test]
    fn clones_share_the_time_and_are_equal() {
        let clock = StageClock::default();
        let same = clock.clone();
        clock.set(42);
        assert_eq!(same.now_us(), 42);
        assert_eq!(clock, same);
        assert_ne!(clock, StageClock::default());
    }
}
