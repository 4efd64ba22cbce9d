//! Who is calling: anonymous, a partner's key or an administrator's key, and
//! what that lets them see and write.

use super::filter::Visibility;

/// The role an API key has.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Role {
    /// Writes its own organisation's courses, instances, locations and services.
    Partner,
    /// Writes everything, organisations and keys included.
    Admin,
}

impl Role {
    /// The stored code.
    pub fn code(self) -> &'static str {
        match self {
            Role::Partner => "partner",
            Role::Admin => "admin",
        }
    }

    /// Parses a stored or typed code.
    pub fn parse(text: &str) -> Option<Role> {
        match text.trim().to_ascii_lowercase().as_str() {
            "partner" => Some(Role::Partner),
            "admin" => Some(Role::Admin),
            _ => None,
        }
    }
}

/// The identity of a request.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Caller {
    /// No credentials: published content only, no writes.
    #[default]
    Anonymous,
    /// A partner key, bound to one organisation.
    Partner { key_id: i32, organisation_id: i32 },
    /// An administrator key.
    Admin { key_id: i32 },
}

/// What a caller may write.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scope {
    /// Any record.
    Everything,
    /// The records of one organisation (by row id).
    Organisation(i32),
}

impl Scope {
    /// True when a record owned by `organisation_id` is in scope.
    pub fn covers(self, organisation_id: i32) -> bool {
        match self {
            Scope::Everything => true,
            Scope::Organisation(own) => own == organisation_id,
        }
    }
}

impl Caller {
    /// The authenticated key, for rate limits and the audit log.
    pub fn key_id(self) -> Option<i32> {
        match self {
            Caller::Anonymous => None,
            Caller::Partner { key_id, .. } | Caller::Admin { key_id } => Some(key_id),
        }
    }

    /// The role, when the caller has a key.
    pub fn role(self) -> Option<Role> {
        match self {
            Caller::Anonymous => None,
            Caller::Partner { .. } => Some(Role::Partner),
            Caller::Admin { .. } => Some(Role::Admin),
        }
    }

    /// What the caller may read.
    pub fn visibility(self) -> Visibility {
        match self {
            Caller::Anonymous => Visibility::PublishedOnly,
            Caller::Partner {
                organisation_id, ..
            } => Visibility::PublishedAndOwn(organisation_id),
            Caller::Admin { .. } => Visibility::Everything,
        }
    }

    /// What the caller may write; None when it may write nothing.
    pub fn scope(self) -> Option<Scope> {
        match self {
            Caller::Anonymous => None,
            Caller::Partner {
                organisation_id, ..
            } => Some(Scope::Organisation(organisation_id)),
            Caller::Admin { .. } => Some(Scope::Everything),
        }
    }

    /// True for administrators.
    pub fn is_admin(self) -> bool {
        matches!(self, Caller::Admin { .. })
    }
}

/// Who a write is recorded as, in the audit log.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Actor {
    /// The API key, when the write came through the API.
    pub key_id: Option<i32>,
    /// For people: `key 3`, `cli import`, `scheduler`.
    pub label: String,
}

impl Actor {
    /// The command line (`tarjotin import`, the demo catalogue).
    pub fn cli() -> Actor {
        Actor {
            key_id: None,
            label: "cli".into(),
        }
    }

    /// The scheduler that applies `publishAt` and `archiveAt`.
    pub fn scheduler() -> Actor {
        Actor {
            key_id: None,
            label: "scheduler".into(),
        }
    }

    /// An API caller.
    pub fn of(caller: Caller) -> Actor {
        match caller.key_id() {
            Some(id) => Actor {
                key_id: Some(id),
                label: format!("key {id}"),
            },
            None => Actor {
                key_id: None,
                label: "anonymous".into(),
            },
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_partner_sees_its_own_drafts_and_writes_only_its_own_records() {
        let partner = Caller::Partner {
            key_id: 1,
            organisation_id: 7,
        };
        assert_eq!(partner.visibility(), Visibility::PublishedAndOwn(7));
        assert!(partner.scope().unwrap().covers(7));
        assert!(!partner.scope().unwrap().covers(8));
        assert_eq!(Caller::Anonymous.scope(), None);
        assert!(Caller::Admin { key_id: 2 }.scope().unwrap().covers(8));
        assert_eq!(partner.key_id(), Some(1));
    }
}
