//! A deterministic run of all six ID schemes side by side: generator servers, a client workload,
//! and faults (a clock moved back or frozen, a burst of requests in one millisecond, a ticket
//! server crash, a server added to the multi-master group), on virtual time in whole milliseconds.
//!
//! Every scheme gets the same requests. Server i hosts snowflake worker i, Instagram shard i and
//! UUID generators i, which read server i's clock; the multi-master databases and the ticket
//! servers are reached round-robin by the client and read no clock. Each millisecond the run applies
//! the faults due, adds the workload's requests (and any burst) to each generator's queue, and
//! serves the queues in order: a request that must wait (a snowflake whose sequence is used up, or
//! whose clock is behind under the wait-out policy) stays at the head of its queue until a later
//! millisecond; a refused or failed request is counted by its reason. Everything issued is kept so
//! the checker can look for duplicates and disorder. The same configuration gives the same run on
//! every machine: the only randomness is the UUIDs' seeded ChaCha8 generators.

use super::checker::{self, CheckReport, Record};
use super::instagram::{InstagramNext, InstagramShard};
use super::layout::Layout;
use super::multi_master::{AddPolicy, MultiMaster, MultiMasterNext};
use super::snowflake::{ClockPolicy, Next, Snowflake, WaitReason};
use super::ticket_server::{TicketNext, TicketService, TicketWidth};
use super::utc::UtcTime;
use super::uuid::{UuidV4Generator, UuidV7Generator};
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, VecDeque};

/// The ID schemes of the notes.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub enum Scheme {
    MultiMaster,
    UuidV4,
    UuidV7,
    TicketServer,
    Snowflake,
    Instagram,
}

impl Scheme {
    pub const ALL: [Scheme; 6] = [
        Scheme::MultiMaster,
        Scheme::UuidV4,
        Scheme::UuidV7,
        Scheme::TicketServer,
        Scheme::Snowflake,
        Scheme::Instagram,
    ];

    pub fn key(self) -> &'static str {
        match self {
            Scheme::MultiMaster => "multi-master",
            Scheme::UuidV4 => "uuid-v4",
            Scheme::UuidV7 => "uuid-v7",
            Scheme::TicketServer => "ticket",
            Scheme::Snowflake => "snowflake",
            Scheme::Instagram => "instagram",
        }
    }

    pub fn from_key(key: &str) -> Option<Scheme> {
        Scheme::ALL.into_iter().find(|s| s.key() == key)
    }

    pub fn label(self) -> &'static str {
        match self {
            Scheme::MultiMaster => "Multi-master auto_increment",
            Scheme::UuidV4 => "UUID v4",
            Scheme::UuidV7 => "UUID v7",
            Scheme::TicketServer => "Ticket server",
            Scheme::Snowflake => "Snowflake",
            Scheme::Instagram => "Instagram",
        }
    }

    /// Whether the scheme's generators read a clock (and so suffer clock faults).
    pub fn uses_clock(self) -> bool {
        matches!(self, Scheme::UuidV7 | Scheme::Snowflake | Scheme::Instagram)
    }

    /// One generator per server (true) or a group the client reaches round-robin (false).
    fn per_server(self) -> bool {
        !matches!(self, Scheme::MultiMaster | Scheme::TicketServer)
    }

    /// What the scheme needs agreed between machines, in the system's terms.
    pub fn coordination(self) -> &'static str {
        match self {
            Scheme::MultiMaster => "every server's increment and offset; all change when one is added",
            Scheme::UuidV4 => "none",
            Scheme::UuidV7 => "none",
            Scheme::TicketServer => "a round trip to a ticket server for every ID",
            Scheme::Snowflake => "a distinct data centre and machine number per generator, set once",
            Scheme::Instagram => "a distinct shard number per logical shard, set once",
        }
    }

    /// Whether sorting the IDs by value sorts them by creation time, by design.
    pub fn sortable(self) -> &'static str {
        match self {
            Scheme::MultiMaster => "only while the servers keep pace",
            Scheme::UuidV4 => "no",
            Scheme::UuidV7 => "yes, to the millisecond",
            Scheme::TicketServer => "only while the servers keep pace",
            Scheme::Snowflake => "yes, to the millisecond",
            Scheme::Instagram => "yes, to the millisecond",
        }
    }
}

/// The snowflake layout a run uses.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub enum SnowflakePreset {
    #[default]
    Twitter,
    Discord,
}

impl SnowflakePreset {
    pub const ALL: [SnowflakePreset; 2] = [SnowflakePreset::Twitter, SnowflakePreset::Discord];

    pub fn key(self) -> &'static str {
        match self {
            SnowflakePreset::Twitter => "twitter",
            SnowflakePreset::Discord => "discord",
        }
    }

    pub fn from_key(key: &str) -> Option<SnowflakePreset> {
        SnowflakePreset::ALL.into_iter().find(|p| p.key() == key)
    }

    pub fn layout(self) -> Layout {
        match self {
            SnowflakePreset::Twitter => Layout::twitter(),
            SnowflakePreset::Discord => Layout::discord(),
        }
    }

    /// The node field values of server `i`: Twitter data centre 1, machine i; Discord worker i,
    /// process 0.
    pub fn node(self, server: u32) -> [u64; 2] {
        match self {
            SnowflakePreset::Twitter => [1, u64::from(server)],
            SnowflakePreset::Discord => [u64::from(server), 0],
        }
    }
}

/// Something that goes wrong during a run.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub enum FaultKind {
    /// Server `server`'s clock jumps back by `by_ms` and stays behind.
    ClockBack { server: u32, by_ms: u64 },
    /// Server `server`'s clock stops for `for_ms`, then jumps to the right time.
    FreezeClock { server: u32, for_ms: u64 },
    /// `requests` extra requests arrive in one millisecond, at server `server`'s generators (the
    /// round-robin groups spread them as usual).
    Burst { server: u32, requests: u32 },
    /// Ticket server `server` crashes and comes back `for_ms` later, its table intact.
    CrashTicketServer { server: u32, for_ms: u64 },
    /// A server joins the multi-master group.
    AddMultiMasterServer { policy: AddPolicy },
}

impl FaultKind {
    /// What happened, in a sentence.
    pub fn describe(&self) -> String {
        match *self {
            FaultKind::ClockBack { server, by_ms } => {
                format!("Server {}'s clock moved back {by_ms} ms.", server + 1)
            }
            FaultKind::FreezeClock { server, for_ms } => {
                format!("Server {}'s clock froze for {for_ms} ms.", server + 1)
            }
            FaultKind::Burst { server, requests } => format!(
                "A burst of {} requests arrived in one millisecond at server {}.",
                crate::format::group_digits(u128::from(requests)),
                server + 1
            ),
            FaultKind::CrashTicketServer { server, for_ms } => {
                format!("Ticket server {} crashed for {for_ms} ms.", server + 1)
            }
            FaultKind::AddMultiMasterServer { policy: AddPolicy::OneByOne } => {
                "A server joined the multi-master group; each server switched to the new increment on its own."
                    .to_string()
            }
            FaultKind::AddMultiMasterServer { policy: AddPolicy::StopTheWorld } => {
                "A server joined the multi-master group; all servers stopped and restarted above the largest ID."
                    .to_string()
            }
        }
    }
}

/// A fault at a time (ms after the start of the run).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub struct Fault {
    pub at_ms: u64,
    pub kind: FaultKind,
}

impl Fault {
    /// The fault as it appears in a link: `back-1-10@120` (server 1's clock back 10 ms at 120 ms),
    /// `freeze-2-5@300`, `burst-1-5000@400`, `crash-1-100@500`, `add-one@600`, `add-stop@600`.
    /// Servers are counted from 1, as the page shows them.
    pub fn to_text(&self) -> String {
        let body = match self.kind {
            FaultKind::ClockBack { server, by_ms } => format!("back-{}-{by_ms}", server + 1),
            FaultKind::FreezeClock { server, for_ms } => format!("freeze-{}-{for_ms}", server + 1),
            FaultKind::Burst { server, requests } => format!("burst-{}-{requests}", server + 1),
            FaultKind::CrashTicketServer { server, for_ms } => format!("crash-{}-{for_ms}", server + 1),
            FaultKind::AddMultiMasterServer { policy: AddPolicy::OneByOne } => "add-one".to_string(),
            FaultKind::AddMultiMasterServer { policy: AddPolicy::StopTheWorld } => "add-stop".to_string(),
        };
        format!("{body}@{}", self.at_ms)
    }

    /// Reads one fault written by [`Fault::to_text`].
    pub fn parse(text: &str) -> Result<Fault, String> {
        let bad = || {
            format!(
                "\"{}\" is not a fault. Write faults like back-1-10@120 (server 1's clock back 10 ms at \
120 ms), freeze-1-5@300, burst-1-5000@400, crash-1-100@500, add-one@600 or add-stop@600.",
                text.chars().take(40).collect::<String>()
            )
        };
        let (body, at) = text.trim().split_once('@').ok_or_else(bad)?;
        let at_ms: u64 = at.parse().map_err(|_| bad())?;
        let parts: Vec<&str> = body.split('-').collect();
        let num = |i: usize| parts.get(i).and_then(|p| p.parse::<u64>().ok()).ok_or_else(bad);
        let server = || -> Result<u32, String> {
            let n = num(1)?;
            if (1..=u64::from(MAX_SERVERS)).contains(&n) { Ok(n as u32 - 1) } else { Err(bad()) }
        };
        let kind = match (parts[0], parts.len()) {
            ("back", 3) => FaultKind::ClockBack { server: server()?, by_ms: num(2)? },
            ("freeze", 3) => FaultKind::FreezeClock { server: server()?, for_ms: num(2)? },
            ("burst", 3) => {
                FaultKind::Burst { server: server()?, requests: u32::try_from(num(2)?).map_err(|_| bad())? }
            }
            ("crash", 3) => FaultKind::CrashTicketServer { server: server()?, for_ms: num(2)? },
            ("add", 2) if parts[1] == "one" => {
                FaultKind::AddMultiMasterServer { policy: AddPolicy::OneByOne }
            }
            ("add", 2) if parts[1] == "stop" => {
                FaultKind::AddMultiMasterServer { policy: AddPolicy::StopTheWorld }
            }
            _ => return Err(bad()),
        };
        Ok(Fault { at_ms, kind })
    }
}

/// Everything that defines a run.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct RunConfig {
    /// Seeds the UUID generators.
    pub seed: u64,
    /// Generator servers per scheme (1 to 8).
    pub servers: u32,
    /// Requests per millisecond the client sends to each scheme (0 to 50).
    pub rate_per_ms: u32,
    /// Length of the run (1 to 10,000 ms).
    pub duration_ms: u64,
    /// The true Unix time at the start, in ms.
    pub start_unix_ms: u64,
    pub snowflake: SnowflakePreset,
    pub clock_policy: ClockPolicy,
    pub ticket_width: TicketWidth,
    pub faults: Vec<Fault>,
}

/// 2024-01-01 00:00:00 UTC, the default start of a run.
pub const DEFAULT_START_UNIX_MS: u64 = 1_704_067_200_000;
pub const MAX_SERVERS: u32 = 8;
pub const MAX_RATE_PER_MS: u32 = 50;
pub const MAX_DURATION_MS: u64 = 10_000;
pub const MAX_BURST: u32 = 100_000;
/// Requests one scheme may receive in a run (the workload and all bursts together).
pub const MAX_REQUESTS: u64 = 120_000;

impl Default for RunConfig {
    fn default() -> RunConfig {
        RunConfig {
            seed: 1,
            servers: 2,
            rate_per_ms: 4,
            duration_ms: 1_000,
            start_unix_ms: DEFAULT_START_UNIX_MS,
            snowflake: SnowflakePreset::Twitter,
            clock_policy: ClockPolicy::Refuse,
            ticket_width: TicketWidth::Bits64,
            faults: Vec::new(),
        }
    }
}

impl RunConfig {
    /// A configuration from a link's query pairs. Missing keys take the default; a value that does
    /// not parse is reported with its key and the default is used instead, so a bad link still
    /// opens. Keys: `seed`, `servers`, `rate`, `ms`, `start` (Unix ms or a UTC date), `layout`
    /// (twitter, discord), `clock` (refuse, wait), `tickets` (32, 64), `faults` (comma-separated
    /// [`Fault::to_text`]).
    pub fn from_query<'a>(
        pairs: impl IntoIterator<Item = (&'a str, &'a str)>,
    ) -> (RunConfig, Vec<(&'static str, String)>) {
        let mut config = RunConfig::default();
        let mut errors = Vec::new();
        fn number<T: std::str::FromStr>(value: &str) -> Option<T> {
            value.trim().replace([',', '_'], "").parse().ok()
        }
        for (key, value) in pairs {
            match key {
                "seed" => match number::<u64>(value) {
                    Some(v) => config.seed = v,
                    None => errors.push(("seed", "Enter the seed as a whole number.".to_string())),
                },
                "servers" => match number::<u32>(value).filter(|v| (1..=MAX_SERVERS).contains(v)) {
                    Some(v) => config.servers = v,
                    None => errors.push(("servers", format!("Choose from 1 to {MAX_SERVERS} servers."))),
                },
                "rate" => match number::<u32>(value).filter(|v| *v <= MAX_RATE_PER_MS) {
                    Some(v) => config.rate_per_ms = v,
                    None => errors.push((
                        "rate",
                        format!("Choose from 0 to {MAX_RATE_PER_MS} requests per millisecond."),
                    )),
                },
                "ms" => match number::<u64>(value).filter(|v| (1..=MAX_DURATION_MS).contains(v)) {
                    Some(v) => config.duration_ms = v,
                    None => errors.push(("ms", "Choose a run of 1 to 10,000 ms.".to_string())),
                },
                "start" => match super::utc::parse_unix_ms(value) {
                    Ok(v) => config.start_unix_ms = v,
                    Err(e) => errors.push(("start", e)),
                },
                "layout" => match SnowflakePreset::from_key(value) {
                    Some(v) => config.snowflake = v,
                    None => {
                        errors.push(("layout", "Choose the twitter or discord snowflake layout.".to_string()))
                    }
                },
                "clock" => match ClockPolicy::from_key(value) {
                    Some(v) => config.clock_policy = v,
                    None => errors
                        .push(("clock", "Choose refuse or wait for a clock that moves back.".to_string())),
                },
                "tickets" => match value {
                    "32" => config.ticket_width = TicketWidth::Bits32,
                    "64" => config.ticket_width = TicketWidth::Bits64,
                    _ => errors.push(("tickets", "Choose 32- or 64-bit ticket tables.".to_string())),
                },
                "faults" => {
                    for text in value.split(',').filter(|t| !t.trim().is_empty()) {
                        match Fault::parse(text) {
                            Ok(f) => config.faults.push(f),
                            Err(e) => errors.push(("faults", e)),
                        }
                    }
                }
                _ => {}
            }
        }
        (config, errors)
    }

    /// The configuration as query pairs; defaults are left out to keep links short.
    pub fn to_query(&self) -> Vec<(&'static str, String)> {
        let d = RunConfig::default();
        let mut q = Vec::new();
        if self.seed != d.seed {
            q.push(("seed", self.seed.to_string()));
        }
        if self.servers != d.servers {
            q.push(("servers", self.servers.to_string()));
        }
        if self.rate_per_ms != d.rate_per_ms {
            q.push(("rate", self.rate_per_ms.to_string()));
        }
        if self.duration_ms != d.duration_ms {
            q.push(("ms", self.duration_ms.to_string()));
        }
        if self.start_unix_ms != d.start_unix_ms {
            q.push(("start", self.start_unix_ms.to_string()));
        }
        if self.snowflake != d.snowflake {
            q.push(("layout", self.snowflake.key().to_string()));
        }
        if self.clock_policy != d.clock_policy {
            q.push(("clock", self.clock_policy.key().to_string()));
        }
        if self.ticket_width != d.ticket_width {
            q.push(("tickets", self.ticket_width.bits().to_string()));
        }
        if !self.faults.is_empty() {
            q.push(("faults", self.faults.iter().map(Fault::to_text).collect::<Vec<_>>().join(",")));
        }
        q
    }

    /// Checks the configuration; the message says what to change.
    pub fn check(&self) -> Result<(), String> {
        if !(1..=MAX_SERVERS).contains(&self.servers) {
            return Err(format!("Choose from 1 to {MAX_SERVERS} servers."));
        }
        if self.rate_per_ms > MAX_RATE_PER_MS {
            return Err(format!("Choose from 0 to {MAX_RATE_PER_MS} requests per millisecond."));
        }
        if !(1..=MAX_DURATION_MS).contains(&self.duration_ms) {
            return Err(format!(
                "Choose a run of 1 to {} ms.",
                crate::format::group_digits(MAX_DURATION_MS.into())
            ));
        }
        if u128::from(self.start_unix_ms) > super::utc::MAX_UNIX_MS as u128 {
            return Err("Start the run before the year 10000.".to_string());
        }
        let mut requests = u64::from(self.rate_per_ms) * self.duration_ms;
        for fault in &self.faults {
            self.check_fault(fault)?;
            if let FaultKind::Burst { requests: r, .. } = fault.kind {
                requests += u64::from(r);
            }
        }
        if requests > MAX_REQUESTS {
            return Err(format!(
                "This run would send {} requests to each scheme; keep it to {} (fewer requests per ms, a shorter run or smaller bursts).",
                crate::format::group_digits(requests.into()),
                crate::format::group_digits(MAX_REQUESTS.into())
            ));
        }
        Ok(())
    }

    fn check_fault(&self, fault: &Fault) -> Result<(), String> {
        if fault.at_ms >= self.duration_ms {
            return Err(format!(
                "A fault at {} ms falls after the run's end ({} ms): move it earlier or lengthen the run.",
                fault.at_ms, self.duration_ms
            ));
        }
        let server_ok = |server: u32| {
            if server < self.servers {
                Ok(())
            } else {
                Err(format!("There is no server {} in a run with {} servers.", server + 1, self.servers))
            }
        };
        match fault.kind {
            FaultKind::ClockBack { server, by_ms } => {
                server_ok(server)?;
                if !(1..=MAX_DURATION_MS).contains(&by_ms) {
                    return Err("Move a clock back by 1 to 10,000 ms.".to_string());
                }
            }
            FaultKind::FreezeClock { server, for_ms } | FaultKind::CrashTicketServer { server, for_ms } => {
                server_ok(server)?;
                if !(1..=MAX_DURATION_MS).contains(&for_ms) {
                    return Err("Make the outage last 1 to 10,000 ms.".to_string());
                }
            }
            FaultKind::Burst { server, requests } => {
                server_ok(server)?;
                if !(1..=MAX_BURST).contains(&requests) {
                    return Err("Make a burst of 1 to 100,000 requests.".to_string());
                }
            }
            FaultKind::AddMultiMasterServer { .. } => {}
        }
        Ok(())
    }
}

/// One issued ID.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct IssuedId {
    pub scheme: Scheme,
    /// The server or generator that made it (0-based).
    pub generator: u32,
    /// True time of issue, ms after the start.
    pub at_ms: u64,
    /// What the generator's clock read (Unix ms), for the clock-reading schemes.
    pub clock_unix_ms: u64,
    pub id: u128,
    /// How long the request waited before it was served.
    pub waited_ms: u64,
}

impl IssuedId {
    /// The ID as people write it: decimal, or the standard 8-4-4-4-12 text for UUIDs.
    pub fn text(&self) -> String {
        match self.scheme {
            Scheme::UuidV4 | Scheme::UuidV7 => ::uuid::Uuid::from_u128(self.id).hyphenated().to_string(),
            _ => self.id.to_string(),
        }
    }
}

/// Something that happened, for the run's log.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Event {
    pub at_ms: u64,
    pub text: String,
}

/// Counts kept per scheme.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct SchemeStats {
    pub requested: u64,
    pub issued: u64,
    /// Failed requests by reason.
    pub failures: BTreeMap<&'static str, u64>,
    /// Requests that had to wait at least one millisecond.
    pub waited: u64,
    pub max_wait_ms: u64,
    /// The most IDs one generator issued in one millisecond.
    pub peak_per_ms: u64,
    /// Servers asked, in all (more than one per ID when the client met servers that were down).
    pub round_trips: u64,
}

impl SchemeStats {
    pub fn failed(&self) -> u64 {
        self.failures.values().sum()
    }
}

/// One scheme's results.
#[derive(Clone, Debug, PartialEq)]
pub struct SchemeReport {
    pub scheme: Scheme,
    pub generators: u32,
    pub bits: u32,
    pub stats: SchemeStats,
    /// Requests still waiting in a queue.
    pub waiting: u64,
    /// IDs issued per second of run time, per generator.
    pub ids_per_s_per_generator: f64,
    pub check: CheckReport,
}

/// The results of a run so far.
#[derive(Clone, Debug, PartialEq)]
pub struct RunReport {
    pub elapsed_ms: u64,
    pub schemes: Vec<SchemeReport>,
}

impl RunReport {
    pub fn scheme(&self, scheme: Scheme) -> &SchemeReport {
        &self.schemes[scheme_index(scheme)]
    }
}

fn scheme_index(scheme: Scheme) -> usize {
    Scheme::ALL.iter().position(|s| *s == scheme).unwrap_or(0)
}

/// A server's clock as the page shows it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ClockView {
    pub reading_unix_ms: u64,
    /// Reading minus true time: negative when the clock is behind.
    pub off_by_ms: i128,
    pub frozen: bool,
}

/// A server's clock: true time plus an offset, or stuck at a value while frozen.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
struct Clock {
    offset_ms: i64,
    /// Frozen until this true Unix ms, at this reading.
    frozen: Option<(u64, u64)>,
}

impl Clock {
    fn read(&self, true_unix_ms: u64) -> u64 {
        match self.frozen {
            Some((until, value)) if true_unix_ms < until => value,
            _ => true_unix_ms.saturating_add_signed(self.offset_ms),
        }
    }
}

enum Attempt {
    Issued { generator: u32, id: u128, tries: u32 },
    Wait(WaitReason),
    Failed { reason: &'static str, tries: u32 },
}

#[derive(Clone, Debug, Default)]
struct Lane {
    issued: Vec<IssuedId>,
    stats: SchemeStats,
    /// Arrival times of queued requests, per generator (one queue for the round-robin groups).
    queues: Vec<VecDeque<u64>>,
    /// Whether each queue was waiting at the end of the last millisecond.
    was_waiting: Vec<bool>,
    round_robin: u64,
}

/// How many recent IDs the run keeps for the streaming table.
pub const RECENT: usize = 200;
/// How many events the log keeps.
pub const MAX_EVENTS: usize = 300;

/// A run in progress.
#[derive(Clone, Debug)]
pub struct Run {
    config: RunConfig,
    /// Milliseconds simulated so far.
    elapsed_ms: u64,
    clocks: Vec<Clock>,
    lanes: Vec<Lane>,
    multi_master: MultiMaster,
    tickets: TicketService,
    snowflakes: Vec<Snowflake>,
    shards: Vec<InstagramShard>,
    v4: Vec<UuidV4Generator>,
    v7: Vec<UuidV7Generator>,
    /// Faults sorted by time, and the index of the next one to apply.
    faults: Vec<Fault>,
    next_fault: usize,
    /// Ticket servers to bring back: (true ms after start, server).
    recoveries: Vec<(u64, u32)>,
    recent: VecDeque<IssuedId>,
    events: Vec<Event>,
    events_dropped: u64,
}

impl Run {
    pub fn new(config: RunConfig) -> Result<Run, String> {
        config.check()?;
        let n = config.servers;
        let layout = config.snowflake.layout();
        let snowflakes = (0..n)
            .map(|i| Snowflake::new(layout.clone(), &config.snowflake.node(i), config.clock_policy))
            .collect::<Result<Vec<_>, _>>()?;
        let shards = (0..n).map(|i| InstagramShard::new(u64::from(i))).collect::<Result<Vec<_>, _>>()?;
        let seed_for = |scheme: u64, i: u32| {
            config.seed.wrapping_mul(0x9e37_79b9_7f4a_7c15).wrapping_add(scheme << 32 | u64::from(i))
        };
        let lanes = Scheme::ALL
            .iter()
            .map(|s| {
                let queues = if s.per_server() { n as usize } else { 1 };
                Lane {
                    queues: vec![VecDeque::new(); queues],
                    was_waiting: vec![false; queues],
                    ..Lane::default()
                }
            })
            .collect();
        let mut faults = config.faults.clone();
        faults.sort();
        Ok(Run {
            elapsed_ms: 0,
            clocks: vec![Clock::default(); n as usize],
            lanes,
            multi_master: MultiMaster::new(n as usize)?,
            tickets: TicketService::new(n as usize)?,
            snowflakes,
            shards,
            v4: (0..n).map(|i| UuidV4Generator::new(seed_for(4, i))).collect(),
            v7: (0..n).map(|i| UuidV7Generator::new(seed_for(7, i))).collect(),
            faults,
            next_fault: 0,
            recoveries: Vec::new(),
            recent: VecDeque::with_capacity(RECENT),
            events: Vec::new(),
            events_dropped: 0,
            config,
        })
    }

    pub fn config(&self) -> &RunConfig {
        &self.config
    }

    pub fn elapsed_ms(&self) -> u64 {
        self.elapsed_ms
    }

    pub fn finished(&self) -> bool {
        self.elapsed_ms >= self.config.duration_ms
    }

    /// The true Unix time now.
    pub fn now_unix_ms(&self) -> u64 {
        self.config.start_unix_ms.saturating_add(self.elapsed_ms)
    }

    /// What server `server`'s clock reads now.
    pub fn clock_unix_ms(&self, server: u32) -> Option<u64> {
        self.clocks.get(server as usize).map(|c| c.read(self.now_unix_ms()))
    }

    /// Server `server`'s clock now: its reading, how far it is off the true time, and whether it
    /// is frozen.
    pub fn clock(&self, server: u32) -> Option<ClockView> {
        let now = self.now_unix_ms();
        self.clocks.get(server as usize).map(|c| ClockView {
            reading_unix_ms: c.read(now),
            off_by_ms: c.read(now) as i128 - now as i128,
            frozen: c.frozen.is_some_and(|(until, _)| now < until),
        })
    }

    /// Everything one scheme issued, in issue order.
    pub fn issued(&self, scheme: Scheme) -> &[IssuedId] {
        &self.lanes[scheme_index(scheme)].issued
    }

    /// The last IDs issued by any scheme, oldest first.
    pub fn recent(&self) -> impl Iterator<Item = &IssuedId> {
        self.recent.iter()
    }

    pub fn events(&self) -> &[Event] {
        &self.events
    }

    /// Events left out of the log because it was full.
    pub fn events_dropped(&self) -> u64 {
        self.events_dropped
    }

    pub fn multi_master(&self) -> &MultiMaster {
        &self.multi_master
    }

    pub fn tickets(&self) -> &TicketService {
        &self.tickets
    }

    /// The snowflake layout of this run.
    pub fn snowflake_layout(&self) -> &Layout {
        self.snowflakes[0].layout()
    }

    /// Adds a fault to the schedule (for a button pressed during the run: `at_ms` is usually
    /// [`Run::elapsed_ms`]). A fault in the past cannot be added.
    pub fn add_fault(&mut self, fault: Fault) -> Result<(), String> {
        if fault.at_ms < self.elapsed_ms {
            return Err(format!(
                "The run is already at {} ms; a fault cannot go back in time.",
                self.elapsed_ms
            ));
        }
        let mut config = self.config.clone();
        config.faults.push(fault);
        config.check()?;
        self.config = config;
        let at = self.faults[self.next_fault..].partition_point(|f| *f <= fault) + self.next_fault;
        self.faults.insert(at, fault);
        Ok(())
    }

    /// Runs until `elapsed_ms` reaches `t` (or the end of the run).
    pub fn run_to(&mut self, t: u64) {
        while self.elapsed_ms < t.min(self.config.duration_ms) {
            self.step();
        }
    }

    /// Runs to the end.
    pub fn run_all(&mut self) {
        self.run_to(self.config.duration_ms);
    }

    /// Simulates one millisecond.
    pub fn step(&mut self) {
        if self.finished() {
            return;
        }
        let t = self.elapsed_ms;
        let now = self.now_unix_ms();
        self.recover_ticket_servers(t);
        let mut bursts: Vec<(u32, u32)> = Vec::new();
        while let Some(fault) = self.faults.get(self.next_fault).copied().filter(|f| f.at_ms <= t) {
            self.next_fault += 1;
            self.apply(fault, now, &mut bursts);
        }
        for (lane_index, scheme) in Scheme::ALL.into_iter().enumerate() {
            let lane = &mut self.lanes[lane_index];
            let queues = lane.queues.len() as u64;
            for _ in 0..self.config.rate_per_ms {
                let q = (lane.round_robin % queues) as usize;
                lane.round_robin += 1;
                lane.queues[q].push_back(t);
            }
            for &(server, requests) in &bursts {
                let q = if scheme.per_server() { server as usize } else { 0 };
                lane.queues[q].extend(std::iter::repeat_n(t, requests as usize));
            }
            lane.stats.requested +=
                u64::from(self.config.rate_per_ms) + bursts.iter().map(|b| u64::from(b.1)).sum::<u64>();
            for q in 0..lane.queues.len() {
                self.serve(scheme, lane_index, q, t, now);
            }
        }
        self.elapsed_ms += 1;
    }

    fn log(&mut self, at_ms: u64, text: String) {
        if self.events.len() < MAX_EVENTS {
            self.events.push(Event { at_ms, text });
        } else {
            self.events_dropped += 1;
        }
    }

    fn recover_ticket_servers(&mut self, t: u64) {
        let due: Vec<u32> = self.recoveries.iter().filter(|r| r.0 <= t).map(|r| r.1).collect();
        self.recoveries.retain(|r| r.0 > t);
        for server in due {
            if !self.recoveries.iter().any(|r| r.1 == server) {
                self.tickets.set_up(server as usize, true);
                self.log(t, format!("Ticket server {} is back.", server + 1));
            }
        }
    }

    fn apply(&mut self, fault: Fault, now: u64, bursts: &mut Vec<(u32, u32)>) {
        let t = self.elapsed_ms;
        self.log(t, fault.kind.describe());
        match fault.kind {
            FaultKind::ClockBack { server, by_ms } => {
                let clock = &mut self.clocks[server as usize];
                let reading = clock.read(now);
                clock.offset_ms = clock.offset_ms.saturating_sub(by_ms as i64);
                // A frozen clock that is moved back stays frozen, at the earlier reading.
                if let Some((until, _)) = clock.frozen.filter(|f| now < f.0) {
                    clock.frozen = Some((until, reading.saturating_sub(by_ms)));
                }
            }
            FaultKind::FreezeClock { server, for_ms } => {
                let clock = &mut self.clocks[server as usize];
                let reading = clock.read(now);
                let until = now.saturating_add(for_ms);
                clock.frozen = Some((until.max(clock.frozen.map_or(0, |f| f.0)), reading));
            }
            FaultKind::Burst { server, requests } => bursts.push((server, requests)),
            FaultKind::CrashTicketServer { server, for_ms } => {
                self.tickets.set_up(server as usize, false);
                self.recoveries.push((t.saturating_add(for_ms), server));
            }
            FaultKind::AddMultiMasterServer { policy } => {
                if let Err(message) = self.multi_master.add_server(policy) {
                    self.log(t, message);
                }
            }
        }
    }

    fn attempt(&mut self, scheme: Scheme, q: usize, clock: u64) -> Attempt {
        let generator = q as u32;
        let issued = |id: u128| Attempt::Issued { generator, id, tries: 1 };
        match scheme {
            Scheme::Snowflake => match self.snowflakes[q].next_id(clock) {
                Next::Issued(id) => issued(id.into()),
                Next::Wait { reason, .. } => Attempt::Wait(reason),
                Next::Refused(r) => Attempt::Failed { reason: r.label(), tries: 1 },
            },
            Scheme::Instagram => match self.shards[q].next_id(clock) {
                InstagramNext::Issued(id) => issued(id.into()),
                InstagramNext::Refused(r) => Attempt::Failed { reason: r.label(), tries: 1 },
            },
            Scheme::UuidV4 => issued(self.v4[q].next_uuid().as_u128()),
            Scheme::UuidV7 => issued(self.v7[q].next_uuid(clock).as_u128()),
            Scheme::MultiMaster => match self.multi_master.next_id() {
                MultiMasterNext::Issued { server, id, tries } => {
                    Attempt::Issued { generator: server as u32, id: id.into(), tries }
                }
                MultiMasterNext::AllDown { tries } => Attempt::Failed { reason: "every server down", tries },
                MultiMasterNext::Exhausted { .. } => Attempt::Failed { reason: "column full", tries: 1 },
            },
            Scheme::TicketServer => match self.tickets.next_id(self.config.ticket_width) {
                TicketNext::Issued { server, id, tries } => {
                    Attempt::Issued { generator: server as u32, id: id.into(), tries }
                }
                TicketNext::Unavailable { tries } => {
                    Attempt::Failed { reason: "every ticket server down", tries }
                }
                TicketNext::Exhausted { .. } => Attempt::Failed { reason: "ticket table full", tries: 1 },
            },
        }
    }

    fn serve(&mut self, scheme: Scheme, lane_index: usize, q: usize, t: u64, now: u64) {
        let clock = if scheme.per_server() { self.clocks[q].read(now) } else { now };
        let mut per_generator: BTreeMap<u32, u64> = BTreeMap::new();
        let mut failures: BTreeMap<&'static str, u64> = BTreeMap::new();
        let mut wait = None;
        while let Some(&arrived) = self.lanes[lane_index].queues[q].front() {
            match self.attempt(scheme, q, clock) {
                Attempt::Issued { generator, id, tries } => {
                    let lane = &mut self.lanes[lane_index];
                    lane.queues[q].pop_front();
                    let waited_ms = t - arrived;
                    let issued =
                        IssuedId { scheme, generator, at_ms: t, clock_unix_ms: clock, id, waited_ms };
                    lane.issued.push(issued);
                    lane.stats.issued += 1;
                    lane.stats.round_trips += u64::from(tries);
                    if waited_ms > 0 {
                        lane.stats.waited += 1;
                        lane.stats.max_wait_ms = lane.stats.max_wait_ms.max(waited_ms);
                    }
                    *per_generator.entry(generator).or_default() += 1;
                    if self.recent.len() == RECENT {
                        self.recent.pop_front();
                    }
                    self.recent.push_back(issued);
                }
                Attempt::Wait(reason) => {
                    wait = Some(reason);
                    break;
                }
                Attempt::Failed { reason, tries } => {
                    let lane = &mut self.lanes[lane_index];
                    lane.queues[q].pop_front();
                    lane.stats.round_trips += u64::from(tries);
                    *lane.stats.failures.entry(reason).or_default() += 1;
                    *failures.entry(reason).or_default() += 1;
                }
            }
        }
        let lane = &mut self.lanes[lane_index];
        let peak = per_generator.values().copied().max().unwrap_or(0);
        lane.stats.peak_per_ms = lane.stats.peak_per_ms.max(peak);
        let started_waiting = wait.is_some() && !lane.was_waiting[q];
        lane.was_waiting[q] = wait.is_some();
        let waiting = lane.queues[q].len();
        let who = if scheme.per_server() {
            format!("{} on server {}", scheme.label(), q + 1)
        } else {
            scheme.label().to_string()
        };
        for (reason, n) in failures {
            let s = if n == 1 { "" } else { "s" };
            self.log(t, format!("{who} failed {n} request{s}: {reason}."));
        }
        if started_waiting {
            let why = match wait {
                Some(WaitReason::SequenceExhausted) => "the sequence of this millisecond is used up",
                _ => "its clock is behind the last ID's time",
            };
            let s = if waiting == 1 { "" } else { "s" };
            self.log(t, format!("{who}: {waiting} request{s} wait, {why}."));
        }
    }

    /// The results so far: counts, and the checker's findings for each scheme.
    pub fn report(&self) -> RunReport {
        let seconds = self.elapsed_ms as f64 / 1000.0;
        let schemes = Scheme::ALL
            .into_iter()
            .zip(&self.lanes)
            .map(|(scheme, lane)| {
                let generators = match scheme {
                    Scheme::MultiMaster => self.multi_master.servers().len() as u32,
                    _ => self.config.servers,
                };
                let records: Vec<Record> = lane
                    .issued
                    .iter()
                    .map(|i| Record { generator: i.generator, at_ms: i.at_ms, id: i.id })
                    .collect();
                let bits = match scheme {
                    Scheme::UuidV4 | Scheme::UuidV7 => 128,
                    Scheme::TicketServer => self.config.ticket_width.bits(),
                    _ => 64,
                };
                let rate = if seconds > 0.0 {
                    lane.stats.issued as f64 / seconds / f64::from(generators)
                } else {
                    0.0
                };
                SchemeReport {
                    scheme,
                    generators,
                    bits,
                    stats: lane.stats.clone(),
                    waiting: lane.queues.iter().map(|q| q.len() as u64).sum(),
                    ids_per_s_per_generator: rate,
                    check: checker::check(&records),
                }
            })
            .collect();
        RunReport { elapsed_ms: self.elapsed_ms, schemes }
    }

    /// The time a snowflake or Instagram ID of this run encodes, for the inspector.
    pub fn utc_of(&self, issued: &IssuedId) -> Option<UtcTime> {
        match issued.scheme {
            Scheme::Snowflake => Some(self.snowflake_layout().decode(issued.id as u64).utc),
            Scheme::Instagram => Some(Layout::instagram().decode(issued.id as u64).utc),
            Scheme::UuidV7 => Some(UtcTime::from_unix_ms((issued.id >> 80) as i128)),
            _ => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run(config: RunConfig) -> Run {
        let mut run = Run::new(config).unwrap();
        run.run_all();
        run
    }

    #[test]
    fn a_quiet_run_issues_every_request_once_and_in_order() {
        let r = run(RunConfig { duration_ms: 100, rate_per_ms: 3, ..RunConfig::default() }).report();
        for s in &r.schemes {
            assert_eq!(
                (s.stats.requested, s.stats.issued, s.stats.failed()),
                (300, 300, 0),
                "{:?}",
                s.scheme
            );
            assert_eq!(s.check.duplicates, 0, "{:?}", s.scheme);
            assert_eq!(s.generators, 2);
            assert_eq!(s.ids_per_s_per_generator, 1_500.0, "{:?}", s.scheme);
            if s.scheme != Scheme::UuidV4 {
                assert!(s.check.per_generator.iter().all(|g| g.not_increasing == 0), "{:?}", s.scheme);
            }
        }
        // Round robin over two servers keeps the counters in step: 1, 2, 3 ... in order.
        assert_eq!(r.scheme(Scheme::MultiMaster).check.out_of_order, 0);
        assert_eq!(r.scheme(Scheme::TicketServer).check.out_of_order, 0);
        // Random UUIDs are in no order at all.
        assert!(r.scheme(Scheme::UuidV4).check.out_of_order > 100);
        // Time-based IDs from two servers with equal clocks are sorted to the millisecond.
        for s in [Scheme::Snowflake, Scheme::Instagram, Scheme::UuidV7] {
            assert_eq!(r.scheme(s).check.max_disorder_ms, 0, "{s:?}");
        }
    }

    #[test]
    fn same_config_same_run() {
        let config = RunConfig {
            duration_ms: 50,
            faults: vec![Fault { at_ms: 10, kind: FaultKind::ClockBack { server: 0, by_ms: 5 } }],
            ..RunConfig::default()
        };
        let a = run(config.clone());
        let b = run(config);
        for s in Scheme::ALL {
            assert_eq!(a.issued(s), b.issued(s));
        }
        assert_eq!(a.events(), b.events());
    }

    #[test]
    fn frozen_clock_and_burst_cap_a_snowflake_worker_at_4096_per_ms() {
        let config = RunConfig {
            duration_ms: 20,
            rate_per_ms: 1,
            faults: vec![
                Fault { at_ms: 5, kind: FaultKind::FreezeClock { server: 0, for_ms: 3 } },
                Fault { at_ms: 5, kind: FaultKind::Burst { server: 0, requests: 5_000 } },
            ],
            ..RunConfig::default()
        };
        let run = run(config);
        let report = run.report();
        let snow = report.scheme(Scheme::Snowflake);
        assert_eq!(snow.stats.peak_per_ms, 4_096);
        assert_eq!(snow.check.duplicates, 0);
        assert_eq!(snow.stats.failed(), 0);
        // The clock is frozen at t = 5 for 3 ms: 4,096 IDs at its reading, the rest wait until
        // the clock moves again at t = 8.
        let frozen_ms = DEFAULT_START_UNIX_MS + 5;
        let at_frozen =
            run.issued(Scheme::Snowflake).iter().filter(|i| i.clock_unix_ms == frozen_ms && i.generator == 0);
        assert_eq!(at_frozen.count(), 4_096);
        assert_eq!(snow.stats.max_wait_ms, 3);
        assert_eq!(snow.stats.issued, snow.stats.requested);
        // Instagram's shard 0 wrapped its 10-bit sequence in that millisecond.
        let insta = report.scheme(Scheme::Instagram);
        assert_eq!(insta.check.duplicates, 5_001 - 1_024);
        assert_eq!(insta.stats.peak_per_ms, 5_000);
    }

    #[test]
    fn clock_moved_back_refused_or_waited_but_never_duplicated() {
        for (policy, failed, waited) in [(ClockPolicy::Refuse, 9, 0), (ClockPolicy::WaitOut, 0, 9)] {
            let config = RunConfig {
                duration_ms: 100,
                rate_per_ms: 2,
                clock_policy: policy,
                faults: vec![Fault { at_ms: 50, kind: FaultKind::ClockBack { server: 1, by_ms: 10 } }],
                ..RunConfig::default()
            };
            let report = run(config).report();
            let snow = report.scheme(Scheme::Snowflake);
            assert_eq!(snow.check.duplicates, 0, "{policy:?}");
            // Server 2 gets one request a millisecond; its last ID carries t = 49. From t = 50 its
            // clock reads 10 ms behind, so the requests of t = 50 to 58 (clock 40 to 48) are
            // refused, or wait until t = 59, when the clock reads 49 again and the sequence goes on.
            assert_eq!(snow.stats.failed(), failed, "{policy:?}");
            assert_eq!(snow.stats.waited, waited, "{policy:?}");
            assert_eq!(snow.stats.max_wait_ms, waited, "{policy:?}");
            assert_eq!(report.scheme(Scheme::UuidV7).check.duplicates, 0);
            assert!(report.scheme(Scheme::UuidV7).check.per_generator.iter().all(|g| g.not_increasing == 0));
        }
    }

    #[test]
    fn one_ticket_server_fails_while_down_and_the_pair_does_not() {
        for (servers, failed) in [(1, 100), (2, 0)] {
            let config = RunConfig {
                servers,
                duration_ms: 200,
                rate_per_ms: 1,
                faults: vec![Fault {
                    at_ms: 50,
                    kind: FaultKind::CrashTicketServer { server: 0, for_ms: 100 },
                }],
                ..RunConfig::default()
            };
            let report = run(config).report();
            let t = report.scheme(Scheme::TicketServer);
            assert_eq!(t.stats.failed(), failed, "{servers} servers");
            assert_eq!(t.check.duplicates, 0);
        }
    }

    #[test]
    fn adding_a_multi_master_server_one_by_one_repeats_ids() {
        let add = |policy| RunConfig {
            duration_ms: 100,
            rate_per_ms: 2,
            faults: vec![Fault { at_ms: 50, kind: FaultKind::AddMultiMasterServer { policy } }],
            ..RunConfig::default()
        };
        let one_by_one = run(add(AddPolicy::OneByOne)).report();
        let mm = one_by_one.scheme(Scheme::MultiMaster);
        assert_eq!(mm.generators, 3);
        // 100 IDs before (1..=100); after: server 3 counts 3, 6, 9 ... up through old IDs.
        assert_eq!(mm.check.duplicates, 34);
        let stop = run(add(AddPolicy::StopTheWorld)).report();
        assert_eq!(stop.scheme(Scheme::MultiMaster).check.duplicates, 0);
    }

    #[test]
    fn bad_configs_are_explained() {
        let base = RunConfig::default();
        for (config, message) in [
            (RunConfig { servers: 0, ..base.clone() }, "Choose from 1 to 8 servers."),
            (RunConfig { rate_per_ms: 51, ..base.clone() }, "Choose from 0 to 50 requests per millisecond."),
            (RunConfig { duration_ms: 0, ..base.clone() }, "Choose a run of 1 to 10,000 ms."),
            (
                RunConfig { duration_ms: 10_000, rate_per_ms: 50, ..base.clone() },
                "This run would send 500,000 requests to each scheme; keep it to 120,000 (fewer requests per ms, a shorter run or smaller bursts).",
            ),
            (
                RunConfig {
                    faults: vec![Fault { at_ms: 5, kind: FaultKind::ClockBack { server: 2, by_ms: 5 } }],
                    ..base.clone()
                },
                "There is no server 3 in a run with 2 servers.",
            ),
            (
                RunConfig {
                    faults: vec![Fault { at_ms: 1_000, kind: FaultKind::ClockBack { server: 0, by_ms: 5 } }],
                    ..base.clone()
                },
                "A fault at 1000 ms falls after the run's end (1000 ms): move it earlier or lengthen the run.",
            ),
        ] {
            assert_eq!(Run::new(config).err(), Some(message.to_string()));
        }
    }

    #[test]
    fn faults_read_and_write_as_link_text() {
        for (text, fault) in [
            ("back-1-10@120", Fault { at_ms: 120, kind: FaultKind::ClockBack { server: 0, by_ms: 10 } }),
            ("freeze-2-5@300", Fault { at_ms: 300, kind: FaultKind::FreezeClock { server: 1, for_ms: 5 } }),
            ("burst-1-5000@400", Fault { at_ms: 400, kind: FaultKind::Burst { server: 0, requests: 5_000 } }),
            (
                "crash-8-100@0",
                Fault { at_ms: 0, kind: FaultKind::CrashTicketServer { server: 7, for_ms: 100 } },
            ),
            (
                "add-one@600",
                Fault { at_ms: 600, kind: FaultKind::AddMultiMasterServer { policy: AddPolicy::OneByOne } },
            ),
            (
                "add-stop@6",
                Fault { at_ms: 6, kind: FaultKind::AddMultiMasterServer { policy: AddPolicy::StopTheWorld } },
            ),
        ] {
            assert_eq!(Fault::parse(text), Ok(fault), "{text}");
            assert_eq!(fault.to_text(), text);
        }
        for text in [
            "",
            "back-0-10@1",
            "back-9-10@1",
            "back-1@1",
            "burst-1-99999999999@1",
            "add-all@1",
            "back-1-10",
            "x@1",
        ] {
            assert!(Fault::parse(text).unwrap_err().contains("is not a fault"), "{text}");
        }
    }

    #[test]
    fn config_round_trips_through_the_query() {
        let config = RunConfig {
            seed: 99,
            servers: 3,
            rate_per_ms: 7,
            duration_ms: 2_000,
            start_unix_ms: 1_656_432_460_105,
            snowflake: SnowflakePreset::Discord,
            clock_policy: ClockPolicy::WaitOut,
            ticket_width: TicketWidth::Bits32,
            faults: vec![
                Fault { at_ms: 10, kind: FaultKind::ClockBack { server: 2, by_ms: 4 } },
                Fault { at_ms: 20, kind: FaultKind::AddMultiMasterServer { policy: AddPolicy::OneByOne } },
            ],
        };
        let query = config.to_query();
        let (back, errors) = RunConfig::from_query(query.iter().map(|(k, v)| (*k, v.as_str())));
        assert_eq!((back, errors), (config, vec![]));
        assert_eq!(RunConfig::default().to_query(), vec![]);
        let (config, errors) =
            RunConfig::from_query([("servers", "12"), ("faults", "back-1-5@3,nonsense"), ("clock", "maybe")]);
        assert_eq!(config.servers, 2);
        assert_eq!(config.faults.len(), 1);
        let keys: Vec<&str> = errors.iter().map(|e| e.0).collect();
        assert_eq!(keys, ["servers", "faults", "clock"]);
        assert_eq!(errors[0].1, "Choose from 1 to 8 servers.");
    }

    #[test]
    fn faults_added_during_a_run_apply_from_then_on() {
        let mut live = Run::new(RunConfig { duration_ms: 40, ..RunConfig::default() }).unwrap();
        live.run_to(20);
        let fault = Fault { at_ms: 20, kind: FaultKind::ClockBack { server: 0, by_ms: 5 } };
        live.add_fault(fault).unwrap();
        assert!(live.add_fault(Fault { at_ms: 3, ..fault }).is_err());
        assert_eq!(live.clock(0).map(|c| (c.off_by_ms, c.frozen)), Some((0, false)));
        live.run_to(21);
        assert_eq!(live.clock(0).map(|c| (c.off_by_ms, c.frozen)), Some((-5, false)));
        live.run_all();
        // The same run with the fault scheduled from the start.
        let planned = run(RunConfig { duration_ms: 40, faults: vec![fault], ..RunConfig::default() });
        assert_eq!(live.issued(Scheme::Snowflake), planned.issued(Scheme::Snowflake));
        assert_eq!(live.config(), planned.config());
    }
}
