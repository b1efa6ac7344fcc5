//! The stage's clock: the virtual time the moving parts (messages in flight, timer rings,
//! fading drops) are drawn at, and a signal on every animation frame.
//!
//! While playing, most frames change nothing but the time: no event happens, no panel is due.
//! Re-rendering the whole page for that cost most of a frame's script, so the session keeps
//! the state it had (nothing the page shows changed: see [`super::session::LabState`]) and only
//! sets this clock; the frame loop then signals the few parts of the page that move, and only
//! they draw (the same split as a game loop's "simulate, then draw what moved"). The hooks
//! that subscribe a component are the app's (`app::clock`).

use std::cell::{Cell, RefCell};
use std::fmt;
use std::rc::Rc;

use crate::sim::Micros;

/// What hears the time.
type Listener = Rc<dyn Fn(Micros)>;

/// A shared clock: cloning shares it; two clocks are equal when they are the same one.
#[derive(Clone, Default)]
pub struct StageClock(Rc<Inner>);

#[derive(Default)]
struct Inner {
    now_us: Cell<Micros>,
    frame: Cell<u64>,
    next_listener: Cell<u64>,
    /// (id, every how many frames, what hears the time).
    listeners: RefCell<Vec<(u64, u64, Listener)>>,
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
        let listeners: Vec<Listener> = self.0.listeners.borrow().iter().filter(|(_, every, _)| due(*every)).map(|(_, _, l)| l.clone()).collect();
        for hear in listeners {
            hear(now_us);
        }
    }

    /// Adds a listener that hears the time on every `every_frames`-th frame and on every
    /// redraw; returns its id, for [`StageClock::forget`].
    pub fn listen(&self, every_frames: u64, hear: impl Fn(Micros) + 'static) -> u64 {
        let id = self.0.next_listener.get();
        self.0.next_listener.set(id + 1);
        self.0.listeners.borrow_mut().push((id, every_frames.max(1), Rc::new(hear)));
        id
    }

    /// Removes a listener.
    pub fn forget(&self, id: u64) {
        self.0.listeners.borrow_mut().retain(|(i, _, _)| *i != id);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_frame_reaches_every_listener_until_it_leaves() {
        let clock = StageClock::default();
        let heard = Rc::new(RefCell::new(Vec::new()));
        let a = clock.listen(1, {
            let heard = heard.clone();
            move |t| heard.borrow_mut().push(("a", t))
        });
        clock.listen(1, {
            let heard = heard.clone();
            move |t| heard.borrow_mut().push(("b", t))
        });
        clock.set(10);
        clock.frame();
        clock.forget(a);
        clock.set(20);
        clock.frame();
        assert_eq!(*heard.borrow(), vec![("a", 10), ("b", 10), ("b", 20)]);
    }

    #[test]
    fn a_slow_listener_hears_its_frames_and_every_redraw() {
        let clock = StageClock::default();
        let heard = Rc::new(RefCell::new(Vec::new()));
        clock.listen(2, {
            let heard = heard.clone();
            move |t| heard.borrow_mut().push(t)
        });
        for t in 1..=4 {
            clock.set(t);
            clock.frame();
        }
        clock.set(7);
        clock.redraw();
        assert_eq!(*heard.borrow(), vec![2, 4, 7]);
    }

    #[test]
    fn clones_share_the_time_and_are_equal() {
        let clock = StageClock::default();
        let same = clock.clone();
        clock.set(42);
        assert_eq!(same.now_us(), 42);
        assert_eq!(clock, same);
        assert_ne!(clock, StageClock::default());
    }
}
