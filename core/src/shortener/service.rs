//! The URL shortener as a simulated HTTP service: the notes' three endpoints over the store
//! `URL_table(id, shortURL, longURL)`, an LRU cache in front of it, a per-client rate limit on
//! shortening and click analytics (the notes, "URL Shortener": API design and design pointers 1-5).
//!
//! Requests and responses are plain values (method, path, headers, body), so the page can show
//! every exchange the way an API client does, and tests can assert them byte for byte:
//! - `POST /api/v1/shorten` with `{"longUrl": "..."}`: `201 Created` and the short URL for a new
//!   link, `200 OK` with the same short URL for a link already stored (shortening is idempotent),
//!   `400 Bad Request` with a message for a body that is not that JSON or a URL that is refused
//!   (see [`super::validate`]), `429 Too Many Requests` with `Retry-After` when the client's token
//!   bucket is empty (the rate-limiting module decides and writes the headers).
//! - `GET /api/v1/longUrl?code=...` (or `?shortUrl=...`): `200 OK` with the long URL, `404 Not
//!   Found` with a JSON error for an unknown code. Not a click: analytics do not count it.
//! - `GET /{code}`: `301 Moved Permanently` or `302 Found` (by configuration) with a `Location`
//!   header; a click, counted by analytics. The stored URL is checked again before it is sent, and
//!   a row that fails the check is answered `403 Forbidden` instead of being redirected to.
//!
//! Codes are made one of two ways (the notes' pointers 1 and 2). **Base62**: the row's unique ID
//! from a snowflake generator (the unique-ID module) written in base62: collision-free, but two-way,
//! so whoever sees one code can compute its neighbours. **Hash prefix**: SHA-1 of the long URL, the
//! first 8 bytes read as a number modulo 62^len and written in exactly `len` base62 symbols (6 or
//! 7). Different URLs can get the same prefix: the store is checked, and on a collision the URL is
//! hashed again with a salt appended (a NUL byte and the attempt number), and the retry counted.

use super::base62;
use super::lru::Lru;
use super::validate;
use crate::ids::layout::Layout;
use crate::ids::snowflake::{ClockPolicy, Next, Snowflake};
use crate::rate_limit::{ClientId, Keyed, Limiter, Rate, TokenBucket};
use serde::{Deserialize, Serialize};
use sha1::{Digest, Sha1};
use std::collections::BTreeMap;

/// The short domain (RFC 2606 reserves `.example`).
pub const SHORT_BASE: &str = "https://s.example/";

/// How many salted rehashes a hash-prefix code may take before the service gives up.
pub const MAX_ATTEMPTS: u32 = 16;

/// How codes are made.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum Scheme {
    /// Base62 of a snowflake ID: variable length (11 symbols for today's IDs), never collides.
    Base62,
    /// The first `len` base62 symbols' worth of SHA-1 (6 or 7).
    HashPrefix { len: u8 },
}

impl Scheme {
    /// The short name of the scheme (`base62`, `sha1-6`, `sha1-7`), as saved links record which
    /// scheme made their codes.
    pub fn key(self) -> String {
        match self {
            Scheme::Base62 => "base62".to_string(),
            Scheme::HashPrefix { len } => format!("sha1-{len}"),
        }
    }

    /// The scheme named `key` (the reverse of [`Scheme::key`]); its length is checked by
    /// [`Config::validate`].
    pub fn from_key(key: &str) -> Option<Scheme> {
        match key {
            "base62" => Some(Scheme::Base62),
            _ => key.strip_prefix("sha1-")?.parse().ok().map(|len| Scheme::HashPrefix { len }),
        }
    }
}

/// Which redirect status `GET /{code}` answers with.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum Redirect {
    /// 301 Moved Permanently: browsers cache it and go straight to the long URL next time.
    Permanent,
    /// 302 Found: every click comes back to the service (better for analytics).
    Found,
}

impl Redirect {
    pub fn status(self) -> (u16, &'static str) {
        match self {
            Redirect::Permanent => (301, "Moved Permanently"),
            Redirect::Found => (302, "Found"),
        }
    }
}

/// The service's configuration.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Config {
    pub scheme: Scheme,
    pub redirect: Redirect,
    /// Entries the LRU cache holds (0: no cache).
    pub cache_size: u32,
    /// Token bucket per client on `POST /api/v1/shorten`: burst size and refill rate.
    pub burst: u32,
    pub refill: Rate,
}

impl Default for Config {
    fn default() -> Config {
        Config {
            scheme: Scheme::Base62,
            redirect: Redirect::Found,
            cache_size: 100,
            burst: 5,
            refill: Rate { count: 10, per_ms: 60_000 },
        }
    }
}

impl Config {
    /// `Err` with what to change unless the configuration is usable.
    pub fn validate(&self) -> Result<(), String> {
        if let Scheme::HashPrefix { len } = self.scheme
            && !(6..=7).contains(&len)
        {
            return Err("Code length: choose 6 or 7 symbols.".to_string());
        }
        if self.cache_size > 1_000_000 {
            return Err("Cache size: enter a whole number of entries from 0 to 1,000,000.".to_string());
        }
        TokenBucket::new(self.burst, self.refill).validate()
    }
}

/// One row of `URL_table(id, shortURL, longURL)`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Row {
    pub id: u64,
    /// The code (the short URL is [`SHORT_BASE`] followed by it).
    pub code: String,
    pub long_url: String,
}

impl Row {
    pub fn short_url(&self) -> String {
        format!("{SHORT_BASE}{}", self.code)
    }
}

/// A request as the service receives it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Request {
    pub method: String,
    /// The path with its query, as in the request line: `/api/v1/longUrl?code=abc`.
    pub path: String,
    pub headers: Vec<(String, String)>,
    pub body: String,
    /// Who sent it (the address the rate limiter keys on).
    pub client: ClientId,
}

impl Request {
    pub fn get(path: &str, client: ClientId) -> Request {
        Request { method: "GET".into(), path: path.into(), headers: Vec::new(), body: String::new(), client }
    }

    /// `POST /api/v1/shorten` with `{"longUrl": long_url}`.
    pub fn shorten(long_url: &str, client: ClientId) -> Request {
        Request {
            method: "POST".into(),
            path: "/api/v1/shorten".into(),
            headers: vec![("Content-Type".into(), "application/json".into())],
            body: format!("{{\"longUrl\":{}}}", json_string(long_url)),
            client,
        }
    }

    /// The request line and headers, then the body, as an API client shows them.
    pub fn text(&self) -> String {
        let mut out = format!("{} {} HTTP/1.1\nHost: s.example", self.method, self.path);
        for (name, value) in &self.headers {
            out.push_str(&format!("\n{name}: {value}"));
        }
        if !self.body.is_empty() {
            out.push_str("\n\n");
            out.push_str(&self.body);
        }
        out
    }
}

/// A response.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Response {
    pub status: u16,
    pub reason: String,
    pub headers: Vec<(String, String)>,
    pub body: String,
}

impl Response {
    fn new(status: u16, reason: &str) -> Response {
        Response { status, reason: reason.into(), headers: Vec::new(), body: String::new() }
    }

    fn json(status: u16, reason: &str, body: String) -> Response {
        let mut r = Response::new(status, reason);
        r.headers.push(("Content-Type".into(), "application/json".into()));
        r.body = body;
        r
    }

    fn error(status: u16, reason: &str, message: &str) -> Response {
        Response::json(status, reason, format!("{{\"error\":{}}}", json_string(message)))
    }

    pub fn status_line(&self) -> String {
        format!("HTTP/1.1 {} {}", self.status, self.reason)
    }

    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.iter().find(|(n, _)| n.eq_ignore_ascii_case(name)).map(|(_, v)| v.as_str())
    }

    /// The status line, headers and body.
    pub fn text(&self) -> String {
        let mut out = self.status_line();
        for (name, value) in &self.headers {
            out.push_str(&format!("\n{name}: {value}"));
        }
        if !self.body.is_empty() {
            out.push_str("\n\n");
            out.push_str(&self.body);
        }
        out
    }
}

/// Which parts of the design one request touched, for the live diagram.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Touched {
    /// The rate limiter's answer (shorten requests only): admitted or not.
    pub limiter: Option<bool>,
    /// The cache's answer: hit or miss.
    pub cache: Option<bool>,
    /// The store: read (found or not) or written.
    pub store: Option<StoreOp>,
    /// Counted as a click by analytics.
    pub counted: bool,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum StoreOp {
    Read { found: bool },
    Write,
}

/// The counters the diagram shows.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Counters {
    pub requests: u64,
    pub rate_limited: u64,
    pub admitted: u64,
    pub store_reads: u64,
    pub store_writes: u64,
    /// Shorten requests answered with an existing row.
    pub reused: u64,
    /// Hash-prefix codes that were taken by another URL.
    pub collisions: u64,
    /// Salted rehashes made to resolve collisions.
    pub retries: u64,
    pub clicks: u64,
    /// Responses by status code.
    pub by_status: BTreeMap<u16, u64>,
}

/// A request's response with what it touched.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Handled {
    pub response: Response,
    pub touched: Touched,
}

/// The shortener service.
#[derive(Clone, Debug)]
pub struct Service {
    config: Config,
    ids: Snowflake,
    limiter: Keyed<TokenBucket>,
    cache: Lru<String>,
    rows: BTreeMap<u64, Row>,
    by_code: BTreeMap<String, u64>,
    by_long: BTreeMap<String, u64>,
    clicks: BTreeMap<String, u64>,
    counters: Counters,
    last_ms: u64,
}

impl Service {
    pub fn new(config: Config) -> Result<Service, String> {
        config.validate()?;
        let ids = Snowflake::new(Layout::twitter(), &[1, 1], ClockPolicy::WaitOut)?;
        Ok(Service {
            config,
            ids,
            limiter: Keyed::new(TokenBucket::new(config.burst, config.refill)),
            cache: Lru::new(config.cache_size as usize),
            rows: BTreeMap::new(),
            by_code: BTreeMap::new(),
            by_long: BTreeMap::new(),
            clicks: BTreeMap::new(),
            counters: Counters::default(),
            last_ms: 0,
        })
    }

    /// A service holding `rows`, links made earlier (for instance saved in the browser's storage),
    /// each with the Unix millisecond it was shortened at, by `client`. Each row keeps its ID and
    /// code. Rows whose URL fails the check, whose code is not base62 (or, under base62 codes, not
    /// its ID in base62), or whose ID or code or URL repeats an earlier row are set aside and
    /// returned with the reason, not loaded. Each loaded row takes a token from `client`'s bucket
    /// at its time, as its shorten request did (so reloading does not hand out a fresh burst), and
    /// moves the service's clock to that time; a row set aside does neither.
    pub fn with_rows(
        config: Config,
        rows: Vec<(Row, u64)>,
        client: ClientId,
    ) -> Result<(Service, Vec<(Row, String)>), String> {
        let mut service = Service::new(config)?;
        let mut refused = Vec::new();
        for (row, at_ms) in rows {
            let reason = match validate::check(&row.long_url) {
                Err(e) => Some(e),
                Ok(url) if url != row.long_url => Some(format!("not in canonical form (would be {url})")),
                Ok(_) if !base62::is_code_shaped(&row.code) => {
                    Some("the code is not 1 to 11 base62 symbols".into())
                }
                Ok(_) if config.scheme == Scheme::Base62 && row.code != base62::encode(row.id) => Some(
                    format!("its code is not its ID in base62 (that would be {})", base62::encode(row.id)),
                ),
                Ok(_) if service.rows.contains_key(&row.id) => Some("its ID repeats an earlier link".into()),
                Ok(_) if service.by_code.contains_key(&row.code) => {
                    Some("its code repeats an earlier link".into())
                }
                Ok(_) if service.by_long.contains_key(&row.long_url) => {
                    Some("its URL repeats an earlier link".into())
                }
                Ok(_) => None,
            };
            match reason {
                Some(r) => refused.push((row, r)),
                None => {
                    let at = at_ms.max(service.last_ms);
                    service.last_ms = at;
                    Limiter::decide(&mut service.limiter, client, at);
                    service.insert_row(row);
                }
            }
        }
        Ok((service, refused))
    }

    pub fn config(&self) -> &Config {
        &self.config
    }

    /// The rows of `URL_table`, by ID.
    pub fn rows(&self) -> impl Iterator<Item = &Row> {
        self.rows.values()
    }

    pub fn row_by_code(&self, code: &str) -> Option<&Row> {
        self.by_code.get(code).and_then(|id| self.rows.get(id))
    }

    pub fn counters(&self) -> &Counters {
        &self.counters
    }

    pub fn cache(&self) -> &Lru<String> {
        &self.cache
    }

    /// Clicks per code, in code order.
    pub fn clicks(&self) -> &BTreeMap<String, u64> {
        &self.clicks
    }

    /// The ID the next new link would get if it were shortened at `now_unix_ms`, without taking
    /// it: what anyone who knows the generator's layout can work out (base62 codes are this ID).
    pub fn peek_next_id(&self, now_unix_ms: u64) -> Option<u64> {
        free_id(&mut self.ids.clone(), &self.rows, now_unix_ms.max(self.last_ms)).ok()
    }

    /// Zero the request counters, the clicks and the cache's hit and miss counts; the rows, the
    /// cache's entries, the rate limiter's buckets and the ID generator stay as they are.
    pub fn reset_counters(&mut self) {
        self.counters = Counters::default();
        self.clicks.clear();
        self.cache.reset_counts();
    }

    /// Answer one request at `now_unix_ms` (the caller's clock; the service never reads one).
    pub fn handle(&mut self, request: &Request, now_unix_ms: u64) -> Handled {
        let now = now_unix_ms.max(self.last_ms);
        self.last_ms = now;
        let mut touched = Touched::default();
        let response = self.route(request, now, &mut touched);
        self.counters.requests += 1;
        *self.counters.by_status.entry(response.status).or_insert(0) += 1;
        Handled { response, touched }
    }

    fn route(&mut self, request: &Request, now: u64, touched: &mut Touched) -> Response {
        let (path, query) = request.path.split_once('?').unwrap_or((&request.path, ""));
        match path {
            "/api/v1/shorten" => {
                if request.method != "POST" {
                    return method_not_allowed("POST");
                }
                self.shorten(request, now, touched)
            }
            "/api/v1/longUrl" => {
                if request.method != "GET" {
                    return method_not_allowed("GET");
                }
                self.long_url(query, touched)
            }
            _ => {
                let code = path.strip_prefix('/').unwrap_or(path);
                if !base62::is_code_shaped(code) {
                    return Response::error(
                        404,
                        "Not Found",
                        "No such page: short links look like /abc123 (1 to 11 symbols from 0-9, a-z, A-Z).",
                    );
                }
                if request.method != "GET" {
                    return method_not_allowed("GET");
                }
                self.redirect(code, touched)
            }
        }
    }

    fn shorten(&mut self, request: &Request, now: u64, touched: &mut Touched) -> Response {
        let decision = Limiter::decide(&mut self.limiter, request.client, now);
        touched.limiter = Some(decision.is_admitted());
        let limit_headers = decision.http();
        let with_limits = |mut r: Response| {
            for (name, value) in &limit_headers.headers {
                r.headers.push((name.to_string(), value.clone()));
            }
            r
        };
        if decision.is_denied() {
            self.counters.rate_limited += 1;
            let wait = crate::rate_limit::retry_after_seconds(decision.retry_after_ms().unwrap_or(0));
            let mut r = Response::error(
                429,
                "Too Many Requests",
                &format!("Too many links from this client: try again in {wait} s."),
            );
            r.headers.extend(limit_headers.headers.iter().map(|(n, v)| (n.to_string(), v.clone())));
            return r;
        }
        self.counters.admitted += 1;
        let long = match parse_body(&request.body) {
            Ok(long) => long,
            Err(message) => return with_limits(Response::error(400, "Bad Request", &message)),
        };
        let long = match validate::check(&long) {
            Ok(url) => url,
            Err(message) => return with_limits(Response::error(400, "Bad Request", &message)),
        };
        self.counters.store_reads += 1;
        if let Some(row) = self.by_long.get(&long).and_then(|id| self.rows.get(id)) {
            touched.store = Some(StoreOp::Read { found: true });
            self.counters.reused += 1;
            let body = link_body(row);
            return with_limits(Response::json(200, "OK", body));
        }
        let id = match self.next_id(now) {
            Ok(id) => id,
            Err(message) => return with_limits(Response::error(503, "Service Unavailable", &message)),
        };
        let code = match self.config.scheme {
            Scheme::Base62 => base62::encode(id),
            Scheme::HashPrefix { len } => {
                let mut found = None;
                for attempt in 0..MAX_ATTEMPTS {
                    let code = hash_code(&long, attempt, len);
                    if attempt > 0 {
                        self.counters.retries += 1;
                    }
                    if !self.by_code.contains_key(&code) {
                        found = Some(code);
                        break;
                    }
                    self.counters.collisions += 1;
                }
                match found {
                    Some(code) => code,
                    None => {
                        return with_limits(Response::error(
                            503,
                            "Service Unavailable",
                            "Every salted hash collided: the code space is too full; use longer codes.",
                        ));
                    }
                }
            }
        };
        let row = Row { id, code, long_url: long };
        let body = link_body(&row);
        let location = row.short_url();
        self.insert_row(row);
        self.counters.store_writes += 1;
        touched.store = Some(StoreOp::Write);
        let mut r = Response::json(201, "Created", body);
        r.headers.push(("Location".into(), location));
        with_limits(r)
    }

    fn long_url(&mut self, query: &str, touched: &mut Touched) -> Response {
        let mut code = None;
        for (key, value) in url::form_urlencoded::parse(query.as_bytes()) {
            match key.as_ref() {
                "code" => code = Some(value.into_owned()),
                "shortUrl" => {
                    let v = value.trim();
                    code = Some(v.strip_prefix(SHORT_BASE).unwrap_or(v).to_string());
                }
                _ => {}
            }
        }
        let Some(code) = code.filter(|c| !c.is_empty()) else {
            return Response::error(
                400,
                "Bad Request",
                "Give the short code as a query parameter: /api/v1/longUrl?code=abc123 (or ?shortUrl=...).",
            );
        };
        match self.lookup(&code, touched) {
            Some(long) => Response::json(
                200,
                "OK",
                format!(
                    "{{\"code\":{},\"shortUrl\":{},\"longUrl\":{}}}",
                    json_string(&code),
                    json_string(&format!("{SHORT_BASE}{code}")),
                    json_string(&long)
                ),
            ),
            None => not_found(&code),
        }
    }

    fn redirect(&mut self, code: &str, touched: &mut Touched) -> Response {
        let Some(long) = self.lookup(code, touched) else {
            return not_found(code);
        };
        if let Err(reason) = validate::check(&long) {
            return Response::error(
                403,
                "Forbidden",
                &format!("This short link's target is refused, so it is not redirected to: {reason}"),
            );
        }
        *self.clicks.entry(code.to_string()).or_insert(0) += 1;
        self.counters.clicks += 1;
        touched.counted = true;
        let (status, reason) = self.config.redirect.status();
        let mut r = Response::new(status, reason);
        r.headers.push(("Location".into(), long));
        r
    }

    /// Cache, then store (filling the cache on a store hit).
    fn lookup(&mut self, code: &str, touched: &mut Touched) -> Option<String> {
        if self.config.cache_size > 0 {
            let hit = self.cache.get(code);
            touched.cache = Some(hit.is_some());
            if hit.is_some() {
                return hit;
            }
        }
        self.counters.store_reads += 1;
        let long = self.row_by_code(code).map(|r| r.long_url.clone());
        touched.store = Some(StoreOp::Read { found: long.is_some() });
        if let Some(long) = &long {
            self.cache.put(code, long.clone());
        }
        long
    }

    fn next_id(&mut self, now: u64) -> Result<u64, String> {
        free_id(&mut self.ids, &self.rows, now)
    }

    fn insert_row(&mut self, row: Row) {
        self.by_code.insert(row.code.clone(), row.id);
        self.by_long.insert(row.long_url.clone(), row.id);
        self.rows.insert(row.id, row);
    }

    /// Store a row without any check (tests only: a row that bypassed the gate).
    #[cfg(test)]
    pub(crate) fn insert_unchecked(&mut self, row: Row) {
        self.insert_row(row);
    }
}

/// The next ID `ids` issues at `now` that no row holds yet: a row loaded by
/// [`Service::with_rows`] may hold an ID the fresh generator would issue again (a link made in the
/// same millisecond as one saved), so those are passed over.
fn free_id(ids: &mut Snowflake, rows: &BTreeMap<u64, Row>, now: u64) -> Result<u64, String> {
    let mut at = now;
    // Each pass issues an ID, waits once, or refuses: at most every row's ID, then a few waits.
    for _ in 0..rows.len().saturating_add(4) {
        match ids.next_id(at) {
            Next::Issued(id) if rows.contains_key(&id) => {}
            Next::Issued(id) => return Ok(id),
            Next::Wait { until_unix_ms, .. } => at = until_unix_ms,
            Next::Refused(r) => return Err(format!("The ID generator refused: {}.", r.label())),
        }
    }
    Err("The ID generator kept asking to wait.".to_string())
}

/// The fixed-length hash-prefix code of `long` on the given attempt (0: SHA-1 of the URL; n > 0:
/// SHA-1 of the URL, a NUL byte and n in decimal).
pub fn hash_code(long: &str, attempt: u32, len: u8) -> String {
    base62::encode_fixed(hash_code_value(long, attempt, len), len as usize)
}

/// The number a hash-prefix code writes: the digest's first 8 bytes (big-endian) modulo 62^len.
pub fn hash_code_value(long: &str, attempt: u32, len: u8) -> u64 {
    let mut h = Sha1::new();
    h.update(long.as_bytes());
    if attempt > 0 {
        h.update([0u8]);
        h.update(attempt.to_string().as_bytes());
    }
    let digest = h.finalize();
    let mut first = [0u8; 8];
    first.copy_from_slice(&digest[..8]);
    u64::from_be_bytes(first) % base62::code_space(len.min(10) as u32).unwrap_or(u64::MAX)
}

fn parse_body(body: &str) -> Result<String, String> {
    let value: serde_json::Value = serde_json::from_str(body)
        .map_err(|e| format!("The body is not JSON ({e}): send {{\"longUrl\": \"https://...\"}}."))?;
    match value.get("longUrl") {
        Some(serde_json::Value::String(s)) => Ok(s.clone()),
        Some(_) => Err("\"longUrl\" must be a string: send {\"longUrl\": \"https://...\"}.".to_string()),
        None => Err("The body has no \"longUrl\": send {\"longUrl\": \"https://...\"}.".to_string()),
    }
}

fn link_body(row: &Row) -> String {
    format!(
        "{{\"code\":{},\"shortUrl\":{},\"longUrl\":{}}}",
        json_string(&row.code),
        json_string(&row.short_url()),
        json_string(&row.long_url)
    )
}

fn not_found(code: &str) -> Response {
    Response::error(404, "Not Found", &format!("No short link has the code \"{code}\"."))
}

fn method_not_allowed(allow: &str) -> Response {
    let mut r = Response::error(405, "Method Not Allowed", &format!("Use {allow} on this path."));
    r.headers.push(("Allow".into(), allow.into()));
    r
}

/// `s` as a JSON string literal.
pub fn json_string(s: &str) -> String {
    serde_json::Value::String(s.to_string()).to_string()
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    /// The notes' snowflake example time: 2022-06-28 16:07:40.105 UTC.
    const NOW: u64 = 1_656_432_460_105;

    fn service(scheme: Scheme, redirect: Redirect) -> Service {
        Service::new(Config { scheme, redirect, ..Config::default() }).unwrap()
    }

    fn headers(r: &Response) -> Vec<(&str, &str)> {
        r.headers.iter().map(|(n, v)| (n.as_str(), v.as_str())).collect()
    }

    #[test]
    fn shorten_with_base62_snowflake_codes() {
        let mut s = service(Scheme::Base62, Redirect::Found);
        let first = s.handle(&Request::shorten("https://example.com", 7), NOW);
        let r = &first.response;
        // ID (367,597,485,448 ms since Twitter's epoch << 22) | data centre 1 | machine 1 | sequence 0.
        assert_eq!(r.status_line(), "HTTP/1.1 201 Created");
        assert_eq!(
            headers(r),
            [
                ("Content-Type", "application/json"),
                ("Location", "https://s.example/1PTwYk4qKXe"),
                ("X-Ratelimit-Limit", "5"),
                ("X-Ratelimit-Remaining", "4"),
            ]
        );
        assert_eq!(
            r.body,
            r#"{"code":"1PTwYk4qKXe","shortUrl":"https://s.example/1PTwYk4qKXe","longUrl":"https://example.com/"}"#
        );
        assert_eq!(
            first.touched,
            Touched { limiter: Some(true), cache: None, store: Some(StoreOp::Write), counted: false }
        );
        assert_eq!(s.row_by_code("1PTwYk4qKXe").unwrap().id, 1_541_815_603_604_623_360);
        // The next code is the next ID: predictable.
        let second = s.handle(&Request::shorten("https://example.com/2", 7), NOW);
        assert!(second.response.body.contains("\"1PTwYk4qKXf\""));
        // Idempotent: the same URL (written differently) gives the same code with 200.
        let again = s.handle(&Request::shorten("HTTPS://EXAMPLE.com/", 7), NOW);
        assert_eq!(again.response.status_line(), "HTTP/1.1 200 OK");
        assert_eq!(again.response.body, r.body);
        assert_eq!(again.touched.store, Some(StoreOp::Read { found: true }));
        assert_eq!(s.rows().count(), 2);
        assert_eq!((s.counters().store_writes, s.counters().reused), (2, 1));
    }

    #[test]
    fn bad_bodies_get_400_with_a_message() {
        let mut s = service(Scheme::Base62, Redirect::Found);
        let table: [(&str, &str); 5] = [
            (
                "",
                "The body is not JSON (EOF while parsing a value at line 1 column 0): send {\"longUrl\": \"https://...\"}.",
            ),
            (
                "{\"url\":\"https://a.example/\"}",
                "The body has no \"longUrl\": send {\"longUrl\": \"https://...\"}.",
            ),
            ("{\"longUrl\":42}", "\"longUrl\" must be a string: send {\"longUrl\": \"https://...\"}."),
            (
                "{\"longUrl\":\"javascript:alert(1)\"}",
                "javascript: links run code in the page that opens them; only http and https links can be shortened.",
            ),
            (
                "{\"longUrl\":\"//evil.example\"}",
                "Scheme-relative links (starting with //) are refused: their scheme depends on the page they appear in. Start the link with https://.",
            ),
        ];
        for (body, message) in table {
            let mut req = Request::shorten("", 1);
            req.body = body.to_string();
            let r = s.handle(&req, NOW).response;
            assert_eq!(r.status_line(), "HTTP/1.1 400 Bad Request", "{body}");
            assert_eq!(r.body, format!("{{\"error\":{}}}", json_string(message)));
            assert_eq!(r.header("Content-Type"), Some("application/json"));
        }
        assert_eq!(s.rows().count(), 0);
    }

    #[test]
    fn shortening_is_rate_limited_per_client_with_retry_after() {
        // Burst 5, refill 10 a minute: one token every 6 s.
        let mut s = service(Scheme::Base62, Redirect::Found);
        for i in 0..5 {
            let r = s.handle(&Request::shorten(&format!("https://a.example/{i}"), 1), NOW).response;
            assert_eq!(r.status, 201);
        }
        let denied = s.handle(&Request::shorten("https://a.example/5", 1), NOW + 1000);
        assert_eq!(denied.response.status_line(), "HTTP/1.1 429 Too Many Requests");
        assert_eq!(
            headers(&denied.response),
            [
                ("Content-Type", "application/json"),
                ("Retry-After", "5"),
                ("X-Ratelimit-Limit", "5"),
                ("X-Ratelimit-Remaining", "0"),
                ("X-Ratelimit-Retry-After", "5"),
            ]
        );
        assert_eq!(denied.response.body, r#"{"error":"Too many links from this client: try again in 5 s."}"#);
        assert_eq!(denied.touched.limiter, Some(false));
        // Another client is not affected; reads are not limited.
        assert_eq!(s.handle(&Request::shorten("https://a.example/5", 2), NOW + 1000).response.status, 201);
        assert_eq!(s.handle(&Request::get("/api/v1/longUrl?code=x", 1), NOW + 1000).response.status, 404);
        // After 6 s the bucket has a token again.
        assert_eq!(s.handle(&Request::shorten("https://a.example/6", 1), NOW + 6000).response.status, 201);
        assert_eq!(s.counters().rate_limited, 1);
    }

    #[test]
    fn long_url_endpoint_and_the_cache() {
        let mut s = service(Scheme::HashPrefix { len: 7 }, Redirect::Found);
        let r = s.handle(&Request::shorten("https://example.com/", 1), NOW).response;
        assert_eq!(
            r.body,
            r#"{"code":"rtXtXg3","shortUrl":"https://s.example/rtXtXg3","longUrl":"https://example.com/"}"#
        );
        let first = s.handle(&Request::get("/api/v1/longUrl?code=rtXtXg3", 1), NOW);
        assert_eq!(first.response.status_line(), "HTTP/1.1 200 OK");
        assert_eq!(headers(&first.response), [("Content-Type", "application/json")]);
        assert_eq!(
            first.response.body,
            r#"{"code":"rtXtXg3","shortUrl":"https://s.example/rtXtXg3","longUrl":"https://example.com/"}"#
        );
        assert_eq!(
            (first.touched.cache, first.touched.store),
            (Some(false), Some(StoreOp::Read { found: true }))
        );
        let by_short =
            s.handle(&Request::get("/api/v1/longUrl?shortUrl=https%3A%2F%2Fs.example%2FrtXtXg3", 1), NOW);
        assert_eq!(by_short.response.body, first.response.body);
        assert_eq!((by_short.touched.cache, by_short.touched.store), (Some(true), None));
        assert_eq!((s.cache().hits(), s.cache().misses()), (1, 1));
        let missing = s.handle(&Request::get("/api/v1/longUrl?code=zzzzzzz", 1), NOW).response;
        assert_eq!(missing.status_line(), "HTTP/1.1 404 Not Found");
        assert_eq!(missing.body, r#"{"error":"No short link has the code \"zzzzzzz\"."}"#);
        let no_code = s.handle(&Request::get("/api/v1/longUrl", 1), NOW).response;
        assert_eq!(no_code.status, 400);
        assert_eq!(
            no_code.body,
            r#"{"error":"Give the short code as a query parameter: /api/v1/longUrl?code=abc123 (or ?shortUrl=...)."}"#
        );
        // Looking up is not a click.
        assert_eq!(s.counters().clicks, 0);
    }

    #[test]
    fn redirects_301_or_302_and_404_for_unknown_codes() {
        for (redirect, line) in
            [(Redirect::Permanent, "HTTP/1.1 301 Moved Permanently"), (Redirect::Found, "HTTP/1.1 302 Found")]
        {
            let mut s = service(Scheme::HashPrefix { len: 6 }, redirect);
            s.handle(&Request::shorten("https://en.wikipedia.org/wiki/URL_shortening", 1), NOW);
            let h = s.handle(&Request::get("/Gm1Mah", 1), NOW);
            assert_eq!(h.response.status_line(), line);
            assert_eq!(headers(&h.response), [("Location", "https://en.wikipedia.org/wiki/URL_shortening")]);
            assert_eq!(h.response.body, "");
            assert!(h.touched.counted);
            assert_eq!(s.clicks().get("Gm1Mah"), Some(&1));
            let unknown = s.handle(&Request::get("/Gm1Mai", 1), NOW).response;
            assert_eq!(unknown.status_line(), "HTTP/1.1 404 Not Found");
            assert_eq!(unknown.body, r#"{"error":"No short link has the code \"Gm1Mai\"."}"#);
            let odd = s.handle(&Request::get("/no-such/page", 1), NOW).response;
            assert_eq!(odd.status, 404);
            let post =
                s.handle(&Request { method: "POST".into(), ..Request::get("/Gm1Mah", 1) }, NOW).response;
            assert_eq!(post.status_line(), "HTTP/1.1 405 Method Not Allowed");
            assert_eq!(post.header("Allow"), Some("GET"));
            let get_shorten = s.handle(&Request::get("/api/v1/shorten", 1), NOW).response;
            assert_eq!((get_shorten.status, get_shorten.header("Allow")), (405, Some("POST")));
        }
    }

    #[test]
    fn hash_collisions_are_resolved_with_a_salt_and_counted() {
        let mut s = service(Scheme::HashPrefix { len: 6 }, Redirect::Found);
        // Another URL already holds tXtXg3, the 6-symbol code of https://example.com/.
        s.insert_unchecked(Row { id: 1, code: "tXtXg3".into(), long_url: "https://other.example/".into() });
        let r = s.handle(&Request::shorten("https://example.com/", 1), NOW).response;
        assert_eq!(r.status, 201);
        assert!(r.body.starts_with(r#"{"code":"3rwQZE""#), "{}", r.body);
        assert_eq!(hash_code("https://example.com/", 1, 6), "3rwQZE");
        assert_eq!((s.counters().collisions, s.counters().retries), (1, 1));
    }

    #[test]
    fn a_link_is_measured_as_stored_so_what_is_made_is_redirected_to() {
        let mut s = service(Scheme::Base62, Redirect::Found);
        // 20 + 338 × 6 = 2,048 characters once é is written %C3%A9: accepted and redirected to.
        let longest = format!("https://example.com/{}", "é".repeat(338));
        let made = s.handle(&Request::shorten(&longest, 1), NOW).response;
        assert_eq!(made.status, 201);
        let r = s.handle(&Request::get("/1PTwYk4qKXe", 1), NOW).response;
        assert_eq!(r.status, 302);
        assert_eq!(r.header("Location").map(str::len), Some(2048));
        // 2,020 bytes typed, 6,020 characters stored: refused when shortened, not at redirect time.
        let too_long = format!("https://example.com/{}", "é".repeat(1000));
        let refused = s.handle(&Request::shorten(&too_long, 1), NOW).response;
        assert_eq!(refused.status, 400);
        assert!(refused.body.contains("this URL is 6,020 characters long"), "{}", refused.body);
        assert_eq!(s.rows().count(), 1);
    }

    #[test]
    fn a_stored_dangerous_url_is_refused_again_at_redirect_time() {
        let mut s = service(Scheme::Base62, Redirect::Found);
        s.insert_unchecked(Row { id: 5, code: "5".into(), long_url: "javascript:alert(1)".into() });
        let r = s.handle(&Request::get("/5", 1), NOW).response;
        assert_eq!(r.status_line(), "HTTP/1.1 403 Forbidden");
        assert_eq!(r.header("Location"), None);
        assert!(r.body.contains("javascript: links run code"));
        assert_eq!(s.counters().clicks, 0);
    }

    #[test]
    fn saved_rows_are_reloaded_and_bad_ones_set_aside() {
        // Base62 codes: 10 is "a", 15 is "f".
        let row =
            |id: u64, code: &str, long_url: &str| Row { id, code: code.into(), long_url: long_url.into() };
        let good = row(10, "a", "https://example.com/");
        let rows = vec![
            good.clone(),
            row(11, "b", "javascript:alert(1)"),
            row(10, "a", "https://example.org/"),
            row(12, "c", "https://example.com/"),
            row(13, "d", "https://EXAMPLE.net"),
            row(14, "d/e", "https://example.net/"),
            row(15, "x", "https://example.net/"),
        ];
        let (mut s, refused) =
            Service::with_rows(Config::default(), rows.into_iter().map(|r| (r, NOW)).collect(), 1).unwrap();
        assert_eq!(s.rows().cloned().collect::<Vec<_>>(), [good]);
        let reasons: Vec<(u64, &str)> = refused.iter().map(|(r, why)| (r.id, why.as_str())).collect();
        assert_eq!(
            reasons[1..],
            [
                (10, "its ID repeats an earlier link"),
                (12, "its URL repeats an earlier link"),
                (13, "not in canonical form (would be https://example.net/)"),
                (14, "the code is not 1 to 11 base62 symbols"),
                (15, "its code is not its ID in base62 (that would be f)"),
            ]
        );
        assert!(reasons[0].1.starts_with("javascript: links"));
        assert_eq!(
            s.handle(&Request::get("/a", 1), NOW).response.header("Location"),
            Some("https://example.com/")
        );
        // Under hash prefixes a code need not be its ID, but it must not repeat.
        let hashed = Config { scheme: Scheme::HashPrefix { len: 7 }, ..Config::default() };
        let rows = vec![
            (row(1, "rtXtXg3", "https://example.com/"), NOW),
            (row(2, "rtXtXg3", "https://example.org/"), NOW),
        ];
        let (_, refused) = Service::with_rows(hashed, rows, 1).unwrap();
        assert_eq!(
            refused,
            [(row(2, "rtXtXg3", "https://example.org/"), "its code repeats an earlier link".into())]
        );
    }

    #[test]
    fn reloaded_rows_keep_their_codes_take_their_tokens_and_are_not_issued_again() {
        // Two links made at NOW (sequences 0 and 1), the first set aside: the second keeps its code.
        let first = Row { id: 1_541_815_603_604_623_360, code: "1PTwYk4qKXe".into(), long_url: "bad".into() };
        let second = Row {
            id: 1_541_815_603_604_623_361,
            code: "1PTwYk4qKXf".into(),
            long_url: "https://b.example/".into(),
        };
        let rows = vec![(first, NOW), (second.clone(), NOW)];
        let (mut s, refused) = Service::with_rows(Config::default(), rows, 1).unwrap();
        assert_eq!((refused.len(), s.rows().cloned().collect::<Vec<_>>()), (1, vec![second]));
        // A link made in the same millisecond gets the free sequence 0; the next passes over
        // sequence 1, which the loaded row holds, and the preview says so before it is made.
        assert_eq!(s.peek_next_id(NOW), Some(1_541_815_603_604_623_360));
        let r = s.handle(&Request::shorten("https://c.example/", 1), NOW).response;
        assert!(r.body.starts_with(r#"{"code":"1PTwYk4qKXe""#), "{}", r.body);
        assert_eq!(s.peek_next_id(NOW), Some(1_541_815_603_604_623_362));
        assert_eq!(base62::encode(s.peek_next_id(NOW).unwrap()), "1PTwYk4qKXg");
        // The loaded row took a token and the new link another: 3 of 5 are left.
        assert_eq!(r.header("X-Ratelimit-Remaining"), Some("3"));
    }

    #[test]
    fn the_next_base62_code_can_be_computed_before_it_is_issued() {
        let mut s = service(Scheme::Base62, Redirect::Found);
        s.handle(&Request::shorten("https://example.com", 7), NOW);
        // Same millisecond: sequence 1; a millisecond later: sequence 0 of the next tick.
        assert_eq!(s.peek_next_id(NOW), Some(1_541_815_603_604_623_361));
        assert_eq!(s.peek_next_id(NOW + 1), Some(1_541_815_603_604_623_360 + (1 << 22)));
        // A clock behind the service's latest request is read as the latest.
        assert_eq!(s.peek_next_id(NOW - 5), Some(1_541_815_603_604_623_361));
        let peeked = s.peek_next_id(NOW).unwrap();
        let r = s.handle(&Request::shorten("https://example.com/2", 7), NOW).response;
        assert!(r.body.contains(&format!("\"{}\"", base62::encode(peeked))), "{}", r.body);
        assert_eq!(base62::encode(peeked), "1PTwYk4qKXf");
    }

    #[test]
    fn reset_counters_keeps_rows_and_buckets() {
        let mut s = service(Scheme::HashPrefix { len: 7 }, Redirect::Found);
        for i in 0..5 {
            s.handle(&Request::shorten(&format!("https://a.example/{i}"), 1), NOW);
        }
        s.handle(&Request::get("/api/v1/longUrl?code=rtXtXg3", 1), NOW);
        s.reset_counters();
        assert_eq!(s.counters(), &Counters::default());
        assert_eq!((s.cache().hits(), s.cache().misses()), (0, 0));
        assert_eq!(s.rows().count(), 5);
        // The bucket is still empty: the sixth link within the same second is refused.
        assert_eq!(s.handle(&Request::shorten("https://a.example/5", 1), NOW).response.status, 429);
    }

    #[test]
    fn configuration_errors_say_what_to_change() {
        let bad = Config { scheme: Scheme::HashPrefix { len: 5 }, ..Config::default() };
        assert_eq!(Service::new(bad).unwrap_err(), "Code length: choose 6 or 7 symbols.");
        let bad = Config { cache_size: 2_000_000, ..Config::default() };
        assert!(Service::new(bad).unwrap_err().starts_with("Cache size"));
        assert!(Service::new(Config { burst: 0, ..Config::default() }).is_err());
    }

    /// Web links as people paste them: sometimes with an international host, spaces and letters
    /// outside ASCII, and sometimes a long tail that takes them past the 2,048-character limit
    /// once escaped ("é" is 1 character typed and 6 stored).
    fn web_url() -> impl Strategy<Value = String> {
        (
            prop_oneof![Just("http"), Just("https"), Just("HTTPS")],
            prop_oneof![
                4 => "[a-z][a-z0-9]{0,10}(\\.[a-z][a-z0-9]{0,8}){0,2}\\.(com|org|example|de)",
                1 => Just("münchen.de".to_string()),
                1 => Just("例え.jp".to_string()),
            ],
            proptest::option::of(1u16..65535),
            "(/[a-zA-Z0-9._~ éü例-]{0,12}){0,4}",
            proptest::option::of(("[aé ]", 0usize..700)),
            proptest::option::of("[a-z0-9=& é]{0,12}"),
            proptest::option::of("[a-zA-Z0-9 é-]{0,8}"),
        )
            .prop_map(|(scheme, host, port, path, tail, query, fragment)| {
                let mut u = format!("{scheme}://{host}");
                if let Some(p) = port {
                    u.push_str(&format!(":{p}"));
                }
                u.push_str(&path);
                if let Some((unit, n)) = tail {
                    u.push('/');
                    u.push_str(&unit.repeat(n));
                }
                if let Some(q) = query {
                    u.push_str(&format!("?{q}"));
                }
                if let Some(f) = fragment {
                    u.push_str(&format!("#{f}"));
                }
                u
            })
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(128))]
        /// Every link the service accepts is redirected to and looked up as it was stored (never
        /// a 403 for a link it just made); every link it refuses gets the gate's message.
        #[test]
        fn shorten_then_resolve_returns_the_url(urls in proptest::collection::vec(web_url(), 1..8), hash in any::<bool>()) {
            let scheme = if hash { Scheme::HashPrefix { len: 6 } } else { Scheme::Base62 };
            let mut s = Service::new(Config { scheme, burst: 100, ..Config::default() }).unwrap();
            for url in &urls {
                let r = s.handle(&Request::shorten(url, 1), NOW).response;
                let canonical = match validate::check(url) {
                    Ok(canonical) => canonical,
                    Err(message) => {
                        prop_assert_eq!(r.status, 400);
                        prop_assert_eq!(r.body, format!("{{\"error\":{}}}", json_string(&message)));
                        continue;
                    }
                };
                prop_assert!(r.status == 201 || r.status == 200, "{}", r.text());
                let body: serde_json::Value = serde_json::from_str(&r.body).unwrap();
                let code = body["code"].as_str().unwrap().to_string();
                prop_assert_eq!(body["longUrl"].as_str().unwrap(), canonical.as_str());
                let redirect = s.handle(&Request::get(&format!("/{code}"), 1), NOW).response;
                prop_assert_eq!(redirect.status, 302);
                prop_assert_eq!(redirect.header("Location"), Some(canonical.as_str()));
                let looked = s.handle(&Request::get(&format!("/api/v1/longUrl?code={code}"), 1), NOW).response;
                let looked: serde_json::Value = serde_json::from_str(&looked.body).unwrap();
                prop_assert_eq!(looked["longUrl"].as_str().unwrap(), canonical.as_str());
            }
        }

        #[test]
        fn no_request_panics(method in "GET|POST|PUT", path in "\\PC{0,30}", body in "\\PC{0,40}") {
            let mut s = Service::new(Config::default()).unwrap();
            let req = Request { method, path, headers: Vec::new(), body, client: 3 };
            let r = s.handle(&req, NOW).response;
            prop_assert!([200, 201, 400, 404, 405, 429].contains(&r.status));
        }
    }
}
