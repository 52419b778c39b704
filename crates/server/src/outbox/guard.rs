//! The SSRF guard: webhook deliveries never reach loopback, private, link-local or metadata
//! addresses unless the operator allows it (sandbox endpoints may reach loopback, so a
//! developer's receiver on their own machine works). The check runs in the HTTP client's resolver,
//! on the addresses it then connects to, so a DNS answer that changes between a check and the
//! connection cannot slip through; a URL that names an address itself is checked before sending.

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr};

/// Which addresses deliveries may reach.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Policy {
    pub allow_loopback: bool,
    /// Private, link-local, metadata and other non-public addresses (and loopback).
    pub allow_private: bool,
}

impl Policy {
    /// The policy for endpoints of one mode.
    pub fn for_mode(livemode: bool, allow_private: bool) -> Policy {
        Policy { allow_loopback: allow_private || !livemode, allow_private }
    }

    /// Why `ip` may not be reached, if it may not.
    pub fn refuses(&self, ip: IpAddr) -> Option<&'static str> {
        let ip = match ip {
            IpAddr::V6(v6) => v6.to_ipv4_mapped().map_or(IpAddr::V6(v6), IpAddr::V4),
            v4 => v4,
        };
        if ip.is_loopback() {
            return (!self.allow_loopback).then_some("a loopback address");
        }
        (!self.allow_private && !is_public(ip)).then_some("a private, link-local or reserved address")
    }
}

/// Whether `ip` is an ordinary internet address (not private, link-local, metadata, shared,
/// documentation, multicast or unspecified).
fn is_public(ip: IpAddr) -> bool {
    match ip {
        IpAddr::V4(v4) => public_v4(v4),
        IpAddr::V6(v6) => public_v6(v6),
    }
}

fn public_v4(ip: Ipv4Addr) -> bool {
    let [a, b, ..] = ip.octets();
    let shared = a == 100 && (64..128).contains(&b); // 100.64.0.0/10, carrier-grade NAT
    let reserved = a == 0 || a >= 240 || (a == 192 && b == 0) || (a == 198 && (b == 18 || b == 19));
    !(ip.is_private()
        || ip.is_loopback()
        || ip.is_link_local() // 169.254.0.0/16, the cloud metadata service's too
        || ip.is_broadcast()
        || ip.is_documentation()
        || ip.is_multicast()
        || ip.is_unspecified()
        || shared
        || reserved)
}

fn public_v6(ip: Ipv6Addr) -> bool {
    let first = ip.segments()[0];
    let unique_local = (first & 0xfe00) == 0xfc00; // fc00::/7 (fd00:ec2::254, the metadata service)
    let link_local = (first & 0xffc0) == 0xfe80;
    let documentation = first == 0x2001 && ip.segments()[1] == 0x0db8;
    let nat64 = first == 0x0064 && ip.segments()[1] == 0xff9b;
    !(ip.is_loopback()
        || ip.is_unspecified()
        || ip.is_multicast()
        || unique_local
        || link_local
        || documentation
        || nat64)
}

/// Why the URL's host, when it is an address (or `localhost`), may not be reached.
pub fn refuses_host(policy: Policy, url: &url::Url) -> Option<&'static str> {
    match url.host()? {
        url::Host::Ipv4(v4) => policy.refuses(IpAddr::V4(v4)),
        url::Host::Ipv6(v6) => policy.refuses(IpAddr::V6(v6)),
        url::Host::Domain(name) => {
            let name = name.trim_end_matches('.');
            let local = name == "localhost" || name.ends_with(".localhost");
            local.then(|| policy.refuses(IpAddr::V4(Ipv4Addr::LOCALHOST))).flatten()
        }
    }
}

/// The HTTP client's resolver: the system's answer, without the addresses the policy refuses.
#[derive(Debug, Clone, Copy)]
pub struct GuardedResolver(pub Policy);

impl reqwest::dns::Resolve for GuardedResolver {
    fn resolve(&self, name: reqwest::dns::Name) -> reqwest::dns::Resolving {
        let policy = self.0;
        let host = name.as_str().to_string();
        Box::pin(async move {
            let found: Vec<SocketAddr> = tokio::net::lookup_host((host.as_str(), 0)).await?.collect();
            let allowed: Vec<SocketAddr> = found.iter().copied().filter(|a| policy.refuses(a.ip()).is_none()).collect();
            match (allowed.is_empty(), found.first()) {
                (false, _) => Ok(Box::new(allowed.into_iter()) as reqwest::dns::Addrs),
                (true, Some(first)) => {
                    let why = policy.refuses(first.ip()).unwrap_or("a refused address");
                    Err(format!("{host} resolves to {why}, which webhooks may not reach").into())
                }
                (true, None) => Err(format!("{host} has no address").into()),
            }
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use reqwest::dns::Resolve;

    const LIVE: Policy = Policy { allow_loopback: false, allow_private: false };
    const SANDBOX: Policy = Policy { allow_loopback: true, allow_private: false };

    fn ip(s: &str) -> IpAddr {
        s.parse().unwrap()
    }

    #[test]
    fn live_endpoints_reach_only_public_addresses() {
        for refused in [
            "127.0.0.1",
            "10.1.2.3",
            "172.16.0.1",
            "192.168.1.1",
            "169.254.169.254",
            "100.64.0.1",
            "0.0.0.0",
            "224.0.0.1",
            "255.255.255.255",
            "::1",
            "fd00:ec2::254",
            "fe80::1",
            "::ffff:127.0.0.1",
            "::ffff:10.0.0.1",
            "::",
        ] {
            assert!(LIVE.refuses(ip(refused)).is_some(), "{refused}");
        }
        for allowed in ["93.184.216.34", "1.1.1.1", "2606:4700:4700::1111"] {
            assert_eq!(LIVE.refuses(ip(allowed)), None, "{allowed}");
        }
    }

    #[test]
    fn sandbox_endpoints_may_reach_loopback_only_of_the_private_addresses() {
        assert_eq!(SANDBOX.refuses(ip("127.0.0.1")), None);
        assert_eq!(SANDBOX.refuses(ip("::1")), None);
        assert!(SANDBOX.refuses(ip("169.254.169.254")).is_some());
        assert!(SANDBOX.refuses(ip("192.168.0.10")).is_some());
        let open = Policy::for_mode(true, true);
        assert_eq!(open.refuses(ip("10.0.0.1")), None);
        assert_eq!(open.refuses(ip("127.0.0.1")), None);
    }

    #[test]
    fn addresses_and_localhost_in_urls_are_checked_before_sending() {
        let url = |s: &str| url::Url::parse(s).unwrap();
        assert!(refuses_host(LIVE, &url("https://127.0.0.1/hook")).is_some());
        assert!(refuses_host(LIVE, &url("https://[::1]:8443/hook")).is_some());
        assert!(refuses_host(LIVE, &url("https://localhost./hook")).is_some());
        assert!(refuses_host(LIVE, &url("https://api.localhost/hook")).is_some());
        assert!(refuses_host(LIVE, &url("https://shop.example/hook")).is_none());
        assert!(refuses_host(SANDBOX, &url("http://localhost:9000/hook")).is_none());
    }

    #[tokio::test]
    async fn the_resolver_drops_refused_answers() {
        let refused = GuardedResolver(LIVE).resolve("localhost".parse().unwrap()).await;
        let err = refused.err().expect("localhost is refused for live endpoints").to_string();
        assert!(err.contains("loopback"), "{err}");
        let allowed = GuardedResolver(SANDBOX).resolve("localhost".parse().unwrap()).await.unwrap();
        assert!(allowed.into_iter().all(|a| a.ip().is_loopback()));
    }
}
