//! One person's shortener session, as the page runs it: the service and a browser in front of it,
//! the links the person made (kept in the browser's local storage as plain JSON), the log of every
//! exchange for the request inspector, and the next base62 code worked out in advance.
//!
//! A stored link is the row the service wrote, with the time it was shortened and the scheme that
//! made its code: `{"version":2,"codes":"base62","links":[{"id":"...","code":"...","longUrl":
//! "https://...","atMs":...}]}` (the ID as a string, which JavaScript reads without rounding). A
//! session is rebuilt by loading those rows as they are, so a link keeps its code across a reload,
//! a change of redirect or cache, and the forgetting of other links (re-issuing them would move
//! the snowflake sequence numbers and the salted rehashes of the links that remain). Only another
//! code scheme (a change of setting, or text saved under another scheme) makes new codes: the
//! links' shorten requests are replayed, in order and at their times, into a service with it. Text in the first format (`"version":1`, the shorten
//! requests without their codes) is replayed the same way and saved back in the second.
//!
//! Each loaded link takes a token from the page's bucket at its time, as its shorten request did,
//! so a reload does not hand out a fresh burst; requests that were refused (400) or answered with
//! an existing link (200) are not stored, so the tokens they used are not taken again. A time is
//! read as no later than the page's clock at loading, so a link saved under a clock set ahead
//! cannot hold the service's clock (and its buckets) in the future.
//!
//! Whatever cannot be read or is refused on loading is set aside with its reason, never a panic:
//! text that is not JSON, an entry without a URL or time, a time the IDs cannot hold, a URL the
//! gate refuses (`javascript:` typed into storage by hand), a link that repeats an earlier one.
//! The counters start at zero after loading: they count what happened on this visit.

use super::base62;
use super::browser::Browser;
use super::service::{Config, Request, Response, Row, Scheme, Service, Touched, json_string};
use crate::ids::layout::{Decoded, Layout};
use crate::ids::utc::UtcTime;
use crate::rate_limit::ClientId;
use serde_json::Value;

/// The local-storage key the page keeps the links under, and the key it moves unreadable text to.
pub const STORAGE_KEY: &str = "playground-shortener-links";
pub const SET_ASIDE_KEY: &str = "playground-shortener-links-set-aside";

/// The most links a session keeps (local storage is small and shared by the whole site).
pub const MAX_LINKS: usize = 100;

/// The most exchanges the inspector's log keeps (the newest).
pub const LOG_LEN: usize = 60;

/// The page's own browser: the client address the rate limiter keys on.
pub const PAGE_CLIENT: ClientId = 1;

/// One stored link: the row the service wrote and when.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SavedLink {
    pub id: u64,
    pub code: String,
    /// The long URL in its canonical form (as the service stored it).
    pub long_url: String,
    /// When it was shortened, in Unix milliseconds (the page's clock).
    pub at_ms: u64,
}

impl SavedLink {
    fn row(&self) -> Row {
        Row { id: self.id, code: self.code.clone(), long_url: self.long_url.clone() }
    }
}

/// What stored text holds.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Saved {
    /// Format 1: the shorten requests (canonical long URL, Unix ms); their codes are made again.
    Requests(Vec<(String, u64)>),
    /// Format 2: the links as the service wrote them, with the scheme that made their codes.
    Links { scheme: Scheme, links: Vec<SavedLink> },
}

/// Something stored that was not loaded, and why.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SetAside {
    /// The stored text of the entry (or the URL).
    pub what: String,
    pub reason: String,
}

/// The stored form of `links`, whose codes `scheme` made.
pub fn saved_text(scheme: Scheme, links: &[SavedLink]) -> String {
    let entries: Vec<String> = links
        .iter()
        .map(|l| {
            format!(
                "{{\"id\":\"{}\",\"code\":{},\"longUrl\":{},\"atMs\":{}}}",
                l.id,
                json_string(&l.code),
                json_string(&l.long_url),
                l.at_ms
            )
        })
        .collect();
    format!("{{\"version\":2,\"codes\":{},\"links\":[{}]}}", json_string(&scheme.key()), entries.join(","))
}

/// Reads stored text: the links, and the entries that could not be read. `Err` (with what to do)
/// when the text as a whole is not a saved list.
pub fn parse_saved(text: &str) -> Result<(Saved, Vec<SetAside>), String> {
    let value: Value = serde_json::from_str(text)
        .map_err(|e| format!("The saved links are not valid JSON ({e}), so none could be loaded."))?;
    let version = match value.get("version").and_then(Value::as_u64) {
        Some(v @ (1 | 2)) => v,
        Some(v) => {
            return Err(format!("The saved links are in format version {v}, which this page does not know."));
        }
        None => {
            return Err("The saved text has no format version: it is not this page's list of links.".into());
        }
    };
    let scheme = match version {
        1 => None,
        _ => match value.get("codes").and_then(Value::as_str).and_then(Scheme::from_key) {
            Some(scheme) => Some(scheme),
            None => return Err("The saved text does not say how its codes were made.".to_string()),
        },
    };
    let Some(entries) = value.get("links").and_then(Value::as_array) else {
        return Err("The saved text has no list of links.".to_string());
    };
    let layout = Layout::twitter();
    let (first_ms, last_ms) = (layout.epoch_ms, u64::try_from(layout.last_unix_ms()).unwrap_or(u64::MAX));
    let mut requests = Vec::new();
    let mut links = Vec::new();
    let mut set_aside = Vec::new();
    for entry in entries {
        let long_url = entry.get("longUrl").and_then(Value::as_str);
        let at_ms = entry.get("atMs").and_then(Value::as_u64);
        let id = entry.get("id").and_then(Value::as_str).and_then(|id| id.parse::<u64>().ok());
        let code = entry.get("code").and_then(Value::as_str);
        let reason = match (long_url, at_ms) {
            (Some(_), Some(at_ms)) if !(first_ms..=last_ms).contains(&at_ms) => format!(
                "its \"atMs\" is not a time the IDs can hold (from {} to {})",
                UtcTime::from_unix_ms(first_ms.into()),
                UtcTime::from_unix_ms(last_ms.into())
            ),
            (Some(long_url), Some(at_ms)) => match (scheme, id, code) {
                (None, ..) => {
                    requests.push((long_url.to_string(), at_ms));
                    continue;
                }
                (Some(_), Some(id), Some(code)) => {
                    links.push(SavedLink {
                        id,
                        code: code.to_string(),
                        long_url: long_url.to_string(),
                        at_ms,
                    });
                    continue;
                }
                _ => {
                    "an entry needs an \"id\" (a whole number in a string) and a \"code\" string".to_string()
                }
            },
            _ => "an entry needs a \"longUrl\" string and an \"atMs\" whole number".to_string(),
        };
        set_aside.push(SetAside { what: entry.to_string(), reason });
    }
    let saved = match scheme {
        None => Saved::Requests(requests),
        Some(scheme) => Saved::Links { scheme, links },
    };
    Ok((saved, set_aside))
}

/// The shorten requests that made `links`, to make them again under another code scheme.
fn requests_of(links: &[SavedLink]) -> Vec<(String, u64)> {
    links.iter().map(|l| (l.long_url.clone(), l.at_ms)).collect()
}

/// The first [`MAX_LINKS`] of `items`, and the rest set aside (named by `url`).
fn at_most_max_links<T>(mut items: Vec<T>, url: impl Fn(&T) -> String) -> (Vec<T>, Vec<SetAside>) {
    let rest = items.split_off(items.len().min(MAX_LINKS));
    let set_aside = rest
        .iter()
        .map(|item| SetAside { what: url(item), reason: format!("more than {MAX_LINKS} links are kept") })
        .collect();
    (items, set_aside)
}

/// The `"error"` of a JSON error body.
pub fn error_message(response: &Response) -> Option<String> {
    let value: Value = serde_json::from_str(&response.body).ok()?;
    value.get("error").and_then(Value::as_str).map(str::to_string)
}

/// Who sent a request.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Source {
    /// The shortener form.
    Form,
    /// A click on a short link: the browser asks for `/{code}`.
    Click,
    /// The request builder: method, path and body typed by hand.
    ByHand,
}

impl Source {
    pub fn label(self) -> &'static str {
        match self {
            Source::Form => "form",
            Source::Click => "click",
            Source::ByHand => "by hand",
        }
    }
}

/// One line of the inspector's log.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Entry {
    /// Numbered from 1 on this visit.
    pub n: u64,
    pub at_ms: u64,
    pub source: Source,
    /// The request and the response, or `None` when the browser's 301 cache answered a click.
    pub exchange: Option<(Request, Response)>,
    pub touched: Touched,
    /// For a click: where the browser ended up.
    pub destination: Option<String>,
    /// Anything else the person should know (a link not saved).
    pub note: Option<String>,
}

/// A link as the page lists it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LinkView {
    pub id: u64,
    pub code: String,
    pub short_url: String,
    pub long_url: String,
    pub at_ms: u64,
    /// Clicks analytics counted on this visit.
    pub clicks: u64,
    /// The browser holds a 301 for it: a click will not reach the service.
    pub cached_in_browser: bool,
}

/// What anyone can work out from a base62 snowflake code (the notes: base62 "can be reverse engg
/// to find next id").
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Prediction {
    /// The newest link's code and its ID taken apart (time, data centre, machine, sequence).
    pub latest: Option<(String, Decoded)>,
    /// The code of a link made in the same millisecond as the newest (its ID plus one).
    pub next_same_ms: Option<String>,
    /// The code the next link gets if it is shortened at `now_ms`.
    pub next_now: Option<String>,
    pub now_ms: u64,
}

/// A shortener session.
#[derive(Clone, Debug)]
pub struct Session {
    service: Service,
    browser: Browser,
    saved: Vec<SavedLink>,
    set_aside: Vec<SetAside>,
    log: Vec<Entry>,
    next_n: u64,
}

impl Default for Session {
    /// No links, the default configuration (which is valid: a test says so).
    fn default() -> Session {
        Session::restore(Config::default(), Vec::new(), Browser::new(PAGE_CLIENT))
            .expect("the default configuration is valid")
    }
}

impl Session {
    /// A session around `service`, whose rows are `saved`, behind `browser`.
    fn around(
        mut service: Service,
        saved: Vec<SavedLink>,
        set_aside: Vec<SetAside>,
        browser: Browser,
    ) -> Session {
        service.reset_counters();
        Session { service, browser, saved, set_aside, log: Vec::new(), next_n: 1 }
    }

    /// Loads `links` as they are into a new service with `config`, behind `browser` (kept across
    /// a reconfiguration, as a real browser keeps its cache). `Err` only for an invalid config.
    fn restore(config: Config, links: Vec<SavedLink>, browser: Browser) -> Result<Session, String> {
        let (links, mut set_aside) = at_most_max_links(links, |l| l.long_url.clone());
        let rows = links.iter().map(|l| (l.row(), l.at_ms)).collect();
        let (service, refused) = Service::with_rows(config, rows, PAGE_CLIENT)?;
        let saved = links
            .into_iter()
            .filter(|l| service.row_by_code(&l.code).is_some_and(|r| r.id == l.id))
            .collect();
        set_aside.extend(refused.into_iter().map(|(row, reason)| SetAside { what: row.long_url, reason }));
        Ok(Session::around(service, saved, set_aside, browser))
    }

    /// Replays the shorten `requests` (canonical long URL, Unix ms), in order and at their times,
    /// into a new service with `config`: the links get the codes that config makes.
    fn replay(config: Config, requests: Vec<(String, u64)>, browser: Browser) -> Result<Session, String> {
        let (requests, mut set_aside) = at_most_max_links(requests, |(long_url, _)| long_url.clone());
        let mut service = Service::new(config)?;
        let mut saved = Vec::new();
        for (long_url, at_ms) in requests {
            let response = service.handle(&Request::shorten(&long_url, PAGE_CLIENT), at_ms).response;
            let reason = match response.status {
                201 => match service.rows().find(|r| r.long_url == long_url) {
                    Some(row) => {
                        saved.push(SavedLink { id: row.id, code: row.code.clone(), long_url, at_ms });
                        continue;
                    }
                    None => "the service did not store it".to_string(),
                },
                200 => "it repeats an earlier link".to_string(),
                _ => error_message(&response).unwrap_or(response.status_line()),
            };
            set_aside.push(SetAside { what: long_url, reason });
        }
        Ok(Session::around(service, saved, set_aside, browser))
    }

    /// Reads stored text (or nothing) and loads it, reading every time as no later than `now_ms`
    /// (the page's clock): a session always comes back, with whatever could not be loaded in
    /// [`Session::set_aside`] and, when the text as a whole was unreadable, the reason.
    pub fn load(
        config: Config,
        stored: Option<&str>,
        now_ms: u64,
    ) -> Result<(Session, Option<String>), String> {
        let browser = Browser::new(PAGE_CLIENT);
        let (mut session, mut unread, problem) = match stored.map(parse_saved) {
            None => (Session::restore(config, Vec::new(), browser)?, Vec::new(), None),
            Some(Err(problem)) => (Session::restore(config, Vec::new(), browser)?, Vec::new(), Some(problem)),
            Some(Ok((Saved::Requests(requests), unread))) => {
                let requests = requests.into_iter().map(|(url, at_ms)| (url, at_ms.min(now_ms))).collect();
                (Session::replay(config, requests, browser)?, unread, None)
            }
            Some(Ok((Saved::Links { scheme, mut links }, unread))) => {
                for link in &mut links {
                    link.at_ms = link.at_ms.min(now_ms);
                }
                let session = if scheme == config.scheme {
                    Session::restore(config, links, browser)?
                } else {
                    Session::replay(config, requests_of(&links), browser)?
                };
                (session, unread, None)
            }
        };
        unread.append(&mut session.set_aside);
        session.set_aside = unread;
        Ok((session, problem))
    }

    /// The same links (and browser cache and log) under another configuration: with their codes,
    /// unless the code scheme changed, which makes them again.
    pub fn reconfigure(&self, config: Config) -> Result<Session, String> {
        let browser = self.browser.clone();
        let next = if config.scheme == self.config().scheme {
            Session::restore(config, self.saved.clone(), browser)?
        } else {
            Session::replay(config, requests_of(&self.saved), browser)?
        };
        Ok(self.carried_into(next))
    }

    /// The session without the link `code`; the other links keep their codes.
    pub fn forget(&self, code: &str) -> Result<Session, String> {
        let links = self.saved.iter().filter(|l| l.code != code).cloned().collect();
        Ok(self.carried_into(Session::restore(*self.config(), links, self.browser.clone())?))
    }

    /// `next` with this session's log and what it set aside on loading.
    fn carried_into(&self, mut next: Session) -> Session {
        next.log = self.log.clone();
        next.next_n = self.next_n;
        next.set_aside = self.set_aside.clone();
        next
    }

    /// The session with no links, no log and an empty browser cache.
    pub fn forget_all(&self) -> Result<Session, String> {
        Session::restore(*self.config(), Vec::new(), Browser::new(PAGE_CLIENT))
    }

    pub fn config(&self) -> &Config {
        self.service.config()
    }

    pub fn service(&self) -> &Service {
        &self.service
    }

    pub fn browser(&self) -> &Browser {
        &self.browser
    }

    /// The links kept, oldest first: what goes into storage ([`Session::saved_text`]).
    pub fn saved(&self) -> &[SavedLink] {
        &self.saved
    }

    pub fn saved_text(&self) -> String {
        saved_text(self.config().scheme, &self.saved)
    }

    /// What was stored but not loaded, with the reasons.
    pub fn set_aside(&self) -> &[SetAside] {
        &self.set_aside
    }

    /// The exchanges of this visit, oldest first (the newest [`LOG_LEN`]).
    pub fn log(&self) -> &[Entry] {
        &self.log
    }

    /// The kept links, newest first, with their codes and clicks.
    pub fn links(&self) -> Vec<LinkView> {
        self.saved
            .iter()
            .rev()
            .filter_map(|link| {
                let row = self.service.row_by_code(&link.code)?;
                let short_url = row.short_url();
                Some(LinkView {
                    id: row.id,
                    code: row.code.clone(),
                    cached_in_browser: self.browser.cached().contains_key(&short_url),
                    short_url,
                    long_url: row.long_url.clone(),
                    at_ms: link.at_ms,
                    clicks: self.service.clicks().get(&row.code).copied().unwrap_or(0),
                })
            })
            .collect()
    }

    /// `POST /api/v1/shorten` from the form. A new link is kept, unless [`MAX_LINKS`] are kept
    /// already (then the entry's note says so).
    pub fn shorten(&mut self, long_url: &str, now_ms: u64) -> &Entry {
        let request = Request::shorten(long_url, PAGE_CLIENT);
        self.exchange(Source::Form, request, now_ms)
    }

    /// A request typed by hand.
    pub fn send(&mut self, method: &str, path: &str, body: &str, now_ms: u64) -> &Entry {
        let mut request = Request::get(path, PAGE_CLIENT);
        request.method = method.to_string();
        if !body.is_empty() {
            request.headers.push(("Content-Type".into(), "application/json".into()));
            request.body = body.to_string();
        }
        self.exchange(Source::ByHand, request, now_ms)
    }

    fn exchange(&mut self, source: Source, request: Request, now_ms: u64) -> &Entry {
        let handled = self.service.handle(&request, now_ms);
        let mut note = None;
        // The row just written is the one whose short URL the 201's Location names.
        let written = (handled.response.status == 201)
            .then(|| handled.response.header("Location"))
            .flatten()
            .and_then(|location| self.service.rows().find(|r| r.short_url() == location))
            .cloned();
        if let Some(row) = written {
            if self.saved.len() < MAX_LINKS {
                self.saved.push(SavedLink {
                    id: row.id,
                    code: row.code,
                    long_url: row.long_url,
                    at_ms: now_ms,
                });
            } else {
                note = Some(format!(
                    "Not kept in your list: it holds {MAX_LINKS} links already. Forget some to keep new ones."
                ));
            }
        }
        self.push(Entry {
            n: 0,
            at_ms: now_ms,
            source,
            exchange: Some((request, handled.response)),
            touched: handled.touched,
            destination: None,
            note,
        })
    }

    /// Open the short link `code` in the page's browser (the redirect flow).
    pub fn click(&mut self, code: &str, now_ms: u64) -> &Entry {
        let click = self.browser.click(&mut self.service, code, now_ms);
        let (exchange, touched) = match click.exchange {
            Some((request, handled)) => (Some((request, handled.response)), handled.touched),
            None => (None, Touched::default()),
        };
        self.push(Entry {
            n: 0,
            at_ms: now_ms,
            source: Source::Click,
            exchange,
            touched,
            destination: click.destination,
            note: None,
        })
    }

    /// Forget the browser's cached 301s ("clear browsing data").
    pub fn clear_browser_cache(&mut self) {
        self.browser.clear();
    }

    fn push(&mut self, mut entry: Entry) -> &Entry {
        entry.n = self.next_n;
        self.next_n += 1;
        if self.log.len() >= LOG_LEN {
            self.log.remove(0);
        }
        self.log.push(entry);
        &self.log[self.log.len() - 1]
    }

    /// Under base62 codes: the newest code taken apart and the codes that come next.
    pub fn prediction(&self, now_ms: u64) -> Option<Prediction> {
        if self.config().scheme != Scheme::Base62 {
            return None;
        }
        let layout = Layout::twitter();
        let latest = self.service.rows().max_by_key(|r| r.id);
        Some(Prediction {
            latest: latest.map(|r| (r.code.clone(), layout.decode(r.id))),
            next_same_ms: latest.and_then(|r| r.id.checked_add(1)).map(base62::encode),
            next_now: self.service.peek_next_id(now_ms).map(base62::encode),
            now_ms,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::shortener::service::{Redirect, StoreOp};

    /// The notes' snowflake example time.
    const NOW: u64 = 1_656_432_460_105;

    fn config(scheme: Scheme, redirect: Redirect) -> Config {
        Config { scheme, redirect, ..Config::default() }
    }

    fn codes(s: &Session) -> Vec<String> {
        s.links().into_iter().map(|l| l.code).collect()
    }

    #[test]
    fn stored_text_round_trips_to_the_same_codes() {
        let (mut s, problem) = Session::load(config(Scheme::Base62, Redirect::Found), None, NOW).unwrap();
        assert_eq!(problem, None);
        assert_eq!(s.shorten("https://example.com", NOW).exchange.as_ref().unwrap().1.status, 201);
        assert_eq!(s.shorten("https://example.com/2", NOW + 1500).exchange.as_ref().unwrap().1.status, 201);
        // The same URL again: 200, not a second link.
        assert_eq!(s.shorten("HTTPS://example.com/", NOW + 1600).exchange.as_ref().unwrap().1.status, 200);
        // Newest first: 1.5 s later is 1,500 << 22 = 6,291,456,000 more.
        assert_eq!(codes(&s), ["1PTwYqWd440", "1PTwYk4qKXe"]);
        let text = s.saved_text();
        assert_eq!(
            text,
            r#"{"version":2,"codes":"base62","links":[{"id":"1541815603604623360","code":"1PTwYk4qKXe","longUrl":"https://example.com/","atMs":1656432460105},{"id":"1541815609896079360","code":"1PTwYqWd440","longUrl":"https://example.com/2","atMs":1656432461605}]}"#
        );
        let (again, problem) =
            Session::load(config(Scheme::Base62, Redirect::Found), Some(&text), NOW + 2000).unwrap();
        assert_eq!(problem, None);
        assert_eq!(codes(&again), codes(&s));
        assert_eq!(again.saved_text(), text);
        assert!(again.set_aside().is_empty() && again.log().is_empty());
        // Loading is not counted: this visit starts at zero.
        assert_eq!(again.service().counters().requests, 0);
        // Under hash prefixes the same links get their SHA-1 codes, made again.
        let hashed = again.reconfigure(config(Scheme::HashPrefix { len: 7 }, Redirect::Found)).unwrap();
        assert_eq!(codes(&hashed), ["TTudP49", "rtXtXg3"]);
        assert!(hashed.saved_text().starts_with(
            r#"{"version":2,"codes":"sha1-7","links":[{"id":"1541815603604623360","code":"rtXtXg3""#
        ));
        // Text saved under base62 and opened with hash prefixes is made again the same way.
        let (opened, _) =
            Session::load(config(Scheme::HashPrefix { len: 7 }, Redirect::Found), Some(&text), NOW + 2000)
                .unwrap();
        assert_eq!(opened.saved(), hashed.saved());
    }

    #[test]
    fn the_first_format_is_replayed_and_saved_back_in_the_second() {
        let v1 = r#"{"version":1,"links":[{"longUrl":"https://example.com/","atMs":1656432460105},{"longUrl":"https://example.com/2","atMs":1656432461605}]}"#;
        let (s, problem) = Session::load(Config::default(), Some(v1), NOW + 2000).unwrap();
        assert_eq!((problem, s.set_aside()), (None, &[][..]));
        assert_eq!(codes(&s), ["1PTwYqWd440", "1PTwYk4qKXe"]);
        assert!(
            s.saved_text()
                .starts_with(r#"{"version":2,"codes":"base62","links":[{"id":"1541815603604623360""#)
        );
    }

    #[test]
    fn forgetting_a_link_keeps_the_others_codes() {
        // Three links in one millisecond: sequences 0, 1 and 2.
        let (mut s, _) = Session::load(Config::default(), None, NOW).unwrap();
        for i in 0..3 {
            s.shorten(&format!("https://a.example/{i}"), NOW);
        }
        assert_eq!(codes(&s), ["1PTwYk4qKXg", "1PTwYk4qKXf", "1PTwYk4qKXe"]);
        let forgotten = s.forget("1PTwYk4qKXe").unwrap();
        assert_eq!(codes(&forgotten), ["1PTwYk4qKXg", "1PTwYk4qKXf"]);
        // And after a reload, and a change of redirect.
        let (reloaded, _) =
            Session::load(Config::default(), Some(&forgotten.saved_text()), NOW + 10).unwrap();
        assert_eq!(codes(&reloaded), ["1PTwYk4qKXg", "1PTwYk4qKXf"]);
        let permanent = reloaded.reconfigure(config(Scheme::Base62, Redirect::Permanent)).unwrap();
        assert_eq!(codes(&permanent), ["1PTwYk4qKXg", "1PTwYk4qKXf"]);
        // Under hash prefixes, a/1574 and a/172051 share the 6-symbol code ox5sa1: the second
        // link's salted code stays when the first is forgotten.
        let c = config(Scheme::HashPrefix { len: 6 }, Redirect::Found);
        let (mut h, _) = Session::load(c, None, NOW).unwrap();
        h.shorten("https://a.example/1574", NOW);
        h.shorten("https://a.example/172051", NOW);
        assert_eq!(codes(&h), ["EkCngg", "ox5sa1"]);
        assert_eq!(h.service().counters().collisions, 1);
        assert_eq!(codes(&h.forget("ox5sa1").unwrap()), ["EkCngg"]);
    }

    #[test]
    fn saved_times_cannot_stop_the_service_clock() {
        // 4,000,000,000,000 ms is in 2096, past what the IDs can hold; 1,000 ms is before their epoch.
        for at_ms in [4_000_000_000_000_u64, 1_000] {
            for stored in [
                format!(r#"{{"version":1,"links":[{{"longUrl":"https://late.example/","atMs":{at_ms}}}]}}"#),
                format!(
                    r#"{{"version":2,"codes":"base62","links":[{{"id":"1","code":"1","longUrl":"https://late.example/","atMs":{at_ms}}}]}}"#
                ),
            ] {
                let (mut s, problem) = Session::load(Config::default(), Some(&stored), NOW).unwrap();
                assert_eq!(problem, None);
                assert_eq!(s.set_aside().len(), 1, "{stored}");
                assert_eq!(
                    s.set_aside()[0].reason,
                    "its \"atMs\" is not a time the IDs can hold (from 2010-11-04 01:42:54.657 UTC to 2080-07-10 17:30:30.208 UTC)"
                );
                // The next link is made now, not refused with 503.
                let made = s.shorten("https://example.com/", NOW).clone();
                assert_eq!(made.exchange.unwrap().1.status, 201);
                assert_eq!(codes(&s), ["1PTwYk4qKXe"]);
            }
        }
        // A time in range but after the page's clock (saved under a clock set a day ahead) is
        // read as now: the link keeps its code, and the bucket refills from now, not from tomorrow.
        let tomorrow = NOW + 86_400_000;
        let (mut ahead, _) = Session::load(Config::default(), None, tomorrow).unwrap();
        for i in 0..5 {
            ahead.shorten(&format!("https://a.example/{i}"), tomorrow);
        }
        let (mut s, _) = Session::load(Config::default(), Some(&ahead.saved_text()), NOW).unwrap();
        assert_eq!(codes(&s), codes(&ahead));
        assert_eq!(s.saved()[0].at_ms, NOW);
        assert_eq!(s.shorten("https://example.com/", NOW).exchange.as_ref().unwrap().1.status, 429);
        // One token every 6 s.
        assert_eq!(s.shorten("https://example.com/", NOW + 6000).exchange.as_ref().unwrap().1.status, 201);
    }

    #[test]
    fn unreadable_storage_is_reported_and_bad_entries_set_aside() {
        let c = config(Scheme::Base62, Redirect::Found);
        let (s, problem) = Session::load(c, Some("{not json"), NOW).unwrap();
        assert!(s.links().is_empty());
        assert_eq!(
            problem.as_deref(),
            Some(
                "The saved links are not valid JSON (key must be a string at line 1 column 2), so none could be loaded."
            )
        );
        let (_, problem) = Session::load(c, Some("[1,2]"), NOW).unwrap();
        assert_eq!(
            problem.as_deref(),
            Some("The saved text has no format version: it is not this page's list of links.")
        );
        let (_, problem) = Session::load(c, Some(r#"{"version":3,"links":[]}"#), NOW).unwrap();
        assert_eq!(
            problem.as_deref(),
            Some("The saved links are in format version 3, which this page does not know.")
        );
        let (_, problem) =
            Session::load(c, Some(r#"{"version":2,"codes":"md5-6","links":[]}"#), NOW).unwrap();
        assert_eq!(problem.as_deref(), Some("The saved text does not say how its codes were made."));
        let stored = r#"{"version":2,"codes":"base62","links":[
            {"id":"1541815603604623360","code":"1PTwYk4qKXe","longUrl":"https://example.com/","atMs":1656432460105},
            {"id":"1541815603604623361","code":"1PTwYk4qKXf","longUrl":"javascript:alert(1)","atMs":1656432460105},
            {"longUrl":42,"atMs":1},
            {"id":1541815603604623362,"code":"1PTwYk4qKXg","longUrl":"https://example.net/","atMs":1656432460105},
            {"id":"1541815603604623363","code":"1PTwYk4qKXh","longUrl":"https://example.com/","atMs":1656432460105},
            {"id":"1541815603604623364","code":"1PTwYk4qKXi","longUrl":"https://example.org/","atMs":1656432460105}
        ]}"#;
        let (s, problem) = Session::load(c, Some(stored), NOW).unwrap();
        assert_eq!(problem, None);
        assert_eq!(codes(&s), ["1PTwYk4qKXi", "1PTwYk4qKXe"]);
        let reasons: Vec<(&str, &str)> =
            s.set_aside().iter().map(|a| (a.what.as_str(), a.reason.as_str())).collect();
        assert_eq!(
            reasons,
            [
                (
                    r#"{"atMs":1,"longUrl":42}"#,
                    "an entry needs a \"longUrl\" string and an \"atMs\" whole number"
                ),
                (
                    r#"{"atMs":1656432460105,"code":"1PTwYk4qKXg","id":1541815603604623362,"longUrl":"https://example.net/"}"#,
                    "an entry needs an \"id\" (a whole number in a string) and a \"code\" string"
                ),
                (
                    "javascript:alert(1)",
                    "javascript: links run code in the page that opens them; only http and https links can be shortened."
                ),
                ("https://example.com/", "its URL repeats an earlier link"),
            ]
        );
        // What was loaded is saved back without the bad entries.
        let Ok((Saved::Links { links, .. }, _)) = parse_saved(&s.saved_text()) else {
            panic!("{}", s.saved_text())
        };
        assert_eq!(links.len(), 2);
    }

    #[test]
    fn clicks_go_through_the_browser_and_its_301_cache() {
        let (mut s, _) =
            Session::load(config(Scheme::HashPrefix { len: 7 }, Redirect::Permanent), None, NOW).unwrap();
        s.shorten("https://example.com/", NOW);
        let first = s.click("rtXtXg3", NOW + 10).clone();
        let (request, response) = first.exchange.clone().unwrap();
        assert_eq!(request.text(), "GET /rtXtXg3 HTTP/1.1\nHost: s.example");
        assert_eq!(response.text(), "HTTP/1.1 301 Moved Permanently\nLocation: https://example.com/");
        assert_eq!(first.destination.as_deref(), Some("https://example.com/"));
        assert_eq!(first.touched.store, Some(StoreOp::Read { found: true }));
        let second = s.click("rtXtXg3", NOW + 20).clone();
        assert_eq!((second.exchange, second.destination.as_deref()), (None, Some("https://example.com/")));
        assert_eq!(s.links()[0].clicks, 1);
        assert!(s.links()[0].cached_in_browser);
        // Switching to 302 keeps the browser's cache: the cached link still bypasses the service.
        let mut found = s.reconfigure(config(Scheme::HashPrefix { len: 7 }, Redirect::Found)).unwrap();
        assert!(found.click("rtXtXg3", NOW + 30).exchange.is_none());
        found.clear_browser_cache();
        let third = found.click("rtXtXg3", NOW + 40).clone();
        assert_eq!(third.exchange.unwrap().1.status_line(), "HTTP/1.1 302 Found");
        assert_eq!(found.log().iter().map(|e| e.n).collect::<Vec<_>>(), [1, 2, 3, 4, 5]);
        let unknown = found.click("zzzzzzz", NOW + 50).clone();
        assert_eq!((unknown.exchange.unwrap().1.status, unknown.destination), (404, None));
    }

    #[test]
    fn requests_by_hand_and_forgetting() {
        let (mut s, _) =
            Session::load(config(Scheme::HashPrefix { len: 6 }, Redirect::Found), None, NOW).unwrap();
        let e = s.send("POST", "/api/v1/shorten", "{\"longUrl\":\"https://example.com/\"}", NOW).clone();
        assert_eq!(e.source, Source::ByHand);
        assert_eq!(e.exchange.unwrap().1.status, 201);
        assert_eq!(codes(&s), ["tXtXg3"]);
        let bad = s.send("POST", "/api/v1/shorten", "{\"longUrl\":", NOW).clone();
        let (_, response) = bad.exchange.unwrap();
        assert_eq!(response.status, 400);
        assert!(error_message(&response).unwrap().starts_with("The body is not JSON"));
        let get = s.send("GET", "/api/v1/longUrl?code=tXtXg3", "", NOW).clone();
        assert_eq!(
            get.exchange.unwrap().1.body,
            r#"{"code":"tXtXg3","shortUrl":"https://s.example/tXtXg3","longUrl":"https://example.com/"}"#
        );
        let forgotten = s.forget("tXtXg3").unwrap();
        assert!(forgotten.links().is_empty() && forgotten.saved().is_empty());
        assert_eq!(forgotten.log().len(), 3);
        // What was set aside on loading stays reported until the page is reloaded.
        let (loaded, _) =
            Session::load(Config::default(), Some(r#"{"version":1,"links":[{"longUrl":1}]}"#), NOW).unwrap();
        assert_eq!(loaded.forget("x").unwrap().set_aside().len(), 1);
        assert!(s.forget_all().unwrap().log().is_empty());
    }

    #[test]
    fn the_rate_limiter_answers_429_and_loading_takes_the_saved_links_tokens() {
        let (mut s, _) = Session::load(Config::default(), None, NOW).unwrap();
        for i in 0..5 {
            assert_eq!(
                s.shorten(&format!("https://a.example/{i}"), NOW + i).exchange.as_ref().unwrap().1.status,
                201
            );
        }
        let denied = s.shorten("https://a.example/5", NOW + 10).clone();
        let (_, response) = denied.exchange.unwrap();
        assert_eq!(response.status, 429);
        assert_eq!(response.header("Retry-After"), Some("6"));
        assert_eq!(s.saved().len(), 5);
        // Reloaded a second later, the bucket is still empty: the 5 links took their tokens again.
        let (mut again, _) = Session::load(Config::default(), Some(&s.saved_text()), NOW + 1000).unwrap();
        assert_eq!(again.shorten("https://a.example/5", NOW + 1000).exchange.as_ref().unwrap().1.status, 429);
        assert_eq!(again.service().counters().rate_limited, 1);
    }

    #[test]
    fn base62_codes_are_predicted_before_they_are_made() {
        let (mut s, _) = Session::load(Config::default(), None, NOW).unwrap();
        assert_eq!(s.prediction(NOW).unwrap().next_now.as_deref(), Some("1PTwYk4qKXe"));
        s.shorten("https://example.com/", NOW);
        let p = s.prediction(NOW + 1500).unwrap();
        let (code, decoded) = p.latest.clone().unwrap();
        assert_eq!(code, "1PTwYk4qKXe");
        assert_eq!(decoded.utc.to_string(), "2022-06-28 16:07:40.105 UTC");
        assert_eq!((decoded.field("data centre"), decoded.field("sequence")), (Some(1), Some(0)));
        assert_eq!(p.next_same_ms.as_deref(), Some("1PTwYk4qKXf"));
        assert_eq!(p.next_now.as_deref(), Some("1PTwYqWd440"));
        // And that is the code the next link gets at that time.
        s.shorten("https://example.com/2", NOW + 1500);
        assert_eq!(codes(&s)[0], "1PTwYqWd440");
        let hashed = s.reconfigure(config(Scheme::HashPrefix { len: 7 }, Redirect::Found)).unwrap();
        assert_eq!(hashed.prediction(NOW), None);
    }

    #[test]
    fn the_default_session_is_empty_with_the_default_configuration() {
        let s = Session::default();
        assert_eq!(
            (s.config(), s.links().len(), s.saved_text()),
            (&Config::default(), 0, r#"{"version":2,"codes":"base62","links":[]}"#.to_string())
        );
    }

    #[test]
    fn at_most_max_links_are_kept() {
        let c = Config { scheme: Scheme::HashPrefix { len: 7 }, burst: 1000, ..Config::default() };
        let (mut s, _) = Session::load(c, None, NOW).unwrap();
        for i in 0..MAX_LINKS as u64 {
            s.shorten(&format!("https://a.example/{i}"), NOW + i);
        }
        let over = s.shorten("https://a.example/over", NOW + 500).clone();
        assert_eq!(over.exchange.unwrap().1.status, 201);
        assert!(over.note.unwrap().starts_with("Not kept in your list"));
        assert_eq!(s.saved().len(), MAX_LINKS);
        assert_eq!(s.log().len(), LOG_LEN);
        assert_eq!(s.log()[0].n, (MAX_LINKS + 1 - LOG_LEN) as u64 + 1);
    }
}
