//! The stage's clock: the virtual time the moving parts (messages in flight, timer rings,
//! fading drops) are drawn at, and a signal on every animation frame.
//!
//! While playing, most frames change nothing but the time: no event happens, no panel is due.
//! Re-rendering the whole page for that cost most of a frame's script, so the reducer keeps the
//! state it had (nothing the page shows changed; see `LabState`'s `PartialEq`) and only sets
//! this clock; the frame loop then signals the few components that move, and only they render
//! (the same split as a game loop's "simulate, then draw what moved").

use std::cell::{Cell, RefCell};
use std::fmt;
use std::rc::Rc;

use yew::prelude::*;

use crate::sim::Micros;

/// A shared clock: cloning shares it; two clocks are equal when they are the same one.
#[derive(Clone, Default)]
pub struct StageClock(Rc<Inner>);

#[derive(Default)]
struct Inner {
    now_us: Cell<Micros>,
    frame: Cell<u64>,
    next_listener: Cell<u64>,
    listeners: RefCell<Vec<(u64, Callback<u64>)>>,
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

    /// An animation frame passed: every listener hears its number. A listener may subscribe
    /// or leave while hearing (a render it asks for runs later, in Yew's scheduler).
    pub fn frame(&self) {
        let frame = self.0.frame.get() + 1;
        self.0.frame.set(frame);
        let listeners: Vec<Callback<u64>> = self.0.listeners.borrow().iter().map(|(_, cb)| cb.clone()).collect();
        for cb in listeners {
            cb.emit(frame);
        }
    }

    fn listen(&self, cb: Callback<u64>) -> u64 {
        let id = self.0.next_listener.get();
        self.0.next_listener.set(id + 1);
        self.0.listeners.borrow_mut().push((id, cb));
        id
    }

    fn forget(&self, id: u64) {
        self.0.listeners.borrow_mut().retain(|(i, _)| *i != id);
    }
}

/// The clock's time, and a render of the calling component on every `every_frames`-th frame
/// (besides the renders its props cause); 0: on none (it has nothing that moves just now).
#[hook]
pub fn use_stage_clock(clock: &StageClock, every_frames: u64) -> Micros {
    let update = use_force_update();
    use_effect_with((clock.clone(), every_frames), move |(clock, every)| {
        let every = *every;
        let id = (every > 0).then(|| {
            clock.listen(Callback::from(move |frame: u64| {
                if frame % every == 0 {
                    update.force_update();
                }
            }))
        });
        let clock = clock.clone();
        move || {
            if let Some(id) = id {
                clock.forget(id);
            }
        }
    });
    clock.now_us()
}

#[cfg(test)]
mod tests {
    use super::*;
    use wasm_bindgen_test::wasm_bindgen_test;

    #[wasm_bindgen_test]
    fn a_frame_reaches_every_listener_until_it_leaves() {
        let clock = StageClock::default();
        let heard = Rc::new(RefCell::new(Vec::new()));
        let a = clock.listen({ let heard = heard.clone(); Callback::from(move |f| heard.borrow_mut().push(("a", f))) });
        clock.listen({ let heard = heard.clone(); Callback::from(move |f| heard.borrow_mut().push(("b", f))) });
        clock.frame();
        clock.forget(a);
        clock.frame();
        assert_eq!(*heard.borrow(), vec![("a", 1), ("b", 1), ("b", 2)]);
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
