//! The embedded topology: in-memory IMAP back ends and CAS proxies.
pub mod backend;
pub mod certs;
pub mod io;
pub mod message;
pub mod service;
pub mod store;
