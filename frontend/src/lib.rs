//! The hydrate shim: the browser's entry point. It hydrates the server-rendered page, then marks
//! `<body data-hydrated="true">` so end-to-end tests (and people debugging) know the page is live.

use wasm_bindgen::prelude::wasm_bindgen;

#[wasm_bindgen]
pub fn hydrate() {
    console_error_panic_hook::set_once();
    leptos::mount::hydrate_body(app::App);
    if let Some(body) = web_sys::window()
        .and_then(|w| w.document())
        .and_then(|d| d.body())
    {
        let _ = body.set_attribute("data-hydrated", "true");
    }
}
