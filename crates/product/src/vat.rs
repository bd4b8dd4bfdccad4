//! VAT on a line, as Chinese invoicing does it (china.md §2): amounts in 元 with two decimals,
//! tax computed and rounded half-up per line; for a tax-inclusive price (含税价) the net is
//! `round(gross ÷ (1 + r))` and the tax the difference, so every line sums exactly.

use kernel::{Currency, Money, Quantity, Result, UnitPrice};

/// The three amounts of a line.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct LineAmounts {
    pub net: Money,
    pub tax: Money,
    pub gross: Money,
}

/// `rate_bp` is in basis points (13% = 1300).
pub fn line_amounts(
    quantity: Quantity,
    price: UnitPrice,
    price_includes_tax: bool,
    rate_bp: i64,
    currency: Currency,
) -> Result<LineAmounts> {
    if price_includes_tax {
        let gross = price.times(quantity, currency)?;
        let net = gross.mul_ratio(10_000, 10_000 + rate_bp)?;
        Ok(LineAmounts { net, tax: gross.checked_sub(net)?, gross })
    } else {
        let net = price.times(quantity, currency)?;
        let tax = net.mul_ratio(rate_bp, 10_000)?;
        Ok(LineAmounts { net, tax, gross: net.checked_add(tax)? })
    }
}

/// The tax-exclusive unit price for a tax-inclusive one (6 decimals, half-up).
pub fn price_excluding_tax(inclusive: UnitPrice, rate_bp: i64) -> Result<UnitPrice> {
    inclusive.mul_ratio(10_000, 10_000 + rate_bp)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn q(text: &str) -> Quantity {
        text.parse().unwrap()
    }

    fn p(text: &str) -> UnitPrice {
        text.parse().unwrap()
    }

    #[test]
    fn tax_inclusive_lines_split_exactly() {
        // 3 × 33.33 incl. 13% = 99.99 → net 88.49, tax 11.50.
        let line = line_amounts(q("3"), p("33.33"), true, 1300, Currency::CNY).unwrap();
        assert_eq!(
            (line.net.to_string(), line.tax.to_string(), line.gross.to_string()),
            ("88.49".into(), "11.50".into(), "99.99".into())
        );
        // The tolerance of the invoicing platform: |net × r − tax| ≤ 0.06.
        assert!((line.net.minor() * 13 - line.tax.minor() * 100).abs() <= 6 * 100);
    }

    #[test]
    fn tax_exclusive_lines_round_the_tax_per_line() {
        // 7 × 1.005 = 7.035 → 7.04 net; 6% → 0.4224 → 0.42.
        let line = line_amounts(q("7"), p("1.005"), false, 600, Currency::CNY).unwrap();
        assert_eq!(
            (line.net.to_string(), line.tax.to_string(), line.gross.to_string()),
            ("7.04".into(), "0.42".into(), "7.46".into())
        );
        assert_eq!(price_excluding_tax(p("113"), 1300).unwrap().to_string(), "100.000000");
    }
}
