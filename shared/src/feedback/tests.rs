//! Native tests of the feedback domain against real SQLite.

mod access_and_views;
mod open311;
mod rating;
mod redaction;
mod submission;
mod workflow;
