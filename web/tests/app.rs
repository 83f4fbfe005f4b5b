//! The web app mounted in headless Chromium (wasm-bindgen-test): the shell renders its cards, the
//! estimate page computes from its URL query, and a bad value shows its message instead of a result.

use playground_web::app::App;
use wasm_bindgen::JsCast;
use wasm_bindgen_test::*;
use web_sys::{Element, HtmlElement};

wasm_bindgen_test_configure!(run_in_browser);

/// Mounts the app at `hash` in a fresh element and returns it once rendered.
async fn mount(hash: &str) -> (Element, yew::AppHandle<App>) {
    let window = web_sys::window().unwrap();
    window.location().set_hash(hash).unwrap();
    let document = window.document().unwrap();
    let root = document.create_element("div").unwrap();
    document.body().unwrap().append_child(&root).unwrap();
    let handle = yew::Renderer::<App>::with_root(root.clone()).render();
    yew::scheduler::flush().await;
    (root, handle)
}

fn texts(root: &Element, selector: &str) -> Vec<String> {
    let list = root.query_selector_all(selector).unwrap();
    (0..list.length())
        .filter_map(|i| list.item(i))
        .map(|n| n.unchecked_into::<HtmlElement>().text_content().unwrap_or_default().trim().to_string())
        .collect()
}

/// The value cell of the worked estimate's row with this label.
fn step_value(root: &Element, label: &str) -> Option<String> {
    let rows = root.query_selector_all("table.steps tr").unwrap();
    (0..rows.length()).filter_map(|i| rows.item(i)).map(|n| n.unchecked_into::<Element>()).find_map(|row| {
        let th = row.query_selector("th").ok().flatten()?.text_content()?;
        (th == label).then(|| row.query_selector("td.value").ok().flatten()?.text_content()).flatten()
    })
}

#[wasm_bindgen_test]
async fn home_has_a_card_per_system_page() {
    let (root, handle) = mount("#/").await;
    let cards = texts(&root, ".cards h3");
    assert_eq!(cards.len(), playground_web::pages::SYSTEMS.len());
    assert!(cards.contains(&"Capacity estimation".to_string()), "{cards:?}");
    assert_eq!(
        texts(&root, "ol.framework li strong"),
        ["Understand the problem", "Estimate", "High-level design", "Deep dive", "Summarize"]
    );
    handle.destroy();
    root.remove();
}

#[wasm_bindgen_test]
async fn estimate_page_computes_from_the_url() {
    let (root, handle) = mount("#/estimate?dau=1000000&rpu=1&rw=0:1&peak=2&size=1%20KB&years=1&rf=3").await;
    assert_eq!(step_value(&root, "Average QPS").as_deref(), Some("11.57 requests/s"));
    assert_eq!(step_value(&root, "Storage, all copies").as_deref(), Some("1.1 TB"));
    assert_eq!(step_value(&root, "Peak write QPS").as_deref(), Some("23.15/s"));
    handle.destroy();
    root.remove();
}

#[wasm_bindgen_test]
async fn estimate_page_explains_bad_input() {
    let (root, handle) = mount("#/estimate?dau=-5&size=huge").await;
    assert_eq!(
        texts(&root, ".field-error"),
        [
            "✕ Enter a whole number of users from 0 to 10^12.",
            "✕ Enter a size from 0 B to 1 TB, like 500, 100 B, 2 KB or 1.5 MB."
        ]
    );
    assert_eq!(step_value(&root, "Average QPS"), None);
    assert_eq!(texts(&root, ".results.blocked"), ["✕ Fix the 2 fields marked above to see the estimate."]);
    handle.destroy();
    root.remove();
}
