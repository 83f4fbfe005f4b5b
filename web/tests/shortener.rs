//! The URL shortener inside headless Chromium (wasm32): stored links replay to the codes the native
//! tests pin (snowflake base62 and SHA-1 prefixes), IDNs are stored in the same punycode form, and
//! the page renders from its URL query with unreadable local storage reported, not a crash.

use playground_core::shortener::session::{STORAGE_KEY, Session};
use playground_core::shortener::{Config, Redirect, Scheme, validate};
use playground_web::app::App;
use wasm_bindgen::JsCast;
use wasm_bindgen_test::*;
use web_sys::HtmlElement;

wasm_bindgen_test_configure!(run_in_browser);

/// The notes' snowflake example time.
const NOW: u64 = 1_656_432_460_105;

#[wasm_bindgen_test]
fn stored_links_replay_to_the_native_codes() {
    let stored = format!(
        r#"{{"version":1,"links":[{{"longUrl":"https://example.com/","atMs":{NOW}}},{{"longUrl":"https://example.com/2","atMs":{}}}]}}"#,
        NOW + 1500
    );
    let codes = |scheme| {
        let config = Config { scheme, redirect: Redirect::Found, ..Config::default() };
        let (session, problem) = Session::load(config, Some(&stored), NOW + 1500).unwrap();
        assert_eq!(problem, None);
        session.links().into_iter().map(|l| l.code).collect::<Vec<_>>()
    };
    assert_eq!(codes(Scheme::Base62), ["1PTwYqWd440", "1PTwYk4qKXe"]);
    assert_eq!(codes(Scheme::HashPrefix { len: 7 })[1], "rtXtXg3");
    assert_eq!(
        validate::check("https://münchen.de/straße").as_deref(),
        Ok("https://xn--mnchen-3ya.de/stra%C3%9Fe")
    );
    assert!(validate::check("javascript:alert(1)").is_err());
}

#[wasm_bindgen_test]
async fn the_page_renders_and_reports_unreadable_storage() {
    let window = web_sys::window().unwrap();
    let storage = window.local_storage().unwrap().unwrap();
    storage.set_item(STORAGE_KEY, "{not json").unwrap();
    window.location().set_hash("#/shortener?codes=sha1-7").unwrap();
    let document = window.document().unwrap();
    let root = document.create_element("div").unwrap();
    document.body().unwrap().append_child(&root).unwrap();
    let handle = yew::Renderer::<App>::with_root(root.clone()).render();
    yew::scheduler::flush().await;
    let text = |selector: &str| {
        root.query_selector(selector)
            .unwrap()
            .map(|n| n.unchecked_into::<HtmlElement>().text_content().unwrap_or_default())
            .unwrap_or_default()
    };
    assert!(text("#estimate .big-figure").starts_with("3,521,614,606,208"), "{}", text("#estimate"));
    assert!(
        text(".sh-storage-problem").contains("The saved links are not valid JSON"),
        "{}",
        text(".sh-storage-problem")
    );
    assert_eq!(text(".sh-codes h3"), "Hash-prefix codes");
    assert_eq!(
        storage.get_item("playground-shortener-links-set-aside").unwrap().as_deref(),
        Some("{not json")
    );
    handle.destroy();
    root.remove();
    storage.remove_item(STORAGE_KEY).unwrap();
}
