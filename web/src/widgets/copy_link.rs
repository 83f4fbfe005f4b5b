//! "Copy link": puts the current URL (which holds the page's state) on the clipboard, or, where the
//! clipboard is not available (an insecure origin, a denied permission), shows the link in a field
//! to copy by hand.

use wasm_bindgen_futures::JsFuture;
use yew::prelude::*;

#[derive(Clone, PartialEq)]
enum Status {
    Idle,
    Copied,
    CopyByHand(String),
}

#[function_component(CopyLink)]
pub fn copy_link() -> Html {
    let status = use_state(|| Status::Idle);
    let onclick = {
        let status = status.clone();
        Callback::from(move |_| {
            let Some(window) = web_sys::window() else { return };
            let href = window.location().href().unwrap_or_default();
            let promise = window.navigator().clipboard().write_text(&href);
            let status = status.clone();
            yew::platform::spawn_local(async move {
                match JsFuture::from(promise).await {
                    Ok(_) => status.set(Status::Copied),
                    Err(_) => status.set(Status::CopyByHand(href)),
                }
            });
        })
    };
    html! {
        <div class="copy-link">
            <button type="button" class="secondary" {onclick} title="Copy a link that reopens this page with these exact inputs">
                { "Copy link" }
            </button>
            {
                match &*status {
                    Status::Idle => html! {},
                    Status::Copied => html! { <span class="copy-status" role="status">{ "Copied: the link reopens this exact view." }</span> },
                    Status::CopyByHand(href) => html! {
                        <label class="copy-fallback">
                            { "The clipboard is not available here; copy this link: " }
                            <input type="text" readonly=true value={href.clone()} />
                        </label>
                    },
                }
            }
        </div>
    }
}
