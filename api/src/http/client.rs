//! Who is calling: the client address (believing X-Forwarded-For only from
//! configured proxies), whether the request is authenticated, and so whose
//! rate-limit bucket it draws from.

use std::net::{IpAddr, Ipv4Addr};

use actix_web::http::header::{HeaderMap, AUTHORIZATION};
use actix_web::HttpRequest;

use crate::config::IpNet;
use crate::domain::Caller;
use crate::ratelimit::RateSubject;
use crate::store::Identity;

/// Whose bucket the request draws from: the API key's, or, for anonymous
/// callers (and requests refused before their key was checked), the client
/// address's. A key with a rate limit of its own has a bucket of that size.
pub fn rate_subject(
    req: &HttpRequest,
    identity: Option<&Identity>,
    trusted_proxies: &[IpNet],
) -> RateSubject {
    match identity.map(|i| (i.caller, i.rate_limit)) {
        Some((Caller::Partner { key_id, .. } | Caller::Admin { key_id }, rate_limit)) => {
            RateSubject::Key {
                id: key_id.to_string(),
                capacity: rate_limit,
            }
        }
        Some((Caller::Anonymous, _)) | None => {
            let peer = req.peer_addr().map(|a| a.ip());
            RateSubject::Ip(client_ip(peer, req.headers(), trusted_proxies))
        }
    }
}

/// Whether the request carries credentials; such answers are never cached
/// publicly.
pub fn authenticated(headers: &HeaderMap) -> bool {
    headers.contains_key(AUTHORIZATION) || headers.contains_key("x-api-key")
}

/// The client's address: the peer, or, when the peer is a trusted proxy, the
/// nearest address in X-Forwarded-For that is not a trusted proxy.
pub fn client_ip(peer: Option<IpAddr>, headers: &HeaderMap, trusted: &[IpNet]) -> IpAddr {
    let is_trusted = |ip: IpAddr| trusted.iter().any(|net| net.contains(ip));
    let mut client = peer.unwrap_or(IpAddr::V4(Ipv4Addr::UNSPECIFIED));
    if !is_trusted(client) {
        return client;
    }
    let hops: Vec<&str> = headers
        .get_all("x-forwarded-for")
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .collect();
    for hop in hops.iter().rev() {
        let Some(ip) = parse_hop(hop) else {
            break;
        };
        client = ip;
        if !is_trusted(ip) {
            break;
        }
    }
    client
}

/// `192.0.2.1`, `192.0.2.1:4711`, `2001:db8::1` or `[2001:db8::1]:4711`.
fn parse_hop(hop: &str) -> Option<IpAddr> {
    let hop = hop.trim();
    if let Ok(ip) = hop.parse() {
        return Some(ip);
    }
    if let Some(rest) = hop.strip_prefix('[') {
        return rest.split(']').next()?.parse().ok();
    }
    hop.rsplit_once(':')
        .and_then(|(ip, port)| port.parse::<u16>().ok().and(ip.parse().ok()))
}

#[cfg(test)]
mod tests {
    use actix_web::http::header::HeaderValue;

    use super::*;

    fn xff(value: &str) -> HeaderMap {
        let mut h = HeaderMap::new();
        h.insert(
            actix_web::http::header::HeaderName::from_static("x-forwarded-for"),
            HeaderValue::from_str(value).unwrap(),
        );
        h
    }

    fn ip(s: &str) -> IpAddr {
        s.parse().unwrap()
    }

    #[test]
    fn forwarded_addresses_count_only_from_trusted_proxies() {
        let proxies = [IpNet::parse("10.0.0.0/8").unwrap()];
        let headers = xff("203.0.113.9");
        assert_eq!(
            client_ip(Some(ip("198.51.100.1")), &headers, &proxies),
            ip("198.51.100.1")
        );
        assert_eq!(
            client_ip(Some(ip("10.0.0.2")), &headers, &proxies),
            ip("203.0.113.9")
        );
        assert_eq!(
            client_ip(Some(ip("10.0.0.2")), &headers, &[]),
            ip("10.0.0.2")
        );
    }

    #[test]
    fn a_spoofed_left_part_of_the_chain_is_ignored() {
        let proxies = [IpNet::parse("10.0.0.0/8").unwrap()];
        let headers = xff("1.2.3.4, 203.0.113.9, 10.0.0.7");
        assert_eq!(
            client_ip(Some(ip("10.0.0.2")), &headers, &proxies),
            ip("203.0.113.9")
        );
    }

    #[test]
    fn garbage_in_the_chain_stops_at_the_last_trusted_hop() {
        let proxies = [IpNet::parse("10.0.0.0/8").unwrap()];
        let headers = xff("203.0.113.9, not-an-ip");
        assert_eq!(
            client_ip(Some(ip("10.0.0.2")), &headers, &proxies),
            ip("10.0.0.2")
        );
        let headers = xff("[2001:db8::5]:443, 203.0.113.9:80");
        assert_eq!(
            client_ip(Some(ip("10.0.0.2")), &headers, &proxies),
            ip("203.0.113.9")
        );
    }
}
