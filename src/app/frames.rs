//! The frame loop: while the lab plays, one `requestAnimationFrame` after another, each
//! advancing the run by the wall time since the last × speed, then signalling the stages'
//! clocks.
//!
//! The loop asks for its next frame itself (the one closure, kept while it runs, as in
//! wasm-bindgen's `request_animation_frame` example) rather than from an effect after each
//! render: most frames no longer render the page at all.

use std::cell::{Cell, RefCell};
use std::rc::{Rc, Weak};

use wasm_bindgen::JsCast;
use wasm_bindgen::closure::Closure;
use yew::UseReducerDispatcher;

use super::clock::StageClock;
use super::state::{LabAction, LabState};
use crate::view::geometry::virtual_advance_us;

/// A frame longer than this (a background tab, a debugger stop) counts as this long, so the
/// clock never jumps far ahead.
const MAX_FRAME_MS: f64 = 100.0;

/// A running loop; dropping it stops it.
pub struct FrameLoop(Rc<Inner>);

struct Inner {
    // The dispatcher, not a handle: a handle keeps every state it has read, and this one
    // would read one per frame for as long as the run plays.
    lab: UseReducerDispatcher<LabState>,
    speed: f64,
    clocks: [StageClock; 2],
    /// Dropped: no further frame is asked for.
    stopped: Cell<bool>,
    last_ts: Cell<Option<f64>>,
    /// The pending request, to cancel on drop.
    pending: Cell<Option<i32>>,
    callback: RefCell<Option<OnFrame>>,
}

/// What the browser calls on each animation frame, with its timestamp.
type OnFrame = Closure<dyn FnMut(f64)>;

impl FrameLoop {
    /// Starts advancing `lab` at `speed` (virtual time per wall time), signalling `clocks`
    /// after each frame.
    pub fn start(lab: UseReducerDispatcher<LabState>, speed: f64, clocks: [StageClock; 2]) -> FrameLoop {
        let inner = Rc::new(Inner { lab, speed, clocks, stopped: Cell::new(false), last_ts: Cell::new(None), pending: Cell::new(None), callback: RefCell::new(None) });
        // The closure holds the loop weakly: the loop owns the closure, and dropping the loop
        // ends both.
        let weak: Weak<Inner> = Rc::downgrade(&inner);
        let callback = Closure::<dyn FnMut(f64)>::new(move |ts: f64| {
            if let Some(inner) = weak.upgrade() {
                inner.on_frame(ts);
            }
        });
        *inner.callback.borrow_mut() = Some(callback);
        inner.request();
        FrameLoop(inner)
    }
}

impl Inner {
    fn request(&self) {
        let id = self.callback.borrow().as_ref().and_then(|cb| web_sys::window().and_then(|w| w.request_animation_frame(cb.as_ref().unchecked_ref()).ok()));
        self.pending.set(id);
    }

    fn on_frame(&self, ts: f64) {
        self.pending.set(None);
        let dt_ms = self.last_ts.get().map_or(0.0, |last| (ts - last).clamp(0.0, MAX_FRAME_MS));
        self.last_ts.set(Some(ts));
        self.lab.dispatch(LabAction::Tick(virtual_advance_us(dt_ms, self.speed, u64::MAX)));
        for clock in &self.clocks {
            clock.frame();
        }
        // A frame that paused the run (a breakpoint, a broken invariant) ends the loop: the
        // render it causes drops it, before this point or after (then the drop cancels the
        // request).
        if !self.stopped.get() {
            self.request();
        }
    }
}

impl Drop for FrameLoop {
    fn drop(&mut self) {
        self.0.stopped.set(true);
        if let (Some(id), Some(window)) = (self.0.pending.take(), web_sys::window()) {
            let _ = window.cancel_animation_frame(id);
        }
        // Dropped from inside its own frame (the Tick paused the run and the page re-rendered),
        // the closure outlives this: the frame holds the loop until it returns, and
        // wasm-bindgen frees a closure dropped while it runs only once it has returned.
    }
}
