//! Page state in the URL: every page keeps its inputs in the query of the hash route
//! (`#/estimate?dau=...`), so a view is a link that reloads to the same place on a static host.

use std::collections::BTreeMap;
use yew::prelude::*;
use yew_router::prelude::*;

/// The query of the current route as key/value pairs (empty when absent or unreadable).
pub type Query = BTreeMap<String, String>;

/// The current route's query, and a callback that replaces it (without adding a history entry,
/// so typing in a field does not fill the back button).
#[hook]
pub fn use_query_state<R: Routable + 'static>(route: R) -> (Query, Callback<Query>) {
    let location = use_location();
    let navigator = use_navigator();
    let query = location.and_then(|l| l.query::<Query>().ok()).unwrap_or_default();
    let set = Callback::from(move |next: Query| {
        if let Some(navigator) = &navigator {
            let _ = navigator.replace_with_query(&route, &next);
        }
    });
    (query, set)
}
