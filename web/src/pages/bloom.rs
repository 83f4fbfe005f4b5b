//! The Bloom filter page (the notes' "Bloom Filter"): items typed in set their k bits on a drawn
//! bit array, a checked item shows the bits it reads and the answer ("no" or "probably yes", and
//! whether that yes is a false positive), m and k by hand or sized from n and p, the measured
//! false-positive rate against the formula, and the notes' claims as experiments. Every figure
//! comes from `playground_core::kv::bloom`; all state lives in the URL query.

use crate::app::Route;
use crate::url_state::use_query_state;
use crate::widgets::copy_link::CopyLink;
use crate::widgets::experiment::ExperimentCard;
use crate::widgets::field::TextField;
use crate::widgets::page::{PageTitle, Section};
use crate::widgets::plot::{Axis, Mark, Series, XyPlot, round_ticks};
use playground_core::experiment;
use playground_core::format;
use playground_core::kv::bloom::{
    self, Answer, Cell, Check, Demo, EXPERIMENT_ITEMS as EN, EXPERIMENT_QUERIES as EQ, EXPERIMENT_RATE as EP,
    EXPERIMENT_SEED as ES, FprPoint, Sizing,
};
use std::rc::Rc;
use yew::prelude::*;

/// The URL keys and what an absent key means.
const DEFAULTS: [(&str, &str); 7] = [
    ("m", "48"),
    ("k", "3"),
    ("n", "10"),
    ("p", "10%"),
    ("items", "apple\nbanana\ncherry"),
    ("add", ""),
    ("q", "grape"),
];
/// The most cells the bit array is drawn with; beyond, one cell stands for several bits.
const MAX_CELLS: u64 = 1024;

fn count(n: u64) -> String {
    format::group_digits(n as u128)
}

/// The page's inputs, as typed (the URL keeps exactly this text, valid or not).
#[derive(Clone, PartialEq)]
struct Inputs(Rc<std::collections::BTreeMap<String, String>>);

impl Inputs {
    fn get(&self, key: &str) -> String {
        self.0.get(key).cloned().unwrap_or_else(|| {
            DEFAULTS.iter().find(|(k, _)| *k == key).map_or(String::new(), |(_, v)| v.to_string())
        })
    }
}

#[function_component(BloomPage)]
pub fn bloom_page() -> Html {
    let (query, set_query) = use_query_state(Route::Bloom);
    let inputs = Inputs(Rc::new(query.clone()));
    let set = {
        let query = query.clone();
        Callback::from(move |pairs: Vec<(&'static str, String)>| {
            let mut next = query.clone();
            for (k, v) in pairs {
                next.insert(k.to_string(), v);
            }
            set_query.emit(next)
        })
    };
    let (m, k) = (bloom::parse_bits(&inputs.get("m")), bloom::parse_hashes(&inputs.get("k")));
    let items = bloom::split_items(&inputs.get("items"));
    let demo = use_memo((m.clone(), k.clone(), items.clone()), |(m, k, items)| match (m, k) {
        (Ok(m), Ok(k)) => Demo::new(*m, *k, items),
        (Err(e), _) | (_, Err(e)) => Err(e.clone()),
    });
    let billion = Sizing::for_items(1_000_000_000, 0.01).ok();

    html! {
        <article class="page bloom">
            <PageTitle title="Bloom filter"
                promise="Add items to a bit array, ask about others, and see why the answer is a certain no or a nervous probably yes, and what each percent of false positives costs in bits." />
            <Section id="problem" step="Step 1 · Understand the problem" title="The problem">
                <p>{ "A key-value store, a web crawler or a cache is asked \"do you have this key?\" far more often than it has \
                      the key, and the real answer lives on disk or across the network. A Bloom filter (Bloom, 1970) is a small \
                      in-memory summary of the set that answers with a certain \"no\" or a nervous \"probably yes\"; only a \
                      \"probably yes\" goes on to the expensive check (the notes, \"Bloom Filter\"). It must never say no to an item \
                      that was added (no false negatives), keep false positives rare, and use a few bits per item whatever the \
                      item's size. It cannot remove an item: it never forgets." }</p>
            </Section>
            <Section id="estimate" step="Step 2 · Estimate" title="A billion keys at 1 %">
                if let Some(s) = billion {
                    <p class="big-figure"><span class="figure">{ format::bytes(s.memory_bytes()) }</span>{ format!(" of bits, k = {} hashes", s.hashes) }</p>
                    <p class="formula">{ format!("m = −n ln p / (ln 2)² = −10⁹ × ln 0.01 / 0.4805 = {} bits; k = (m/n) ln 2 = {} → {}",
                        count(s.bits), format::significant(bloom::optimal_hashes(s.bits, 1_000_000_000), 3), s.hashes) }</p>
                    <p>{ format!("That is {} bits (about {} bytes) per key, whatever the key's size: a billion 100-byte URLs would \
                        take 100 GB themselves. Every tenfold lower rate costs another ln 10 / (ln 2)² = {} bits per key. More \
                        than 2^32 bits: the core counts them in 64-bit integers, never in the browser's 32-bit usize.",
                        format::significant(s.bits as f64 / 1e9, 3), format::significant(s.bits as f64 / 8e9, 2),
                        format::significant(core::f64::consts::LN_10 / (core::f64::consts::LN_2 * core::f64::consts::LN_2), 2)) }</p>
                }
            </Section>
            <Section id="design" step="Step 3 · The design, running" title="The filter" wide=true>
                <Running inputs={inputs.clone()} set={set.clone()} demo={demo.clone()} />
                <CopyLink />
            </Section>
            <Section id="deep-dive" step="Step 4 · Deep dive" title="Bits, hashes and the false-positive rate" wide=true>
                <DeepDive inputs={inputs.clone()} />
            </Section>
            <Section id="experiments" step="Experiments" title="Claims, measured" wide=true>
                if let Ok(s) = Sizing::for_items(EN, EP) {
                    <p>{ format!("Each experiment sizes its own filter for {} items at {} (m = {} bits, k = {}) and fills it with \
                        seeded random items; absent items are drawn from a separate stream, so they were never added (seed {ES}).",
                        count(EN), format::percent(EP), count(s.bits), s.hashes) }</p>
                }
                <Experiments />
            </Section>
            <Section id="summary" step="Step 5 · Summarize" title="Summary">
                <table class="summary">
                    <thead><tr><th scope="col">{ "Choice" }</th><th scope="col">{ "Buys" }</th><th scope="col">{ "Costs" }</th></tr></thead>
                    <tbody>
                        <tr><td>{ "more bits m" }</td><td>{ "fewer false positives" }</td><td>{ "memory: 9.6 bits per item for 1 %" }</td></tr>
                        <tr><td>{ "k = (m/n) ln 2 hashes" }</td><td>{ "the lowest rate for that m and n" }</td><td>{ "k memory reads per check" }</td></tr>
                        <tr><td>{ "more items than planned" }</td><td>{ "nothing" }</td><td>{ "the rate climbs fast: size for the peak" }</td></tr>
                        <tr><td>{ "a filter in front of a store" }</td><td>{ "most absent keys never reach the disk" }</td><td>{ "no removal; rebuild it, or use a counting filter" }</td></tr>
                    </tbody>
                </table>
            </Section>
        </article>
    }
}

#[derive(Properties, PartialEq)]
struct RunningProps {
    inputs: Inputs,
    set: Callback<Vec<(&'static str, String)>>,
    demo: Rc<Result<Demo, String>>,
}

/// The bit array with the add and check controls beside it, and the filter's own fields.
#[function_component(Running)]
fn running(props: &RunningProps) -> Html {
    let (inputs, set) = (&props.inputs, &props.set);
    let add_error = use_state(|| None::<String>);
    let field = |key: &'static str, label: &'static str, help: &'static str, error: Option<String>| {
        let set = set.clone();
        let add_error = add_error.clone();
        html! {
            <TextField id={format!("bf-{key}")} label={label} help={help} value={inputs.get(key)}
                error={error.map(AttrValue::from)}
                oninput={Callback::from(move |v: String| { if key == "add" { add_error.set(None); } set.emit(vec![(key, v)]) })} />
        }
    };
    let items = bloom::split_items(&inputs.get("items"));
    let on_add = {
        let (set, add_error, items, text) =
            (set.clone(), add_error.clone(), items.clone(), inputs.get("add"));
        Callback::from(move |e: SubmitEvent| {
            e.prevent_default();
            match bloom::check_new_item(&text, &items) {
                Ok(item) => {
                    let mut next = items.clone();
                    next.push(item);
                    set.emit(vec![("items", next.join("\n")), ("add", String::new())]);
                }
                Err(err) => add_error.set(Some(err)),
            }
        })
    };
    let clear = {
        let set = set.clone();
        Callback::from(move |_| set.emit(vec![("items", String::new())]))
    };
    let (m_err, k_err) =
        (bloom::parse_bits(&inputs.get("m")).err(), bloom::parse_hashes(&inputs.get("k")).err());
    let body = match &*props.demo {
        Ok(demo) => {
            let add = inputs.get("add");
            let adding = (!add.trim().is_empty()).then(|| demo.check(add.trim()));
            let query = inputs.get("q");
            let checking = (!query.trim().is_empty()).then(|| demo.check(query.trim()));
            let f = &demo.filter;
            html! {
                <>
                    { bit_grid(demo, &adding, &checking) }
                    <p class="bf-stats">
                        { format!("m = {} bits, k = {}, n = {} item{} added · {} bits set (fill {}) · formula (1 − e^(−kn/m))^k = {} false positives",
                            count(f.bits()), f.hashes(), count(f.items()), if f.items() == 1 { "" } else { "s" },
                            count(f.bits_set()), format::percent(f.fill_ratio()), format::percent(bloom::false_positive_rate(f.bits(), f.hashes(), f.items()))) }
                    </p>
                    if let Some(c) = &checking { { answer_view(c, query.trim()) } }
                    if let Some(c) = &adding { <p class="bf-adds">{ format!("\"{}\" would set bits {}.", add.trim(), list(&c.indices)) }</p> }
                </>
            }
        }
        Err(e) => {
            html! { <p class="bf-blocked" role="status"><span aria-hidden="true">{ "✕ " }</span>{ format!("No filter to draw: {e}") }</p> }
        }
    };
    html! {
        <div class="bf-layout">
            <div class="bf-figure">{ body }</div>
            <div class="bf-controls">
                <form class="bf-add" onsubmit={on_add} aria-label="Add an item">
                    { field("add", "Add an item", "Hash the item k times and set those k bits", (*add_error).clone()) }
                    <button type="submit">{ "Add" }</button>
                </form>
                <div class="bf-items">
                    <p class="control-label">{ format!("Added ({})", items.len()) }</p>
                    <ul>{ for items.iter().map(|i| html! { <li class="mono">{ i.clone() }</li> }) }</ul>
                    <button type="button" class="secondary" onclick={clear} title="Start an empty filter: the only way to take items out">{ "Clear the filter" }</button>
                    <p class="note">{ "No remove button: the bits an item set are shared with other items." }</p>
                </div>
                { field("q", "Check an item", "Hash the item the same k ways and look at those bits", None) }
                <div class="bf-knobs">
                    { field("m", "Size m (bits)", "The number of bits in the filter", m_err) }
                    { field("k", "Hashes k", "How many bits each item sets and each check reads", k_err) }
                </div>
                { sizer(inputs, set) }
            </div>
        </div>
    }
}

fn list(indices: &[u64]) -> String {
    indices.iter().map(|i| count(*i)).collect::<Vec<_>>().join(", ")
}

/// "Size it for n items at p": the formulas' m and k, and a button that puts them in the fields.
fn sizer(inputs: &Inputs, set: &Callback<Vec<(&'static str, String)>>) -> Html {
    let (n, p) = (bloom::parse_items(&inputs.get("n")), bloom::parse_rate(&inputs.get("p")));
    let sizing = match (&n, &p) {
        (Ok(n), Ok(p)) => Some(Sizing::for_items(*n, *p)),
        _ => None,
    };
    let field = |key: &'static str, label: &'static str, help: &'static str, error: Option<String>| {
        let set = set.clone();
        html! {
            <TextField id={format!("bf-{key}")} label={label} help={help} value={inputs.get(key)}
                error={error.map(AttrValue::from)} inputmode="decimal"
                oninput={Callback::from(move |v: String| set.emit(vec![(key, v)]))} />
        }
    };
    let size_err = sizing.as_ref().and_then(|s| s.as_ref().err().cloned());
    let fill = {
        let set = set.clone();
        let s = sizing.clone().and_then(Result::ok);
        Callback::from(move |_| {
            if let Some(s) = s {
                set.emit(vec![("m", s.bits.to_string()), ("k", s.hashes.to_string())]);
            }
        })
    };
    html! {
        <fieldset class="bf-sizer">
            <legend>{ "Size it for n items at rate p" }</legend>
            { field("n", "Expected items n", "How many items the filter is meant to hold", n.err()) }
            { field("p", "False-positive rate p", "The share of absent items allowed to get a \"probably yes\" (0.01 or 1%)", p.err().or(size_err)) }
            if let Some(Ok(s)) = &sizing {
                <p class="formula">{ format!("m = ⌈−n ln p / (ln 2)²⌉ = {} bits ({}), k = round((m/n) ln 2) = {}",
                    count(s.bits), format::bytes(s.memory_bytes()), s.hashes) }</p>
            }
            <button type="button" onclick={fill} disabled={!matches!(sizing, Some(Ok(_)))}
                title="Put this m and k into the filter's fields">{ "Use this m and k" }</button>
        </fieldset>
    }
}

/// The bit array as an SVG grid of at most [`MAX_CELLS`] cells; the checked item's bits are
/// outlined (a dot when set, a cross when 0) and the bits an item being typed would set are dashed.
fn bit_grid(demo: &Demo, adding: &Option<Check>, checking: &Option<Check>) -> Html {
    let (per, cells) = demo.cells(MAX_CELLS);
    let cols = if cells.len() <= 64 { 16 } else { 32 };
    let rows = cells.len().div_ceil(cols);
    let at = |c: usize| ((c % cols) as f64 * 10.0, (c / cols) as f64 * 10.0);
    let grid = cells.iter().enumerate().map(|(c, cell)| {
        let (x, y) = at(c);
        let class = match cell {
            Cell::Empty => "bf-cell",
            Cell::Partial => "bf-cell bf-part",
            Cell::Full => "bf-cell bf-on",
        };
        html! { <rect class={class} x={x.to_string()} y={y.to_string()} width="9" height="9" /> }
    });
    let marks = |check: &Option<Check>, adding: bool| -> Html {
        let Some(check) = check else { return Html::default() };
        check
            .indices
            .iter()
            .zip(&check.set)
            .map(|(&i, &on)| {
                let (x, y) = at((i / per) as usize);
                let (cx, cy) = (x + 4.5, y + 4.5);
                let label = format!("bit {}: {}", count(i), if on { "set" } else { "0" });
                if adding {
                    html! { <rect class="bf-adding" x={(x - 0.5).to_string()} y={(y - 0.5).to_string()} width="10" height="10"><title>{ label }</title></rect> }
                } else if on {
                    html! { <g class="bf-hit"><rect class="bf-probe" x={(x - 0.5).to_string()} y={(y - 0.5).to_string()} width="10" height="10" /><circle cx={cx.to_string()} cy={cy.to_string()} r="2" /><title>{ label }</title></g> }
                } else {
                    html! { <g class="bf-miss"><rect class="bf-probe" x={(x - 0.5).to_string()} y={(y - 0.5).to_string()} width="10" height="10" />
                        <path d={format!("M{} {}l5 5m0 -5l-5 5", cx - 2.5, cy - 2.5)} /><title>{ label }</title></g> }
                }
            })
            .collect()
    };
    let caption = if per == 1 {
        format!("The {} bits, in rows of {cols}: filled = 1.", count(demo.filter.bits()))
    } else {
        format!(
            "The {} bits drawn as {} cells of {} bits each: filled = all set, pale = some set.",
            count(demo.filter.bits()),
            count(cells.len() as u64),
            count(per)
        )
    };
    html! {
        <figure class="bf-grid">
            <svg viewBox={format!("-1 -1 {} {}", cols * 10 + 1, rows * 10 + 1)} role="img" aria-label={caption.clone()}>
                { for grid }
                { marks(adding, true) }
                { marks(checking, false) }
            </svg>
            <figcaption>{ caption }{ " Outlined: the bits the checked item reads (● set, ✕ 0); dashed: the bits the item being added would set." }</figcaption>
        </figure>
    }
}

/// The filter's answer for the checked item, with colour and an icon.
fn answer_view(c: &Check, item: &str) -> Html {
    let zero = c.indices.iter().zip(&c.set).find(|(_, on)| !**on).map(|(i, _)| *i);
    let (class, icon, head, rest) = match c.answer {
        Answer::No => (
            "bf-answer outcome-deny",
            "✕",
            "No",
            format!("definitely never added: bit {} is 0.", count(zero.unwrap_or(0))),
        ),
        Answer::ProbablyYesAdded => (
            "bf-answer outcome-ok",
            "●",
            "Probably yes",
            "all its bits are set, and it was added.".to_string(),
        ),
        Answer::FalsePositive => (
            "bf-answer outcome-stale",
            "◆",
            "Probably yes",
            "all its bits are set, but it was never added: a false positive. Other items set those bits."
                .to_string(),
        ),
    };
    html! {
        <p class={class} aria-live="polite">
            <span aria-hidden="true">{ icon }{ " " }</span><strong>{ head }</strong>
            { format!(" for \"{}\": {} It reads bits {}.", item, rest, list(&c.indices)) }
        </p>
    }
}

#[derive(Properties, PartialEq)]
struct DeepDiveProps {
    inputs: Inputs,
}

/// The measured false-positive rate of the current m and k as the filter fills, and against k.
#[function_component(DeepDive)]
fn deep_dive(props: &DeepDiveProps) -> Html {
    let (m, k, n) = (
        bloom::parse_bits(&props.inputs.get("m")),
        bloom::parse_hashes(&props.inputs.get("k")),
        bloom::parse_items(&props.inputs.get("n")),
    );
    let sweeps = use_memo((m.clone(), k.clone(), n.clone()), |(m, k, n)| match (m, k, n) {
        (Ok(m), Ok(k), Ok(n)) => bloom::plot_sweeps(*m, *k, *n, 1),
        (Err(e), _, _) | (_, Err(e), _) | (_, _, Err(e)) => (Err(e.clone()), Err(e.clone())),
    });
    let explain = html! {
        <p>{ "Each item is hashed once with 128-bit XXH3; its k bit positions are (h1 + i·h2) mod m for i = 0 … k−1, with h1 \
              and h2 the two halves of the hash (double hashing, Kirsch and Mitzenmacher 2006: as good as k independent \
              hashes). A bit is still 0 after n items with probability about e^(−kn/m), so an absent item finds all k \
              bits set with probability (1 − e^(−kn/m))^k, lowest at k = (m/n) ln 2." }</p>
    };
    let plot = |sweep: &bloom::Sweep, by_k: bool| match sweep {
        Ok(points) if !points.is_empty() => {
            let (m, n, k) = (points[0].bits, points[0].items, points[0].hashes);
            let caption = if by_k {
                format!("False-positive rate against k (m = {}, n = {})", count(m), count(n))
            } else {
                format!("False-positive rate as the filter fills (m = {}, k = {k})", count(m))
            };
            let optimum = by_k.then(|| bloom::optimal_hashes(m, n));
            fpr_plot(caption, points, by_k, optimum)
        }
        Ok(_) => Html::default(),
        Err(e) => {
            html! { <p class="bf-blocked" role="status"><span aria-hidden="true">{ "✕ " }</span>{ e.clone() }</p> }
        }
    };
    // One message when both plots are blocked for the same reason.
    let second = if sweeps.1.is_err() && sweeps.0.as_ref().err() == sweeps.1.as_ref().err() {
        Html::default()
    } else {
        plot(&sweeps.1, true)
    };
    let plots = html! { <div class="bf-plots">{ plot(&sweeps.0, false) }{ second }</div> };
    html! {
        <>
            { explain }
            { plots }
            <p class="note">{ format!("Measured on {} absent items per point (seed 1); the plot against k uses the n of the sizing fields. \
                A small filter's rate scatters around the formula, which is an average over all filters of that size.",
                count(bloom::PLOT_QUERIES)) }</p>
        </>
    }
}

/// Measured rates as dots, the formula dashed, and the optimum k dotted.
/// Against k when `by_k` (else against items inserted), with the optimal k marked when given.
fn fpr_plot(caption: String, points: &[FprPoint], by_k: bool, optimum: Option<f64>) -> Html {
    let x = |p: &FprPoint| if by_k { p.hashes as f64 } else { p.items as f64 };
    let top = points.iter().flat_map(|p| [p.measured, p.theory]).fold(0.0, f64::max).max(1e-4) * 1.05;
    let x_max = points.iter().map(x).fold(1.0, f64::max);
    let mut series = vec![
        Series {
            label: "measured".into(),
            points: points.iter().map(|p| (x(p), p.measured)).collect(),
            mark: Mark::Dots,
            class: "series-a".into(),
        },
        Series {
            label: "(1 − e^(−kn/m))^k".into(),
            points: points.iter().map(|p| (x(p), p.theory)).collect(),
            mark: Mark::Dashed,
            class: "series-b".into(),
        },
    ];
    if let Some(o) = optimum.filter(|o| o.is_finite() && *o <= x_max) {
        series.push(Series {
            label: format!("optimal k = {}", format::significant(o, 3)).into(),
            points: vec![(o, 0.0), (o, top)],
            mark: Mark::Dotted,
            class: "series-stale".into(),
        });
    }
    let x_label = if by_k { "hash functions k" } else { "items inserted n" };
    html! {
        <XyPlot caption={caption}
            x={Axis { label: x_label.into(), log: false, min: 0.0, max: x_max, ticks: round_ticks(x_max, format::count) }}
            y={Axis { label: "false-positive rate".into(), log: false, min: 0.0, max: top, ticks: round_ticks(top, format::percent) }}
            {series} />
    }
}

/// The four claims, each with its chart or table once run.
#[function_component(Experiments)]
fn experiments() -> Html {
    let by_items = use_state(|| None::<Vec<FprPoint>>);
    let by_k = use_state(|| None::<(Vec<FprPoint>, f64)>);
    let rows = use_state(|| None::<Vec<bloom::SizingRow>>);
    let run_fpr = {
        let by_items = by_items.clone();
        Callback::from(move |_| match bloom::fpr_experiment(EN, EP, EQ, ES) {
            Ok(r) => {
                by_items.set(Some(r.sweep));
                r.outcome
            }
            Err(e) => experiment::broken("—", e),
        })
    };
    let run_k = {
        let by_k = by_k.clone();
        Callback::from(move |_| match bloom::optimal_k_experiment(EN, EP, EQ, ES) {
            Ok(r) => {
                by_k.set(Some((r.sweep, r.optimum)));
                r.outcome
            }
            Err(e) => experiment::broken("—", e),
        })
    };
    let run_removal = Callback::from(|_| {
        bloom::removal_experiment(EN, EP, 200, ES).map_or_else(|e| experiment::broken("—", e), |r| r.outcome)
    });
    let run_sizing = {
        let rows = rows.clone();
        Callback::from(move |_| match bloom::sizing_experiment(100_000, EP, EQ, ES) {
            Ok(r) => {
                rows.set(Some(r.rows));
                r.outcome
            }
            Err(e) => experiment::broken("—", e),
        })
    };
    html! {
        <ul class="experiments">
            <ExperimentCard claim="The measured false-positive rate over 100,000 absent items is within 15 % of (1 − e^(−kn/m))^k."
                source="Bloom 1970; the notes, \"Bloom Filter\"" run={run_fpr}>
                if let Some(p) = &*by_items { { fpr_plot("Measured while filling to 2n".into(), p, false, None) } }
            </ExperimentCard>
            <ExperimentCard claim="For a given m and n, the rate is lowest at k = (m/n) ln 2 hashes."
                source="Bloom 1970; Broder and Mitzenmacher 2004" run={run_k}>
                if let Some((p, o)) = &*by_k { { fpr_plot("Measured against k".into(), p, true, Some(*o)) } }
            </ExperimentCard>
            <ExperimentCard claim="An item cannot be removed: clearing its k bits makes other items that share them test \"no\" (false negatives)."
                source="the notes: \"it never forgets\"; counting filters, Fan et al. 2000" run={run_removal} />
            <ExperimentCard claim="Sized by m = −n ln p / (ln 2)², a filter delivers the rate asked for: 9.6 bits per item for 1 %, at any scale."
                source="the notes, \"Bloom Filter\"; Kirsch and Mitzenmacher 2006" run={run_sizing}>
                if let Some(r) = &*rows { { sizing_table(r) } }
            </ExperimentCard>
        </ul>
    }
}

fn sizing_table(rows: &[bloom::SizingRow]) -> Html {
    html! {
        <div class="table-scroll">
            <table class="bf-sizes">
                <thead><tr><th scope="col">{ "n" }</th><th scope="col">{ "p" }</th><th scope="col" class="num">{ "m (bits)" }</th>
                    <th scope="col" class="num">{ "memory" }</th><th scope="col" class="num">{ "k" }</th></tr></thead>
                <tbody>
                    { for rows.iter().map(|r| html! {
                        <tr><td>{ count(r.items) }</td><td>{ format::percent(r.rate) }</td><td class="num">{ count(r.sizing.bits) }</td>
                            <td class="num">{ format::bytes(r.sizing.memory_bytes()) }</td><td class="num">{ r.sizing.hashes }</td></tr>
                    }) }
                </tbody>
            </table>
        </div>
    }
}
