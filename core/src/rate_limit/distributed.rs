//! Distributed limiting: several gateways in front of one API, limiting one client to `limit`
//! requests per fixed window, in the three setups the notes discuss.
//!
//! - **Unsynchronized**: each gateway counts on its own. A load balancer spreads the client over
//!   them, so each lets `limit` through and together they let up to `gateways × limit` through
//!   (the notes, "Issues": without synchronization the limiters cannot be used interchangeably).
//! - **Shared, racy**: the gateways share one counter in a cache, but each does a read (`GET`),
//!   compares, then a write (`SET count + 1`). When another gateway's read falls between the two,
//!   both see the same count and one increment is lost: the race condition the notes describe
//!   ("read-then-write", as Figma's article puts it for its token bucket).
//! - **Shared, atomic**: check and increment are one operation (a Redis Lua script or `INCR`
//!   then compare; the notes: "Redis operations are atomic"), so the count is never lost.
//!
//! Every window, `requests_per_window` requests of the client arrive and the load balancer sends
//! each to a gateway chosen at random; each gateway handles its requests one at a time, and a
//! seeded scheduler picks, at each step, which gateway performs its next cache operation. The
//! over-admission is the number of requests admitted beyond `limit` in each window, summed.

use super::{FixedWindow, Keyed, Millis};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use serde::{Deserialize, Serialize};
use std::collections::VecDeque;

/// How the gateways share (or do not share) the count.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub enum Setup {
    Unsynchronized,
    SharedRacy,
    SharedAtomic,
}

impl Setup {
    pub const ALL: [Setup; 3] = [Setup::Unsynchronized, Setup::SharedRacy, Setup::SharedAtomic];

    pub fn name(self) -> &'static str {
        match self {
            Setup::Unsynchronized => "Each gateway counts alone",
            Setup::SharedRacy => "Shared counter, read then write",
            Setup::SharedAtomic => "Shared counter, atomic",
        }
    }

    pub fn description(self) -> &'static str {
        match self {
            Setup::Unsynchronized => "Every gateway keeps its own fixed-window counter with the full limit.",
            Setup::SharedRacy => {
                "GET the shared count, compare with the limit, SET count + 1: two round trips."
            }
            Setup::SharedAtomic => {
                "One atomic check-and-increment on the shared count (a Lua script in Redis)."
            }
        }
    }
}

/// The parameters of a distributed run.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct DistributedConfig {
    pub gateways: u32,
    pub limit: u32,
    pub window_ms: Millis,
    pub requests_per_window: u32,
    pub windows: u32,
    pub seed: u64,
}

impl Default for DistributedConfig {
    fn default() -> Self {
        DistributedConfig {
            gateways: 3,
            limit: 10,
            window_ms: 1000,
            requests_per_window: 30,
            windows: 100,
            seed: 1,
        }
    }
}

impl DistributedConfig {
    pub fn validate(&self) -> Result<(), String> {
        if !(2..=16).contains(&self.gateways) {
            return Err("Gateways: enter a whole number from 2 to 16.".to_string());
        }
        super::validate_count(self.limit, "Limit per window")?;
        super::validate_window(self.window_ms, "Window length")?;
        if !(1..=100_000).contains(&self.requests_per_window) {
            return Err("Requests per window: enter a whole number from 1 to 100,000.".to_string());
        }
        if !(1..=10_000).contains(&self.windows) {
            return Err("Windows: enter a whole number from 1 to 10,000.".to_string());
        }
        if self.requests_per_window as u64 * self.windows as u64 > 2_000_000 {
            return Err("Requests per window × windows: keep it at most 2,000,000.".to_string());
        }
        Ok(())
    }
}

/// One field of the distributed section's form; its key names it in the URL.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub enum DistParam {
    Gateways,
    Limit,
    PerWindow,
    Windows,
    Seed,
}

impl DistParam {
    pub const ALL: [DistParam; 5] =
        [DistParam::Gateways, DistParam::Limit, DistParam::PerWindow, DistParam::Windows, DistParam::Seed];

    pub fn key(self) -> &'static str {
        match self {
            DistParam::Gateways => "gw",
            DistParam::Limit => "glimit",
            DistParam::PerWindow => "greq",
            DistParam::Windows => "gwin",
            DistParam::Seed => "gseed",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            DistParam::Gateways => "Gateways",
            DistParam::Limit => "Limit per window",
            DistParam::PerWindow => "Requests per window",
            DistParam::Windows => "Windows",
            DistParam::Seed => "Seed",
        }
    }

    pub fn help(self) -> &'static str {
        match self {
            DistParam::Gateways => "Rate limiters in front of the API, behind one load balancer (2 to 16).",
            DistParam::Limit => "Requests the client may make per window, in total.",
            DistParam::PerWindow => {
                "Requests the client sends each window, spread over the gateways at random."
            }
            DistParam::Windows => "How many windows to run.",
            DistParam::Seed => {
                "The seed of the load balancer and the scheduler: the same seed replays the same race."
            }
        }
    }

    fn range(self) -> (u64, u64) {
        match self {
            DistParam::Gateways => (2, 16),
            DistParam::Limit => (1, 1_000_000),
            DistParam::PerWindow => (1, 100_000),
            DistParam::Windows => (1, 10_000),
            DistParam::Seed => (0, u64::MAX),
        }
    }

    fn value(self, config: &DistributedConfig) -> u64 {
        match self {
            DistParam::Gateways => config.gateways.into(),
            DistParam::Limit => config.limit.into(),
            DistParam::PerWindow => config.requests_per_window.into(),
            DistParam::Windows => config.windows.into(),
            DistParam::Seed => config.seed,
        }
    }
}

/// The distributed section's parameters as text (typed or from the URL).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct DistributedForm {
    pub values: Vec<(DistParam, String)>,
}

impl Default for DistributedForm {
    fn default() -> Self {
        let d = DistributedConfig::default();
        DistributedForm { values: DistParam::ALL.iter().map(|p| (*p, p.value(&d).to_string())).collect() }
    }
}

impl DistributedForm {
    pub fn get(&self, param: DistParam) -> &str {
        self.values.iter().find(|(p, _)| *p == param).map_or("", |(_, v)| v.as_str())
    }

    pub fn set(&mut self, param: DistParam, text: &str) {
        match self.values.iter_mut().find(|(p, _)| *p == param) {
            Some((_, v)) => *v = text.to_string(),
            None => self.values.push((param, text.to_string())),
        }
    }

    /// From URL query pairs; missing fields take their default, unknown keys are ignored.
    pub fn from_query<'a>(pairs: impl IntoIterator<Item = (&'a str, &'a str)>) -> DistributedForm {
        let mut form = DistributedForm::default();
        for (key, value) in pairs {
            if let Some(p) = DistParam::ALL.into_iter().find(|p| p.key() == key) {
                form.set(p, value);
            }
        }
        form
    }

    /// The fields that differ from their default, as URL query pairs.
    pub fn to_query(&self) -> Vec<(&'static str, String)> {
        let default = DistributedForm::default();
        DistParam::ALL
            .iter()
            .filter(|p| self.get(**p) != default.get(**p))
            .map(|p| (p.key(), self.get(*p).to_string()))
            .collect()
    }

    /// The configuration, or a message for each field that is wrong.
    pub fn parse(&self) -> Result<DistributedConfig, Vec<(DistParam, String)>> {
        let mut errors = Vec::new();
        let mut value = |p: DistParam| {
            let (min, max) = p.range();
            let text: String = self.get(p).chars().filter(|c| !matches!(c, ',' | '_' | ' ')).collect();
            match text.parse::<u64>().ok().filter(|v| (min..=max).contains(v)) {
                Some(v) => v,
                None => {
                    errors.push((
                        p,
                        format!(
                            "Enter a whole number from {} to {}.",
                            crate::format::group_digits(min.into()),
                            crate::format::group_digits(max.into())
                        ),
                    ));
                    min.max(1)
                }
            }
        };
        let config = DistributedConfig {
            gateways: value(DistParam::Gateways) as u32,
            limit: value(DistParam::Limit) as u32,
            window_ms: 1000,
            requests_per_window: value(DistParam::PerWindow) as u32,
            windows: value(DistParam::Windows) as u32,
            seed: value(DistParam::Seed),
        };
        if errors.is_empty()
            && let Err(message) = config.validate()
        {
            errors.push((DistParam::PerWindow, message));
        }
        if errors.is_empty() { Ok(config) } else { Err(errors) }
    }
}

/// One cache or gateway operation, as the page's race trace shows it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum OpKind {
    /// A gateway decided alone: its own count after the decision.
    Local { count: u32, admitted: bool },
    /// `GET`: the shared count read.
    Read { value: u32 },
    /// `SET`: the value written; `lost` when another gateway's increment was overwritten.
    Write { value: u32, lost: bool },
    /// A read that found the limit reached: the request is refused without a write.
    Refuse { value: u32 },
    /// Atomic check-and-increment: the count before, and whether it admitted the request.
    CheckAndIncrement { before: u32, admitted: bool },
}

/// One step of the scheduler.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Op {
    pub step: u64,
    pub gateway: u32,
    /// The request's number within its window.
    pub request: u32,
    pub kind: OpKind,
}

/// What one setup let through.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct SetupResult {
    pub setup: Setup,
    pub requests: u64,
    pub admitted: u64,
    /// `limit × windows`: what a perfect limiter admits when every window has enough requests.
    pub allowed: u64,
    /// Admitted beyond the limit, summed over windows.
    pub over_admitted: u64,
    /// The most admitted in one window.
    pub worst_window: u32,
    /// Increments lost to the race (racy setup only).
    pub lost_updates: u64,
    /// Admitted in each window.
    pub per_window: Vec<u32>,
    /// The operations of the first window, in the order the scheduler ran them.
    pub first_window: Vec<Op>,
}

/// Where a gateway is with its current request.
#[derive(Clone, Copy, Debug)]
enum Stage {
    /// The next operation starts the request.
    Start,
    /// Read `value`, the write comes next.
    Read(u32),
}

/// Runs one setup.
pub fn run(config: &DistributedConfig, setup: Setup) -> Result<SetupResult, String> {
    config.validate()?;
    let mut rng = ChaCha8Rng::seed_from_u64(config.seed);
    let gateways = config.gateways as usize;
    // Unsynchronized: one fixed-window limiter per gateway (the same code as the page's row).
    let mut local: Vec<Keyed<FixedWindow>> =
        (0..gateways).map(|_| Keyed::new(FixedWindow::new(config.window_ms, config.limit))).collect();
    let mut result = SetupResult {
        setup,
        requests: 0,
        admitted: 0,
        allowed: config.limit as u64 * config.windows as u64,
        over_admitted: 0,
        worst_window: 0,
        lost_updates: 0,
        per_window: Vec::with_capacity(config.windows as usize),
        first_window: Vec::new(),
    };
    let mut step = 0u64;
    for window in 0..config.windows as u64 {
        let now = window * config.window_ms;
        // The load balancer: each request to a random gateway, queued there in arrival order.
        let mut queues: Vec<VecDeque<u32>> = vec![VecDeque::new(); gateways];
        for request in 0..config.requests_per_window {
            queues[rng.random_range(0..config.gateways) as usize].push_back(request);
        }
        let mut stages = vec![Stage::Start; gateways];
        let mut shared = 0u32; // the cache's counter for this client and window
        let mut admitted = 0u32;
        loop {
            let busy: Vec<usize> = (0..gateways).filter(|&g| !queues[g].is_empty()).collect();
            if busy.is_empty() {
                break;
            }
            let g = busy[rng.random_range(0..busy.len() as u64) as usize];
            let request = queues[g][0];
            let (kind, done) = match (setup, stages[g]) {
                (Setup::Unsynchronized, _) => {
                    let d = local[g].decide(0, now);
                    let count = match super::Limiter::view(&local[g], 0, now) {
                        super::StateView::FixedWindow { count, .. } => count,
                        _ => 0,
                    };
                    admitted += d.is_admitted() as u32;
                    (OpKind::Local { count, admitted: d.is_admitted() }, true)
                }
                (Setup::SharedRacy, Stage::Start) => {
                    if shared < config.limit {
                        stages[g] = Stage::Read(shared);
                        (OpKind::Read { value: shared }, false)
                    } else {
                        (OpKind::Refuse { value: shared }, true)
                    }
                }
                (Setup::SharedRacy, Stage::Read(value)) => {
                    let lost = shared != value;
                    result.lost_updates += lost as u64;
                    shared = value + 1;
                    admitted += 1;
                    stages[g] = Stage::Start;
                    (OpKind::Write { value: value + 1, lost }, true)
                }
                (Setup::SharedAtomic, _) => {
                    let before = shared;
                    let ok = shared < config.limit;
                    shared += ok as u32;
                    admitted += ok as u32;
                    (OpKind::CheckAndIncrement { before, admitted: ok }, true)
                }
            };
            if window == 0 && result.first_window.len() < 400 {
                result.first_window.push(Op { step, gateway: g as u32, request, kind });
            }
            step += 1;
            if done {
                queues[g].pop_front();
            }
        }
        result.requests += config.requests_per_window as u64;
        result.admitted += admitted as u64;
        result.over_admitted += admitted.saturating_sub(config.limit) as u64;
        result.worst_window = result.worst_window.max(admitted);
        result.per_window.push(admitted);
    }
    Ok(result)
}

/// Runs the three setups on the same seed.
pub fn run_all(config: &DistributedConfig) -> Result<Vec<SetupResult>, String> {
    Setup::ALL.iter().map(|&s| run(config, s)).collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn atomic_admits_exactly_the_limit_and_the_others_over_admit() {
        let config = DistributedConfig::default();
        let [unsync, racy, atomic]: [SetupResult; 3] = run_all(&config).unwrap().try_into().unwrap();
        assert_eq!(atomic.admitted, 1000);
        assert_eq!(atomic.over_admitted, 0);
        assert_eq!(atomic.worst_window, 10);
        // 30 requests over 3 gateways: each gateway admits min(its share, 10).
        assert!(unsync.over_admitted > 500, "{}", unsync.over_admitted);
        assert!(unsync.worst_window <= 30);
        assert!(racy.over_admitted > 0 && racy.lost_updates > 0, "{racy:?}");
        assert_eq!(racy.over_admitted, racy.admitted - 1000, "every window had enough requests");
    }

    #[test]
    fn one_window_by_hand() {
        // Two gateways, limit 1, two requests in one window.
        let config = DistributedConfig {
            gateways: 2,
            limit: 1,
            window_ms: 1000,
            requests_per_window: 2,
            windows: 1,
            seed: 5,
        };
        let unsync = run(&config, Setup::Unsynchronized).unwrap();
        let racy = run(&config, Setup::SharedRacy).unwrap();
        let atomic = run(&config, Setup::SharedAtomic).unwrap();
        assert_eq!(atomic.admitted, 1);
        // Whatever the interleaving, the racy trace is consistent: a write follows its own read,
        // and a lost update is exactly a write whose read went stale.
        let mut last_read = [None; 2];
        let mut shared = 0;
        for op in &racy.first_window {
            match op.kind {
                OpKind::Read { value } => {
                    assert_eq!(value, shared);
                    last_read[op.gateway as usize] = Some(value);
                }
                OpKind::Write { value, lost } => {
                    let read = last_read[op.gateway as usize].take().unwrap();
                    assert_eq!(value, read + 1);
                    assert_eq!(lost, shared != read);
                    shared = value;
                }
                OpKind::Refuse { value } => assert_eq!(value, shared),
                other => panic!("{other:?}"),
            }
        }
        assert_eq!(racy.admitted, 1 + racy.lost_updates);
        // Unsynchronized: both admitted if the balancer split them, else one.
        let split = unsync.first_window[0].gateway != unsync.first_window[1].gateway;
        assert_eq!(unsync.admitted, if split { 2 } else { 1 });
    }

    #[test]
    fn invalid_configs_explain_themselves() {
        let bad = DistributedConfig { gateways: 1, ..DistributedConfig::default() };
        assert_eq!(bad.validate(), Err("Gateways: enter a whole number from 2 to 16.".to_string()));
        let big =
            DistributedConfig { requests_per_window: 100_000, windows: 100, ..DistributedConfig::default() };
        assert!(run(&big, Setup::SharedRacy).is_err());
    }

    #[test]
    fn the_form_round_trips_and_explains_bad_fields() {
        assert_eq!(DistributedForm::default().parse(), Ok(DistributedConfig::default()));
        assert_eq!(DistributedForm::default().to_query(), vec![]);
        let mut form = DistributedForm::default();
        form.set(DistParam::Gateways, "1");
        form.set(DistParam::Seed, "42");
        let back = DistributedForm::from_query(form.to_query().iter().map(|(k, v)| (*k, v.as_str())));
        assert_eq!(back, form);
        assert_eq!(
            back.parse(),
            Err(vec![(DistParam::Gateways, "Enter a whole number from 2 to 16.".to_string())])
        );
        form.set(DistParam::Gateways, "4");
        form.set(DistParam::PerWindow, "100,000");
        form.set(DistParam::Windows, "100");
        assert_eq!(
            form.parse(),
            Err(vec![(
                DistParam::PerWindow,
                "Requests per window × windows: keep it at most 2,000,000.".to_string()
            )])
        );
    }

    proptest! {
        #[test]
        fn atomic_never_over_admits_and_racy_never_under_admits(
            gateways in 2u32..6, limit in 1u32..20, per_window in 1u32..60, seed: u64,
        ) {
            let config = DistributedConfig { gateways, limit, window_ms: 1000, requests_per_window: per_window, windows: 5, seed };
            let results = run_all(&config).unwrap();
            let fair = (limit.min(per_window) * 5) as u64;
            prop_assert_eq!(results[2].admitted, fair);
            prop_assert!(results[1].admitted >= fair);
            prop_assert!(results[0].admitted >= fair);
            prop_assert!(results[0].admitted <= (per_window.min(gateways * limit) * 5) as u64);
            // Without a lost update the racy counter is exact.
            if results[1].lost_updates == 0 {
                prop_assert_eq!(results[1].admitted, fair);
            }
        }
    }
}
