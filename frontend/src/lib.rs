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

/// Room for wasm-split to lay out the static data again when it moves each page's data into that
/// page's chunk: it gives up, keeping all data in the main module (loaded by every page), when
/// the data segment grows by even a few bytes of alignment padding. Nothing reads these bytes,
/// so the splitter emits them in no module; they only make the input segment longer.
#[used]
static SPLIT_SLACK: [u8; 4096] = [0x5a; 4096];
