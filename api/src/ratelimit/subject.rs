//! Whose bucket a request draws from.

use std::net::IpAddr;

/// The identity a request is rate limited by.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RateSubject {
    /// A caller with an API key; `capacity` overrides the default bucket size.
    Key { id: String, capacity: Option<u32> },
    /// An anonymous caller, by client address.
    Ip(IpAddr),
}

impl RateSubject {
    /// The bucket's name. IPv6 clients are grouped by their /64, the block
    /// one subscriber usually gets, so rotating addresses does not help.
    pub fn bucket(&self) -> String {
        match self {
            RateSubject::Key { id, .. } => format!("key:{id}"),
            RateSubject::Ip(IpAddr::V4(ip)) => format!("ip:{ip}"),
            RateSubject::Ip(IpAddr::V6(ip)) => match ip.to_ipv4_mapped() {
                Some(v4) => format!("ip:{v4}"),
                None => {
                    let s = ip.segments();
                    format!("ip:{:x}:{:x}:{:x}:{:x}::/64", s[0], s[1], s[2], s[3])
                }
            },
        }
    }

    /// `key` or `ip`, for metrics.
    pub fn kind(&self) -> &'static str {
        match self {
            RateSubject::Key { .. } => "key",
            RateSubject::Ip(_) => "ip",
        }
    }

    /// The bucket size of this subject, when it has one of its own.
    pub fn capacity(&self) -> Option<u32> {
        match self {
            RateSubject::Key { capacity, .. } => *capacity,
            RateSubject::Ip(_) => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ipv6_clients_share_the_bucket_of_their_64_block() {
        let a = RateSubject::Ip("2001:db8:1:2:aaaa::1".parse().unwrap());
        let b = RateSubject::Ip("2001:db8:1:2:bbbb::9".parse().unwrap());
        let c = RateSubject::Ip("2001:db8:1:3::1".parse().unwrap());
        assert_eq!(a.bucket(), b.bucket());
        assert_ne!(a.bucket(), c.bucket());
        let mapped = RateSubject::Ip("::ffff:192.0.2.7".parse().unwrap());
        assert_eq!(mapped.bucket(), "ip:192.0.2.7");
    }
}
