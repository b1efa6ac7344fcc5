//! The hooks by which components follow the stage's clock ([`StageClock`], in `view::clock`):
//! a render on some frames ([`use_stage_clock`]), or no render at all.
//!
//! The messages in flight, which are many and move on every frame, go further:
//! [`use_clock_translate`] sets each one's position directly, without rendering anything,
//! instead of building and diffing their virtual DOM on every frame.

use std::cell::RefCell;

use wasm_bindgen::prelude::*;
use yew::prelude::*;

use crate::sim::Micros;
pub use crate::view::clock::StageClock;
use crate::view::geometry::Point;

/// The clock's time, and a render of the calling component on every `every_frames`-th frame
/// and on redraws (besides the renders its props cause); 0: on none (it has nothing that moves
/// just now).
#[hook]
pub fn use_stage_clock(clock: &StageClock, every_frames: u64) -> Micros {
    let update = use_force_update();
    use_effect_with((clock.clone(), every_frames), move |(clock, every)| {
        let id = (*every > 0).then(|| clock.listen(*every, move |_| update.force_update()));
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
        let id = clock.listen(*every, move |now_us| (set.borrow_mut())(now_us));
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
