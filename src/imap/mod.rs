//! The IMAP client core: endpoint URLs, the response framer, the command
//! encoder, the connection over plain TCP, implicit TLS and STARTTLS, and
//! the one command exchange over it.

pub mod capability;
pub mod cert_facts;
pub mod client;
pub mod conn;
pub mod deflate;
pub mod encoder;
pub mod framer;
pub mod protolog;
pub mod response;
pub mod tls;
pub mod url;
pub mod verify;

pub use capability::Capabilities;
pub use conn::{Connection, ImapError};
pub use encoder::{sasl_plain, CommandBuf};
pub use framer::{FrameError, Framer, Limits};
pub use response::{Kind, Response, Status};
pub use tls::TlsClient;
