//! A simulated browser in front of the shortener: it follows redirects and keeps 301 responses in
//! its cache, as real browsers do (RFC 9110 §15.4.2: a 301 is cacheable by default), so the notes'
//! point about 301 against 302 can be measured rather than asserted.
//!
//! A click on a short link asks the service for `/{code}`. A `301 Moved Permanently` is remembered:
//! the next click on the same link goes straight to the long URL without any request, so the
//! service, and its analytics, never see it. A `302 Found` is not remembered, so every click reaches
//! the service and is counted. The browser follows the `Location` header out of the shortener (the
//! long URL's own site is not simulated).

use super::service::{Handled, Request, SHORT_BASE, Service};
use crate::rate_limit::ClientId;
use std::collections::BTreeMap;

/// One click as the browser saw it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Click {
    /// The exchange with the shortener, or `None` when the browser's 301 cache answered.
    pub exchange: Option<(Request, Handled)>,
    /// Where the browser ended up: the long URL, or `None` if the service did not redirect.
    pub destination: Option<String>,
}

impl Click {
    pub fn from_cache(&self) -> bool {
        self.exchange.is_none()
    }
}

/// One browser: a client address and its cache of permanent redirects.
#[derive(Clone, Debug, Default)]
pub struct Browser {
    pub client: ClientId,
    permanent: BTreeMap<String, String>,
}

impl Browser {
    pub fn new(client: ClientId) -> Browser {
        Browser { client, permanent: BTreeMap::new() }
    }

    /// Short URLs whose 301 this browser has cached, with their destination.
    pub fn cached(&self) -> &BTreeMap<String, String> {
        &self.permanent
    }

    /// Forget every cached redirect (what "clear browsing data" does).
    pub fn clear(&mut self) {
        self.permanent.clear();
    }

    /// Open the short link with `code`.
    pub fn click(&mut self, service: &mut Service, code: &str, now_unix_ms: u64) -> Click {
        let short = format!("{SHORT_BASE}{code}");
        if let Some(long) = self.permanent.get(&short) {
            return Click { exchange: None, destination: Some(long.clone()) };
        }
        let request = Request::get(&format!("/{code}"), self.client);
        let handled = service.handle(&request, now_unix_ms);
        let location = handled.response.header("Location").map(str::to_string);
        let destination = match handled.response.status {
            301 | 302 => location,
            _ => None,
        };
        if handled.response.status == 301
            && let Some(long) = &destination
        {
            self.permanent.insert(short, long.clone());
        }
        Click { exchange: Some((request, handled)), destination }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::shortener::service::{Config, Redirect, Scheme};

    const NOW: u64 = 1_656_432_460_105;

    fn clicks_seen(redirect: Redirect) -> (Vec<bool>, u64) {
        let mut s =
            Service::new(Config { scheme: Scheme::HashPrefix { len: 7 }, redirect, ..Config::default() })
                .unwrap();
        s.handle(&Request::shorten("https://example.com/", 1), NOW);
        let mut b = Browser::new(2);
        let mut from_cache = Vec::new();
        for i in 0..3 {
            let click = b.click(&mut s, "rtXtXg3", NOW + i);
            assert_eq!(click.destination.as_deref(), Some("https://example.com/"));
            from_cache.push(click.from_cache());
        }
        (from_cache, s.clicks().get("rtXtXg3").copied().unwrap_or(0))
    }

    #[test]
    fn a_301_is_cached_so_later_clicks_never_reach_the_service() {
        assert_eq!(clicks_seen(Redirect::Permanent), (vec![false, true, true], 1));
        assert_eq!(clicks_seen(Redirect::Found), (vec![false, false, false], 3));
    }

    #[test]
    fn unknown_codes_lead_nowhere_and_are_not_cached() {
        let mut s = Service::new(Config { redirect: Redirect::Permanent, ..Config::default() }).unwrap();
        let mut b = Browser::new(1);
        let click = b.click(&mut s, "nope", NOW);
        assert_eq!(click.destination, None);
        assert_eq!(click.exchange.unwrap().1.response.status, 404);
        assert!(b.cached().is_empty());
    }
}
