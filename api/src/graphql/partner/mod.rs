//! The partner write API: mutations scoped by API key, the change feed and
//! the audit log.

mod denials;
mod feed;
mod inputs;
mod keys;
mod mutation;
mod paths;
mod payloads;

pub use denials::Denials;
pub use feed::{ChangeCursor, PartnerQuery};
pub use mutation::{admin, PartnerMutation};
