//! Who is asking: the client's network address behind the proxies the deployment trusts, and
//! the key that address is limited by.
//!
//! `X-Forwarded-For` is a list each proxy appends to, so its leftmost entries are whatever the
//! client chose to write. Only the entries added by proxies we trust can be believed: reading
//! from the right, the first address that is not one of our proxies is the client.

use ipnet::IpNet;
use std::net::{IpAddr, Ipv6Addr};

/// The proxies (addresses or CIDR ranges) whose `X-Forwarded-For` entries are believed.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TrustedProxies(Vec<IpNet>);

impl TrustedProxies {
    /// Reads a comma-separated list like `10.0.0.0/8, 192.168.1.5, fd00::/8` (empty: none).
    pub fn parse(text: &str) -> Result<Self, String> {
        text.split(',')
            .map(str::trim)
            .filter(|entry| !entry.is_empty())
            .map(|entry| {
                entry
                    .parse::<IpNet>()
                    .or_else(|_| entry.parse::<IpAddr>().map(IpNet::from))
                    .map(ipv4_if_mapped)
                    .map_err(|_| {
                        format!("\"{entry}\" is not an address or a range like 10.0.0.0/8")
                    })
            })
            .collect::<Result<Vec<_>, _>>()
            .map(Self)
    }

    pub fn trusts(&self, address: IpAddr) -> bool {
        let address = canonical(address);
        self.0.iter().any(|net| net.contains(&address))
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

/// A range of IPv4 addresses written as IPv6 (`::ffff:10.0.0.0/104`) is the IPv4 range, as
/// addresses are compared as IPv4 (see [`canonical`]).
fn ipv4_if_mapped(net: IpNet) -> IpNet {
    match net {
        IpNet::V6(v6) if v6.prefix_len() >= 96 => v6
            .addr()
            .to_ipv4_mapped()
            .and_then(|v4| ipnet::Ipv4Net::new(v4, v6.prefix_len() - 96).ok())
            .map_or(IpNet::V6(v6), IpNet::V4),
        other => other,
    }
}

/// An IPv4 address written as IPv6 (`::ffff:192.0.2.1`) is the IPv4 address.
fn canonical(address: IpAddr) -> IpAddr {
    match address {
        IpAddr::V6(v6) => v6.to_ipv4_mapped().map_or(IpAddr::V6(v6), IpAddr::V4),
        v4 => v4,
    }
}

/// The client's address: the socket's peer, unless that peer is a trusted proxy; then the
/// rightmost `X-Forwarded-For` entry that is not a trusted proxy. An entry that is not an
/// address ends the walk at the proxy that added it.
pub fn client_address(peer: IpAddr, forwarded_for: &[&str], trusted: &TrustedProxies) -> IpAddr {
    let mut client = canonical(peer);
    for entry in forwarded_for.iter().flat_map(|h| h.split(',')).rev() {
        if !trusted.trusts(client) {
            break;
        }
        match entry.trim().parse::<IpAddr>() {
            Ok(address) => client = canonical(address),
            Err(_) => break,
        }
    }
    client
}

/// What attempts are limited by: an IPv4 address, or an IPv6 address's /64 (one subscriber's
/// network, where every device can pick a new address at will).
pub fn limit_key(address: IpAddr) -> IpAddr {
    match canonical(address) {
        IpAddr::V6(v6) => {
            let bits = u128::from(v6) & !((1u128 << 64) - 1);
            IpAddr::V6(Ipv6Addr::from(bits))
        }
        v4 => v4,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ip(text: &str) -> IpAddr {
        text.parse().unwrap()
    }

    #[test]
    fn without_trusted_proxies_the_header_is_ignored() {
        let none = TrustedProxies::default();
        assert_eq!(
            client_address(ip("203.0.113.9"), &["1.2.3.4"], &none),
            ip("203.0.113.9")
        );
    }

    #[test]
    fn behind_a_trusted_proxy_the_rightmost_untrusted_entry_is_the_client() {
        let trusted = TrustedProxies::parse("10.0.0.0/8, 192.168.1.5").unwrap();
        // The client wrote "6.6.6.6" itself; our proxies appended the real address.
        assert_eq!(
            client_address(
                ip("10.0.0.2"),
                &["6.6.6.6, 203.0.113.9", "192.168.1.5"],
                &trusted
            ),
            ip("203.0.113.9")
        );
        assert_eq!(
            client_address(ip("10.0.0.2"), &[], &trusted),
            ip("10.0.0.2"),
            "no header: the proxy itself"
        );
        assert_eq!(
            client_address(ip("10.0.0.2"), &["not-an-address"], &trusted),
            ip("10.0.0.2"),
            "garbage stops the walk at the proxy that added it"
        );
        assert_eq!(
            client_address(ip("198.51.100.7"), &["203.0.113.9"], &trusted),
            ip("198.51.100.7"),
            "a peer that is not our proxy cannot speak for anyone"
        );
    }

    #[test]
    fn ipv6_clients_are_limited_per_64_and_mapped_ipv4_is_ipv4() {
        assert_eq!(
            limit_key(ip("2001:db8:1:2:aaaa:bbbb:cccc:dddd")),
            limit_key(ip("2001:db8:1:2::1"))
        );
        assert_ne!(
            limit_key(ip("2001:db8:1:2::1")),
            limit_key(ip("2001:db8:1:3::1"))
        );
        assert_eq!(limit_key(ip("::ffff:192.0.2.1")), ip("192.0.2.1"));
        assert!(
            TrustedProxies::parse("::ffff:10.0.0.1")
                .unwrap()
                .trusts(ip("10.0.0.1"))
        );
        assert!(
            TrustedProxies::parse("10.0.0.0/8")
                .unwrap()
                .trusts(ip("::ffff:10.1.2.3"))
        );
    }

    #[test]
    fn a_bad_entry_is_named() {
        let error = TrustedProxies::parse("10.0.0.0/8, proxy.local").unwrap_err();
        assert!(error.contains("proxy.local"), "{error}");
        assert!(TrustedProxies::parse(" ").unwrap().is_empty());
    }
}
