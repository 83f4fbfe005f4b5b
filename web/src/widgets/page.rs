//! The page anatomy of STYLE.md: a title with its one-sentence promise, then sections that follow
//! the notes' interview framework (the problem, estimate, the design running, deep dive,
//! experiments, summary).

use yew::prelude::*;

#[derive(Properties, PartialEq)]
pub struct PageTitleProps {
    pub title: AttrValue,
    pub promise: AttrValue,
}

/// The page's `h1` and its promise.
#[function_component(PageTitle)]
pub fn page_title(props: &PageTitleProps) -> Html {
    html! {
        <header class="page-title">
            <h1>{ props.title.clone() }</h1>
            <p class="promise">{ props.promise.clone() }</p>
        </header>
    }
}

#[derive(Properties, PartialEq)]
pub struct SectionProps {
    /// The anchor of the section (`#id` links to it).
    pub id: AttrValue,
    /// The framework step this section stands for, shown above the heading ("Step 1: the problem").
    #[prop_or_default]
    pub step: Option<AttrValue>,
    pub title: AttrValue,
    /// `wide` lets a simulation use the full width instead of the prose column.
    #[prop_or_default]
    pub wide: bool,
    #[prop_or_default]
    pub children: Html,
}

/// One section of a page, labelled by its heading.
#[function_component(Section)]
pub fn section(props: &SectionProps) -> Html {
    let heading = format!("{}-heading", props.id);
    html! {
        <section id={props.id.clone()} class={classes!("section", props.wide.then_some("wide"))} aria-labelledby={heading.clone()}>
            if let Some(step) = &props.step {
                <p class="step-label">{ step.clone() }</p>
            }
            <h2 id={heading}>{ props.title.clone() }</h2>
            { props.children.clone() }
        </section>
    }
}
