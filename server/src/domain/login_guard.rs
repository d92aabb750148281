//! Rules that slow down password guessing without letting a stranger lock the real user out, after OWASP's
//! "Slow Down Online Guessing Attacks with Device Cookies":
//!
//! - a client that logged in to an account before carries a signed device cookie for it; its failures count
//!   against that cookie only, so failures from elsewhere never lock it out;
//! - every other (untrusted) client shares one failure budget per account, plus one per client address across
//!   all accounts.
//!
//! Each budget is a bucket that is counted and checked in one statement before the password is hashed.

use std::net::IpAddr;

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use chrono::{DateTime, Duration, Utc};
use hmac::{Hmac, Mac};
use sha2::Sha256;

use super::secret::{random_token, sha256_hex};

/// Name of the cookie a client gets after a successful login.
pub const DEVICE_COOKIE: &str = "seatwise_device";

/// Whose failure budget an attempt spends.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Bucket {
    pub key: String,
    pub limit: i64,
    /// Cleared when the attempt succeeds (the credential's own budget), or only handed back (shared ones, so a
    /// valid login to one account does not refill the budget for guessing others from that address).
    pub clear_on_success: bool,
}

/// The failure limits, from the settings.
#[derive(Debug, Clone, Copy)]
pub struct Limits {
    pub per_account: i64,
    pub per_address: i64,
}

/// The buckets one attempt spends: its device cookie's if it has a valid one for this account, otherwise the
/// account's untrusted budget and its address's.
pub fn buckets(email: &str, device: Option<&Device>, client: Option<IpAddr>, limits: Limits) -> Vec<Bucket> {
    if let Some(d) = device.filter(|d| d.login == email) {
        return vec![Bucket {
            key: format!("device:{}", sha256_hex(&d.nonce)),
            limit: limits.per_account,
            clear_on_success: true,
        }];
    }
    let mut out = Vec::with_capacity(2);
    // The address first: every untrusted attempt takes the locks in the same order.
    if let Some(ip) = client {
        out.push(Bucket {
            key: format!("addr:{}", address_key(ip)),
            limit: limits.per_address,
            clear_on_success: false,
        });
    }
    out.push(Bucket {
        key: format!("account:{}", sha256_hex(email)),
        limit: limits.per_account,
        clear_on_success: true,
    });
    out
}

/// One key per IPv4 address and per IPv6 /64 (one host usually has a whole /64 to pick addresses from).
pub fn address_key(ip: IpAddr) -> String {
    match ip {
        IpAddr::V4(v4) => v4.to_string(),
        IpAddr::V6(v6) => match v6.to_ipv4_mapped() {
            Some(v4) => v4.to_string(),
            None => {
                let s = v6.segments();
                format!("{:x}:{:x}:{:x}:{:x}::/64", s[0], s[1], s[2], s[3])
            }
        },
    }
}

/// The client's address: the peer's, or, when the peer is a proxy the operator trusts, the last address in
/// `X-Forwarded-For` that is not one of the trusted proxies. Without trusted proxies the header is ignored: any
/// client could write anything there.
pub fn client_address(peer: Option<IpAddr>, forwarded_for: Option<&str>, trusted: &[IpAddr]) -> Option<IpAddr> {
    let peer = peer?;
    if !trusted.contains(&peer) {
        return Some(peer);
    }
    let Some(header) = forwarded_for else {
        return Some(peer);
    };
    let mut last = peer;
    for part in header.rsplit(',') {
        match part.trim().parse::<IpAddr>() {
            Ok(ip) if trusted.contains(&ip) => last = ip,
            Ok(ip) => return Some(ip),
            // A malformed entry: the proxies we trust did not write it, so stop at the last one they did.
            Err(_) => return Some(last),
        }
    }
    Some(last)
}

/// Seconds until a bucket whose window started at `window_start` opens again (at least 1).
pub fn retry_after(window_start: DateTime<Utc>, window: Duration, now: DateTime<Utc>) -> u64 {
    let left = (window_start + window - now).num_seconds();
    u64::try_from(left.max(1)).unwrap_or(1)
}

/// A verified device cookie: the account it logged in to and its random nonce.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Device {
    pub login: String,
    pub nonce: String,
}

fn mac(key: &[u8], message: &str) -> Option<Hmac<Sha256>> {
    let mut m = Hmac::<Sha256>::new_from_slice(key).ok()?;
    m.update(message.as_bytes());
    Some(m)
}

/// A new device cookie value for this login: `base64(login).nonce.base64(HMAC-SHA256(key, base64(login).nonce))`.
pub fn issue_device(key: &[u8], login: &str) -> Option<String> {
    let message = format!("{}.{}", URL_SAFE_NO_PAD.encode(login.as_bytes()), random_token(""));
    let tag = mac(key, &message)?.finalize().into_bytes();
    Some(format!("{message}.{}", URL_SAFE_NO_PAD.encode(tag)))
}

/// The device a cookie names, if its signature is ours; anything else counts as an untrusted client.
pub fn verify_device(key: &[u8], value: &str) -> Option<Device> {
    let mut parts = value.split('.');
    let (login_b64, nonce, tag_b64) = (parts.next()?, parts.next()?, parts.next()?);
    if parts.next().is_some() || nonce.is_empty() {
        return None;
    }
    let tag = URL_SAFE_NO_PAD.decode(tag_b64).ok()?;
    mac(key, &format!("{login_b64}.{nonce}"))?.verify_slice(&tag).ok()?;
    let login = String::from_utf8(URL_SAFE_NO_PAD.decode(login_b64).ok()?).ok()?;
    Some(Device { login, nonce: nonce.to_string() })
}

#[cfg(test)]
mod tests {
    use super::*;

    const LIMITS: Limits = Limits { per_account: 5, per_address: 30 };

    #[test]
    fn device_cookies_verify_only_with_our_key_and_unaltered() {
        let key = b"0123456789abcdef0123456789abcdef";
        let cookie = issue_device(key, "ana@example.com").expect("cookie");
        let d = verify_device(key, &cookie).expect("valid");
        assert_eq!(d.login, "ana@example.com");
        assert_ne!(issue_device(key, "ana@example.com"), Some(cookie.clone()), "a fresh nonce each time");
        assert!(verify_device(b"another key entirely, 32 bytes!!", &cookie).is_none());
        // Another login under the same signature, a changed nonce, a cut or extended value: all refused.
        let parts: Vec<&str> = cookie.split('.').collect();
        let other = URL_SAFE_NO_PAD.encode("admin@example.com");
        assert!(verify_device(key, &format!("{other}.{}.{}", parts[1], parts[2])).is_none());
        assert!(verify_device(key, &format!("{}.x{}.{}", parts[0], parts[1], parts[2])).is_none());
        assert!(verify_device(key, &format!("{}.{}", parts[0], parts[1])).is_none());
        assert!(verify_device(key, &format!("{cookie}.x")).is_none());
        assert!(verify_device(key, "").is_none());
        assert!(verify_device(key, "...").is_none());
    }

    #[test]
    fn a_device_for_this_account_spends_only_its_own_budget() {
        let d = Device { login: "ana@example.com".into(), nonce: "n1".into() };
        let ip: IpAddr = "203.0.113.7".parse().expect("ip");
        let own = buckets("ana@example.com", Some(&d), Some(ip), LIMITS);
        assert_eq!(own.len(), 1);
        assert!(own[0].key.starts_with("device:") && own[0].clear_on_success);
        // The same cookie for another account is an untrusted client there: address, then account.
        let other = buckets("bob@example.com", Some(&d), Some(ip), LIMITS);
        let keys: Vec<&str> = other.iter().map(|b| b.key.as_str()).collect();
        assert_eq!(keys[0], "addr:203.0.113.7");
        assert!(keys[1].starts_with("account:"));
        assert_eq!((other[0].limit, other[0].clear_on_success), (30, false));
        assert_eq!((other[1].limit, other[1].clear_on_success), (5, true));
        assert_eq!(buckets("bob@example.com", None, None, LIMITS).len(), 1);
    }

    #[test]
    fn ipv6_addresses_share_a_bucket_per_64() {
        let a: IpAddr = "2001:db8:1:2:aaaa::1".parse().expect("ip");
        let b: IpAddr = "2001:db8:1:2:ffff:1:2:3".parse().expect("ip");
        assert_eq!(address_key(a), address_key(b));
        assert_eq!(address_key(a), "2001:db8:1:2::/64");
        assert_eq!(address_key("::ffff:192.0.2.1".parse().expect("ip")), "192.0.2.1");
    }

    #[test]
    fn forwarded_for_counts_only_behind_a_trusted_proxy() {
        let proxy: IpAddr = "10.0.0.5".parse().expect("ip");
        let client: IpAddr = "198.51.100.9".parse().expect("ip");
        let xff = Some("1.2.3.4, 198.51.100.9");
        assert_eq!(client_address(Some(proxy), xff, &[]), Some(proxy), "no trusted proxy: the header is ignored");
        assert_eq!(client_address(Some(client), xff, &[proxy]), Some(client), "not from the proxy");
        assert_eq!(client_address(Some(proxy), xff, &[proxy]), Some(client), "the proxy's entry, not the spoofed one");
        assert_eq!(client_address(Some(proxy), Some("junk, 10.0.0.5"), &[proxy]), Some(proxy));
        assert_eq!(client_address(Some(proxy), None, &[proxy]), Some(proxy));
        assert_eq!(client_address(None, xff, &[proxy]), None);
    }

    #[test]
    fn retry_after_is_what_is_left_of_the_window() {
        let start = DateTime::parse_from_rfc3339("2026-11-23T09:00:00Z").expect("ts").to_utc();
        let w = Duration::minutes(15);
        assert_eq!(retry_after(start, w, start + Duration::minutes(5)), 600);
        assert_eq!(retry_after(start, w, start + Duration::minutes(20)), 1);
    }
}
