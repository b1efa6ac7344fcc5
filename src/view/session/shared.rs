//! How the session's copies compare, so that its state can derive `PartialEq` (the page draws
//! again only when it changes) without a hand-written list of fields: a [`Shared`] copy is
//! equal only to itself (the session replaces it when what it holds changed, and keeps it
//! otherwise), and an [`Unseen`] value is equal to any other (the page does not draw it, or
//! draws it through the stage's clock).

use std::fmt;
use std::ops::{Deref, DerefMut};
use std::rc::Rc;

use crate::view::MessageView;

/// Data the page draws, shared by reference: equal only to the same `Rc`, so that comparing
/// two states costs a pointer per copy, whatever the copy holds.
pub struct Shared<T: ?Sized>(Rc<T>);

impl<T> Shared<T> {
    /// A new copy holding `value`.
    pub fn new(value: T) -> Self {
        Shared(Rc::new(value))
    }
}

impl<T: ?Sized> Shared<T> {
    /// The `Rc` itself, for a component's props.
    pub fn rc(&self) -> Rc<T> {
        self.0.clone()
    }
}

impl<T: PartialEq> Shared<T> {
    /// Replaces the copy by `new` unless they hold the same, so that what draws it sees the
    /// same copy and skips drawing.
    pub fn keep_if_same(&mut self, new: T) {
        if *self.0 != new {
            self.0 = Rc::new(new);
        }
    }
}

impl<T: ?Sized> Clone for Shared<T> {
    fn clone(&self) -> Self {
        Shared(self.0.clone())
    }
}

impl<T: ?Sized> PartialEq for Shared<T> {
    fn eq(&self, other: &Self) -> bool {
        Rc::ptr_eq(&self.0, &other.0)
    }
}

impl<T: ?Sized> Deref for Shared<T> {
    type Target = T;
    fn deref(&self) -> &T {
        &self.0
    }
}

impl<T: ?Sized> From<Rc<T>> for Shared<T> {
    fn from(rc: Rc<T>) -> Self {
        Shared(rc)
    }
}

impl<T: Default> Default for Shared<T> {
    fn default() -> Self {
        Shared::new(T::default())
    }
}

impl Default for Shared<str> {
    fn default() -> Self {
        Shared(Rc::from(""))
    }
}

impl<T: ?Sized + fmt::Debug> fmt::Debug for Shared<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.fmt(f)
    }
}

/// A value the page does not redraw for: equal to any other. (The time, which moves on every
/// frame, reaches the stage through its clock; the session's own bookkeeping is not drawn.)
#[derive(Clone, Copy, Debug, Default)]
pub struct Unseen<T>(pub T);

impl<T> PartialEq for Unseen<T> {
    fn eq(&self, _: &Self) -> bool {
        true
    }
}

impl<T> Deref for Unseen<T> {
    type Target = T;
    fn deref(&self) -> &T {
        &self.0
    }
}

impl<T> DerefMut for Unseen<T> {
    fn deref_mut(&mut self) -> &mut T {
        &mut self.0
    }
}

/// The new messages in flight, reusing the `Rc` of every message already drawn (the list is in
/// id order), so that its drawing is not rebuilt.
pub(super) fn reuse_messages(old: &[Rc<MessageView>], new: Vec<MessageView>) -> Vec<Rc<MessageView>> {
    let mut old = old.iter().peekable();
    new.into_iter()
        .map(|m| {
            while old.peek().is_some_and(|o| o.id < m.id) {
                old.next();
            }
            match old.peek() {
                Some(o) if o.id == m.id && ***o == m => Rc::clone(o),
                _ => Rc::new(m),
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_shared_copy_equals_only_itself_and_is_kept_when_the_same() {
        let mut a = Shared::new(vec![1, 2]);
        let b = a.clone();
        assert_eq!(a, b);
        assert_ne!(a, Shared::new(vec![1, 2]), "the same content in another copy differs");
        a.keep_if_same(vec![1, 2]);
        assert_eq!(a, b, "the same content keeps the copy");
        a.keep_if_same(vec![3]);
        assert_ne!(a, b);
        assert_eq!(*a, vec![3]);
    }

    #[test]
    fn unseen_values_never_differ() {
        assert_eq!(Unseen(1), Unseen(2));
        let mut u = Unseen(5);
        *u += 1;
        assert_eq!(u.0, 6);
    }
}
