//! The lab's session in Yew: `use_reducer` holds a [`LabState`] (`view::session`, where the
//! reducer's rules live and are tested natively) and this hands it each [`LabAction`].

use std::rc::Rc;

use yew::prelude::*;

pub use crate::view::session::{LabAction, LabState, SPACETIME_WINDOW_US, Selected, SlowPart};

impl Reducible for LabState {
    type Action = LabAction;

    fn reduce(self: Rc<Self>, action: LabAction) -> Rc<Self> {
        // A frame while paused keeps the very same state: nothing to copy or compare.
        if self.ignores(&action) {
            return self;
        }
        let mut s = (*self).clone();
        s.apply(action);
        Rc::new(s)
    }
}

/// The session's copies go to components' props as the `Rc`s they share.
impl<T: ?Sized> yew::html::IntoPropValue<Rc<T>> for crate::view::session::Shared<T> {
    fn into_prop_value(self) -> Rc<T> {
        self.rc()
    }
}

/// A value the page does not redraw for goes to props as itself (the stage draws the time).
impl<T> yew::html::IntoPropValue<T> for crate::view::session::Unseen<T> {
    fn into_prop_value(self) -> T {
        self.0
    }
}
