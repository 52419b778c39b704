//! What the customer's browser knows about their language: names of countries and currencies
//! from `Intl.DisplayNames` (not in js-sys yet), so the bundle carries codes, not name tables.

use js_sys::{Array, Function, Object, Reflect};
use wasm_bindgen::{JsCast, JsValue};

/// The browser's name, in its language, for a code of `kind` (`"region"`, `"currency"`), or
/// nothing on a browser without `Intl.DisplayNames`.
pub fn display_names(kind: &str) -> impl Fn(&str) -> Option<String> {
    let display = (|| {
        let intl = Reflect::get(&js_sys::global(), &"Intl".into()).ok()?;
        let constructor = Reflect::get(&intl, &"DisplayNames".into()).ok()?.dyn_into::<Function>().ok()?;
        let options = Object::new();
        Reflect::set(&options, &"type".into(), &kind.into()).ok()?;
        Reflect::construct(&constructor, &Array::of2(&Array::new(), &options)).ok()
    })();
    move |code| {
        let display = display.as_ref()?;
        let of = Reflect::get(display, &"of".into()).ok()?.dyn_into::<Function>().ok()?;
        of.call1(display, &JsValue::from_str(code)).ok()?.as_string()
    }
}
