//! A panic hook that shows a visible error banner with the message instead of a silently dead page
//! (a panic aborts the wasm module, so nothing would update afterwards).

use std::panic;

/// Installs the hook. It also reports the panic to the console, where the browser tests see it.
pub fn install() {
    panic::set_hook(Box::new(|info| {
        let message = info.to_string();
        web_sys::console::error_1(&format!("playground panicked: {message}").into());
        show(&message);
    }));
}

fn show(message: &str) {
    let Some(document) = web_sys::window().and_then(|w| w.document()) else { return };
    let Ok(banner) = document.create_element("div") else { return };
    banner.set_class_name("panic-banner");
    let _ = banner.set_attribute("role", "alert");
    banner.set_text_content(Some(&format!(
        "Something broke inside the playground, and this page has stopped. Reload to start again. \
         Please report what you did and this message: {message}"
    )));
    if let Some(body) = document.body() {
        let _ = body.prepend_with_node_1(&banner);
    }
}
