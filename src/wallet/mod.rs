//! The online side: chain clients and what they persist (feature `net`).

pub mod monero;
pub mod xrpl;

/// A warning for plain `http://` to a node that is not on this machine: anyone on the path
/// can read what is asked and rewrite what the node answers (balances, Sequences, fees,
/// whether a transaction was accepted). The offline signer bounds those claims, but the
/// online side's own view would be wrong. None for https and for loopback.
pub fn insecure_endpoint(url: &str) -> Option<String> {
    let rest = url.trim().strip_prefix("http://")?;
    let authority = rest.split(['/', '?', '#']).next().unwrap_or("");
    let host = authority.rsplit_once('@').map_or(authority, |(_, h)| h);
    let host = if host.starts_with('[') { host.split(']').next().unwrap_or("").trim_start_matches('[') } else { host.split(':').next().unwrap_or("") };
    let loopback = host.eq_ignore_ascii_case("localhost") || host.parse::<std::net::IpAddr>().is_ok_and(|ip| ip.is_loopback());
    (!loopback).then(|| format!("warning: {url} is plain http to another machine: anyone on the network path can read and rewrite the node's answers; use https"))
}

#[cfg(test)]
mod tests {
    #[test]
    fn only_remote_plain_http_is_warned_about() {
        use super::insecure_endpoint as w;
        assert!(w("https://s1.ripple.com:51234").is_none());
        assert!(w("http://127.0.0.1:5005").is_none());
        assert!(w("http://localhost:18081/json_rpc").is_none());
        assert!(w("http://[::1]:18081").is_none());
        assert!(w("http://node.example.com:18081").is_some());
        assert!(w("http://user:pw@10.0.0.5:18081").is_some());
        assert!(w("http://127.0.0.1.evil.com/").is_some());
    }
}
