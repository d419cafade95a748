//! Platform component.
