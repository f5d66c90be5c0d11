#![recursion_limit = "512"]
//! The hydrate shim: the browser's entry point. It hydrates the server-rendered page, loading the
//! WASM chunk of the current page first when that page is split out (lazy routes), then marks
//! `<body data-hydrated="true">` so end-to-end tests (and people debugging) know the page is live.

use wasm_bindgen::prelude::wasm_bindgen;

#[wasm_bindgen]
pub fn hydrate() {
    console_error_panic_hook::set_once();
    let Some(body) = web_sys::window()
        .and_then(|w| w.document())
        .and_then(|d| d.body())
    else {
        return;
    };
    wasm_bindgen_futures::spawn_local(async move {
        let app = leptos::mount::hydrate_from_async(body.clone(), app::App).await;
        app.forget();
        let _ = body.set_attribute("data-hydrated", "true");
    });
}
