//! Scenario loading tests.
