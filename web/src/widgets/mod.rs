//! Widgets shared by every page: the page anatomy of STYLE.md, labelled fields with inline errors,
//! charts, experiment cards and the copy-link button. Pages compose these; none of them computes a
//! result (core does).

pub mod chart;
pub mod copy_link;
pub mod experiment;
pub mod field;
pub mod page;
pub mod plot;
pub mod ring;
pub mod seed;
pub mod sim_controls;
pub mod spacetime;
