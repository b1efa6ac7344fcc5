//! Whether the screen is narrow (a phone held upright): a load balancer's fan then narrows to a
//! square ([`Layout::FanNarrow`]), so that its words are drawn half as large again as the wide
//! fan's would be at that width. The browser tells when the answer changes (a phone turned).

use gloo::events::EventListener;
use yew::prelude::*;

use crate::view::geometry::Layout;

/// Where the narrow fan starts: the wide one at this width draws its words at two thirds of
/// their size on a laptop, still readable.
const NARROW: &str = "(max-width: 600px)";

fn query() -> Option<web_sys::MediaQueryList> {
    web_sys::window()?.match_media(NARROW).ok().flatten()
}

/// Whether the screen is narrow now (see the module doc), following changes of its width.
#[hook]
pub fn use_narrow_screen() -> bool {
    let narrow = use_state_eq(|| query().is_some_and(|q| q.matches()));
    {
        let narrow = narrow.clone();
        use_effect_with((), move |_| {
            let listener = query().map(|q| {
                let target = q.clone();
                EventListener::new(&target, "change", move |_| narrow.set(q.matches()))
            });
            move || drop(listener)
        });
    }
    *narrow
}

/// `layout` as a screen, narrow or not, draws it.
pub fn screen_layout(layout: Layout, narrow: bool) -> Layout {
    if narrow { layout.narrow() } else { layout }
}
