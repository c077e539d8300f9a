//! The sandbox's documented test instruments, as real gateways' test modes have them. The
//! number decides what happens; nothing else about it is kept.
//!
//! | card number | UPI id | result |
//! |---|---|---|
//! | 4111 1111 1111 1111, 5555 5555 5555 4444 | `success@dabba` | paid |
//! | 4000 0000 0000 0002 | `failure@dabba` | declined |
//! | 4000 0000 0000 9995 | | declined: insufficient funds |
//! | 4000 0000 0000 0259 | `delayed@dabba` | pending; paid a few seconds later |
//! | 4000 0000 0000 0077 | `lost@dabba` | paid, but the webhook never arrives |
//!
//! Any other valid card number (Luhn) or UPI id is paid.

use dabba_store::CardOnFile;

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    Paid,
    Declined(&'static str),
    Delayed,
    WebhookLost,
}

/// A card as typed on the pay page, checked. Only the tokenised description leaves here.
pub fn card(
    number: &str,
    expiry: &str,
    cvv: &str,
    now_year: i32,
    now_month: u8,
) -> Result<(Outcome, CardOnFile), String> {
    let digits: String = number.chars().filter(|c| !c.is_whitespace() && *c != '-').collect();
    if !(12..=19).contains(&digits.len()) || !digits.bytes().all(|b| b.is_ascii_digit()) || !luhn(&digits) {
        return Err("the card number is not valid".into());
    }
    let (mm, yy) = expiry.trim().split_once('/').ok_or("the expiry date is MM/YY")?;
    let (month, year): (u8, i32) = match (mm.trim().parse(), yy.trim().parse::<i32>()) {
        (Ok(m), Ok(y)) if (1..=12).contains(&m) && (0..100).contains(&y) => (m, 2000 + y),
        _ => return Err("the expiry date is MM/YY".into()),
    };
    if (year, month) < (now_year, now_month) {
        return Err("the card has expired".into());
    }
    if !(3..=4).contains(&cvv.trim().len()) || !cvv.trim().bytes().all(|b| b.is_ascii_digit()) {
        return Err("the CVV is the 3 or 4 digits on the back of the card".into());
    }
    let outcome = match digits.as_str() {
        "4000000000000002" => Outcome::Declined("card_declined"),
        "4000000000009995" => Outcome::Declined("insufficient_funds"),
        "4000000000000259" => Outcome::Delayed,
        "4000000000000077" => Outcome::WebhookLost,
        _ => Outcome::Paid,
    };
    let brand = match digits.as_bytes()[0] {
        b'4' => "VISA",
        b'5' | b'2' => "MASTERCARD",
        b'3' => "AMEX",
        b'6' => "RUPAY",
        _ => "CARD",
    };
    let token = format!("tok_{}", uuid::Uuid::new_v4().simple());
    let card = CardOnFile {
        token,
        brand: brand.into(),
        last4: digits[digits.len() - 4..].into(),
        expiry: format!("{month:02}/{:02}", year % 100),
    };
    Ok((outcome, card))
}

/// A UPI id (`name@bank`), checked.
pub fn upi(vpa: &str) -> Result<Outcome, String> {
    let vpa = vpa.trim().to_ascii_lowercase();
    let ok = vpa.split_once('@').is_some_and(|(name, bank)| {
        !name.is_empty()
            && !bank.is_empty()
            && vpa.len() <= 64
            && vpa.chars().all(|c| c.is_ascii_alphanumeric() || ".-_@".contains(c))
    });
    if !ok {
        return Err("a UPI id looks like name@bank".into());
    }
    Ok(match vpa.as_str() {
        "failure@dabba" => Outcome::Declined("upi_declined"),
        "delayed@dabba" => Outcome::Delayed,
        "lost@dabba" => Outcome::WebhookLost,
        _ => Outcome::Paid,
    })
}

fn luhn(digits: &str) -> bool {
    let sum: u32 = digits
        .bytes()
        .rev()
        .enumerate()
        .map(|(i, b)| {
            let d = u32::from(b - b'0');
            if i % 2 == 1 {
                let x = d * 2;
                if x > 9 { x - 9 } else { x }
            } else {
                d
            }
        })
        .sum();
    sum.is_multiple_of(10)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn test_cards_decide_the_outcome_and_only_a_description_is_kept() {
        let (o, c) = card("4111 1111 1111 1111", "12/30", "123", 2026, 11).unwrap();
        assert_eq!(o, Outcome::Paid);
        assert_eq!((c.brand.as_str(), c.last4.as_str(), c.expiry.as_str()), ("VISA", "1111", "12/30"));
        assert!(c.token.starts_with("tok_") && !c.token.contains("4111"));
        assert_eq!(card("4000000000000002", "01/27", "123", 2026, 11).unwrap().0, Outcome::Declined("card_declined"));
        assert_eq!(card("4000000000000259", "01/27", "123", 2026, 11).unwrap().0, Outcome::Delayed);
        assert_eq!(card("4000000000000077", "01/27", "123", 2026, 11).unwrap().0, Outcome::WebhookLost);
        assert_eq!(card("5555555555554444", "11/26", "1234", 2026, 11).unwrap().1.brand, "MASTERCARD");
    }

    #[test]
    fn bad_cards_are_refused_with_a_reason() {
        assert!(card("4111111111111112", "12/30", "123", 2026, 11).unwrap_err().contains("not valid"));
        assert!(card("4111111111111111", "10/26", "123", 2026, 11).unwrap_err().contains("expired"));
        assert!(card("4111111111111111", "13/30", "123", 2026, 11).unwrap_err().contains("MM/YY"));
        assert!(card("4111111111111111", "12/30", "12", 2026, 11).unwrap_err().contains("CVV"));
    }

    #[test]
    fn upi_ids() {
        assert_eq!(upi("success@dabba"), Ok(Outcome::Paid));
        assert_eq!(upi("Failure@Dabba"), Ok(Outcome::Declined("upi_declined")));
        assert_eq!(upi("delayed@dabba"), Ok(Outcome::Delayed));
        assert!(upi("no-at-sign").is_err());
        assert!(upi("@bank").is_err());
    }
}
