//! The delivery code: four random digits made at checkout, shown only to the customer, asked of
//! the rider at the door. Compared in constant time; the store counts wrong tries.

/// Wrong codes allowed before only an admin can close the order.
pub const TRIES: i32 = 5;

/// A fresh four-digit code.
pub fn new_code() -> String {
    let mut b = [0u8; 4];
    // The OS random source failing is not something to deliver food through.
    getrandom::fill(&mut b).expect("the OS random source");
    format!("{:04}", u32::from_le_bytes(b) % 10_000)
}

/// Whether `given` is the code, in time independent of where they differ.
pub fn matches(code: &str, given: &str) -> bool {
    code.len() == given.len() && code.bytes().zip(given.bytes()).fold(0u8, |acc, (a, b)| acc | (a ^ b)) == 0
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_are_four_digits_and_compare_exactly() {
        for _ in 0..100 {
            let c = new_code();
            assert_eq!(c.len(), 4);
            assert!(c.bytes().all(|b| b.is_ascii_digit()));
            assert!(matches(&c, &c));
        }
        assert!(!matches("1234", "1235"));
        assert!(!matches("1234", "123"));
        assert!(!matches("1234", "12345"));
    }
}
