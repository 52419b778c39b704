//! Unguessable identifiers: public link ids and API key secrets, from the OS CSPRNG.

const BASE62: &[u8] = b"0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";

/// `len` base62 characters, uniformly distributed (bytes ≥ 248 are rejected to avoid bias).
pub fn random_base62(len: usize) -> String {
    let mut out = String::with_capacity(len);
    let mut buf = [0u8; 64];
    while out.len() < len {
        getrandom::fill(&mut buf).expect("the operating system's random source failed");
        for b in buf.iter().filter(|b| **b < 248) {
            if out.len() == len {
                break;
            }
            out.push(BASE62[usize::from(*b % 62)] as char);
        }
    }
    out
}

/// `pl_` + 20 base62 characters (about 119 bits).
pub fn new_public_id() -> String {
    format!("pl_{}", random_base62(20))
}

pub fn is_public_id(s: &str) -> bool {
    s.len() == 23 && s.starts_with("pl_") && s[3..].bytes().all(|b| b.is_ascii_alphanumeric())
}

pub fn sha256_hex(data: &[u8]) -> String {
    use sha2::{Digest, Sha256};
    hex::encode(Sha256::digest(data))
}

/// Compares two secrets without stopping at the first difference.
pub fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    subtle::ConstantTimeEq::ct_eq(a, b).into()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn public_ids_are_well_formed_and_distinct() {
        let a = new_public_id();
        assert!(is_public_id(&a), "{a}");
        assert_ne!(a, new_public_id());
        assert!(!is_public_id("pl_short"));
        assert!(!is_public_id("pl_../../../../etc/passwd"));
    }

    #[test]
    fn constant_time_eq_compares() {
        assert!(constant_time_eq(b"abc", b"abc"));
        assert!(!constant_time_eq(b"abc", b"abd"));
        assert!(!constant_time_eq(b"abc", b"ab"));
    }
}
