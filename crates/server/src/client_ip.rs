//! Who the client is: the TCP peer, or, when the peer is a proxy the operator trusts
//! (`--trusted-proxy`), the right-most address in `Forwarded` (else `X-Forwarded-For`) that is not
//! a trusted proxy itself. Everything to its left was written by the client and proves nothing.

use crate::state::AppState;
use axum::extract::{ConnectInfo, FromRequestParts};
use axum::http::request::Parts;
use axum::http::{Extensions, HeaderMap};
use ipnet::IpNet;
use std::convert::Infallible;
use std::net::{IpAddr, SocketAddr};

/// The client's address as this server decides it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ClientIp(pub IpAddr);

impl FromRequestParts<AppState> for ClientIp {
    type Rejection = Infallible;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Infallible> {
        Ok(ClientIp(client_ip(&parts.extensions, &parts.headers, &state.config.trusted_proxies)))
    }
}

/// The client address of a request (unspecified when its connection's peer is not known).
pub fn client_ip(extensions: &Extensions, headers: &HeaderMap, trusted: &[IpNet]) -> IpAddr {
    let peer = extensions.get::<ConnectInfo<SocketAddr>>().map_or(IpAddr::from([0, 0, 0, 0]), |c| c.0.ip());
    forwarded_client(peer, headers, trusted)
}

/// `peer` unless it is trusted; then the right-most untrusted hop the proxies report (a hop that
/// cannot be read ends the walk at the last trusted one).
pub fn forwarded_client(peer: IpAddr, headers: &HeaderMap, trusted: &[IpNet]) -> IpAddr {
    let is_trusted = |ip: &IpAddr| trusted.iter().any(|net| net.contains(&canonical(*ip)));
    if !is_trusted(&peer) {
        return canonical(peer);
    }
    let values = |name| headers.get_all(name).iter().filter_map(|v| v.to_str().ok()).collect::<Vec<_>>();
    let forwarded = values("forwarded");
    let hops: Vec<Option<IpAddr>> = if forwarded.is_empty() {
        values("x-forwarded-for").iter().flat_map(|v| v.split(',')).map(|hop| hop.trim().parse().ok()).collect()
    } else {
        forwarded.iter().flat_map(|v| v.split(',')).map(forwarded_for).collect()
    };
    let mut client = peer;
    for hop in hops.into_iter().rev() {
        let Some(ip) = hop else { break };
        client = ip;
        if !is_trusted(&ip) {
            break;
        }
    }
    canonical(client)
}

/// The address in one `Forwarded` element's `for=` (RFC 7239: `for=192.0.2.1`,
/// `for="[2001:db8::1]:4711"`); `None` for obfuscated or unknown ones.
fn forwarded_for(element: &str) -> Option<IpAddr> {
    let value = element.split(';').find_map(|pair| {
        let (key, value) = pair.split_once('=')?;
        key.trim().eq_ignore_ascii_case("for").then(|| value.trim().trim_matches('"'))
    })?;
    if let Some(rest) = value.strip_prefix('[') {
        return rest.split_once(']')?.0.parse().ok();
    }
    value.parse().ok().or_else(|| value.parse::<SocketAddr>().ok().map(|a| a.ip()))
}

/// IPv4 addresses written as IPv6 (`::ffff:192.0.2.1`) are the IPv4 address.
fn canonical(ip: IpAddr) -> IpAddr {
    match ip {
        IpAddr::V6(v6) => v6.to_ipv4_mapped().map_or(ip, IpAddr::V4),
        v4 => v4,
    }
}

/// The rate-limit bucket of a client: its IPv4 address, or its IPv6 /64 (one household or
/// server gets a /64, so a single client cannot take a new bucket per address).
pub fn client_bucket(ip: IpAddr) -> String {
    match ip {
        IpAddr::V4(v4) => v4.to_string(),
        IpAddr::V6(v6) => {
            let s = v6.segments();
            format!("{:x}:{:x}:{:x}:{:x}::/64", s[0], s[1], s[2], s[3])
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::http::HeaderValue;

    fn headers(pairs: &[(&'static str, &str)]) -> HeaderMap {
        let mut map = HeaderMap::new();
        for (name, value) in pairs {
            map.append(*name, HeaderValue::from_str(value).unwrap());
        }
        map
    }

    fn ip(s: &str) -> IpAddr {
        s.parse().unwrap()
    }

    #[test]
    fn only_a_trusted_peer_may_name_the_client() {
        let trusted: Vec<IpNet> = vec!["127.0.0.1/32".parse().unwrap(), "10.0.0.0/8".parse().unwrap()];
        let xff = headers(&[("x-forwarded-for", "203.0.113.9")]);
        assert_eq!(forwarded_client(ip("198.51.100.7"), &xff, &trusted), ip("198.51.100.7"), "an untrusted peer");
        assert_eq!(forwarded_client(ip("127.0.0.1"), &xff, &trusted), ip("203.0.113.9"));
        assert_eq!(forwarded_client(ip("127.0.0.1"), &HeaderMap::new(), &trusted), ip("127.0.0.1"));
        // A client that writes its own X-Forwarded-For gets its real address, the right-most untrusted hop.
        let spoofed = headers(&[("x-forwarded-for", "1.2.3.4, 203.0.113.9, 10.1.1.1")]);
        assert_eq!(forwarded_client(ip("127.0.0.1"), &spoofed, &trusted), ip("203.0.113.9"));
        let split = headers(&[("x-forwarded-for", "1.2.3.4"), ("x-forwarded-for", "203.0.113.9")]);
        assert_eq!(forwarded_client(ip("127.0.0.1"), &split, &trusted), ip("203.0.113.9"));
        let garbage = headers(&[("x-forwarded-for", "203.0.113.9, not-an-ip, 10.1.1.1")]);
        assert_eq!(forwarded_client(ip("127.0.0.1"), &garbage, &trusted), ip("10.1.1.1"));
    }

    #[test]
    fn forwarded_wins_and_is_read_per_rfc_7239() {
        let trusted: Vec<IpNet> = vec!["127.0.0.1/32".parse().unwrap()];
        let both = headers(&[
            ("forwarded", r#"for=1.2.3.4, for="[2001:db8:cafe::17]:4711";proto=https"#),
            ("x-forwarded-for", "203.0.113.9"),
        ]);
        assert_eq!(forwarded_client(ip("127.0.0.1"), &both, &trusted), ip("2001:db8:cafe::17"));
        let port = headers(&[("forwarded", "for=198.51.100.2:8443;by=127.0.0.1")]);
        assert_eq!(forwarded_client(ip("127.0.0.1"), &port, &trusted), ip("198.51.100.2"));
        let hidden = headers(&[("forwarded", "for=_hidden")]);
        assert_eq!(forwarded_client(ip("127.0.0.1"), &hidden, &trusted), ip("127.0.0.1"));
        assert_eq!(forwarded_client(ip("::ffff:127.0.0.1"), &port, &trusted), ip("198.51.100.2"));
    }

    #[test]
    fn ipv6_clients_share_their_64() {
        assert_eq!(client_bucket(ip("2001:db8:1:2:aaaa::1")), client_bucket(ip("2001:db8:1:2:bbbb::9")));
        assert_ne!(client_bucket(ip("2001:db8:1:2::1")), client_bucket(ip("2001:db8:1:3::1")));
        assert_eq!(client_bucket(ip("192.0.2.1")), "192.0.2.1");
    }
}
