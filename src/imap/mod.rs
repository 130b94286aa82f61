//! The IMAP client core: endpoint URLs, the response framer, the command
//! encoder and the connection over plain TCP, implicit TLS and STARTTLS.

pub mod url;
