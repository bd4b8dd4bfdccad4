//! The unified social credit code (统一社会信用代码, GB 32100-2015): 18 characters from a
//! 31-character alphabet (no I, O, S, V, Z), the last one a check character computed from the
//! first 17 with fixed weights, modulo 31.

const ALPHABET: &str = "0123456789ABCDEFGHJKLMNPQRTUWXY";
const WEIGHTS: [u32; 17] = [1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28];

fn value_of(c: char) -> Option<u32> {
    ALPHABET.find(c).map(|i| i as u32)
}

/// The check character for the first 17 characters.
pub fn check_character(first17: &str) -> Option<char> {
    if first17.chars().count() != 17 {
        return None;
    }
    let mut sum = 0;
    for (c, weight) in first17.chars().zip(WEIGHTS) {
        sum += value_of(c)? * weight;
    }
    let check = (31 - sum % 31) % 31;
    ALPHABET.chars().nth(check as usize)
}

/// Whether a code is well formed and its check character right (upper case expected).
pub fn is_valid(code: &str) -> bool {
    let code = code.trim();
    if code.chars().count() != 18 || !code.chars().all(|c| value_of(c).is_some()) {
        return false;
    }
    let (body, last) = code.split_at(17);
    check_character(body).is_some_and(|c| last.starts_with(c))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn known_codes() {
        // Published examples of valid codes.
        assert!(is_valid("91350100M000100Y43"));
        assert!(is_valid("91110000802100433B"));
        assert!(!is_valid("91350100M000100Y44"), "wrong check character");
        assert!(!is_valid("91350100M000100Y4"), "too short");
        assert!(!is_valid("91350100M00010OY43"), "O is not in the alphabet");
    }
}
