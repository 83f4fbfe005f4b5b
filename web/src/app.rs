//! The app shell: hash routes (one per page, deep-linkable on a static host), the header with
//! navigation and the theme toggle, and the page switch.

use crate::pages;
use crate::theme::{self, Theme};
use yew::prelude::*;
use yew_router::prelude::*;

/// Every page of the playground. Add a variant here, a match arm in `switch`, and an entry in
/// `pages::SYSTEMS` for the home page's card and the navigation.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Routable)]
pub enum Route {
    #[at("/")]
    Home,
    #[at("/estimate")]
    Estimate,
    #[at("/rate-limit")]
    RateLimit,
    #[at("/hashing")]
    Hashing,
    #[at("/ids")]
    Ids,
    #[at("/shortener")]
    Shortener,
    #[at("/kv-store")]
    KvStore,
    #[at("/bloom")]
    Bloom,
    #[not_found]
    #[at("/404")]
    NotFound,
}

fn switch(route: Route) -> Html {
    match route {
        Route::Home => html! { <pages::home::Home /> },
        Route::Estimate => html! { <pages::estimate::EstimatePage /> },
        Route::RateLimit => html! { <pages::rate_limit::RateLimitPage /> },
        Route::Hashing => html! { <pages::hashing::HashingPage /> },
        Route::Ids => html! { <pages::ids::IdsPage /> },
        Route::Shortener => html! { <pages::shortener::ShortenerPage /> },
        Route::KvStore => html! { <pages::kv_store::KvStorePage /> },
        Route::Bloom => html! { <pages::bloom::BloomPage /> },
        Route::NotFound => html! { <pages::not_found::NotFound /> },
    }
}

#[function_component(App)]
pub fn app() -> Html {
    html! {
        <HashRouter>
            <Header />
            <main id="main" tabindex="-1">
                <Switch<Route> render={switch} />
            </main>
            <footer class="site-footer">
                <p>
                    { "Every figure on these pages is computed in your browser by the playground's Rust core, \
                       from the design notes it is built on. Nothing is sent anywhere." }
                </p>
            </footer>
        </HashRouter>
    }
}

#[function_component(Header)]
fn header() -> Html {
    let theme = use_state(theme::current);
    {
        let theme = *theme;
        use_effect_with((), move |_| theme::apply(theme));
    }
    let toggle = {
        let theme = theme.clone();
        Callback::from(move |_| {
            let next = theme.other();
            theme::choose(next);
            theme.set(next);
        })
    };
    let route = use_route::<Route>().unwrap_or(Route::NotFound);
    let (toggle_label, toggle_text) = match *theme {
        Theme::Light => ("Switch to the dark theme", "Dark"),
        Theme::Dark => ("Switch to the light theme", "Light"),
    };
    html! {
        <header class="site-header">
            <a class="skip-link" href="#main">{ "Skip to content" }</a>
            <Link<Route> to={Route::Home} classes="brand">
                <span class="brand-mark" aria-hidden="true">{ "◎" }</span>
                { "System Design Playground" }
            </Link<Route>>
            <nav aria-label="Systems">
                <ul class="nav-list">
                    { for pages::SYSTEMS.iter().map(|s| {
                        let current = s.route == route;
                        html! {
                            <li>
                                <Link<Route> to={s.route} classes={classes!("nav-link", current.then_some("current"))}>
                                    { s.short }
                                </Link<Route>>
                            </li>
                        }
                    }) }
                </ul>
            </nav>
            <button class="theme-toggle" type="button" onclick={toggle} title={toggle_label} aria-label={toggle_label}>
                { toggle_text }
            </button>
        </header>
    }
}
