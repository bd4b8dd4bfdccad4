//! How a sales or purchase line's amounts follow from quantity, price, discount and VAT rate, rounded half-up to
//! the currency's minor unit once per line (as the 数电票 platform computes each row). Prices
//! may include VAT (含税价): then the line total is exact and the tax is split out of it.

use kernel::money::div_round_half_up;
use kernel::{Currency, Error, Quantity, Result, UnitPrice};

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Amounts {
    pub untaxed: i64,
    pub tax: i64,
    pub total: i64,
}

impl Amounts {
    pub fn add(&mut self, other: Amounts) {
        self.untaxed += other.untaxed;
        self.tax += other.tax;
        self.total += other.total;
    }
}

/// 10^(Quantity::SCALE + UnitPrice::SCALE) × 10,000 (basis points of the discount).
const SCALE: i128 = 10_i128.pow(Quantity::SCALE + UnitPrice::SCALE) * 10_000;

/// The amounts of `quantity` at `price`, `discount_bp` off, VAT at `rate_bp`.
pub fn line_amounts(
    quantity: Quantity,
    price: UnitPrice,
    discount_bp: i64,
    rate_bp: i64,
    price_includes_tax: bool,
    currency: Currency,
) -> Result<Amounts> {
    let gross = i128::from(quantity.scaled())
        * i128::from(price.scaled())
        * i128::from(10_000 - discount_bp)
        * i128::from(currency.minor_per_major());
    let priced = to_i64(div_round_half_up(gross, SCALE))?;
    let rate = i128::from(rate_bp);
    Ok(if price_includes_tax {
        let untaxed = to_i64(div_round_half_up(i128::from(priced) * 10_000, 10_000 + rate))?;
        Amounts { untaxed, tax: priced - untaxed, total: priced }
    } else {
        let tax = to_i64(div_round_half_up(i128::from(priced) * rate, 10_000))?;
        Amounts { untaxed: priced, tax, total: priced + tax }
    })
}

fn to_i64(value: i128) -> Result<i64> {
    i64::try_from(value).map_err(|_| Error::invalid("kernel.number.overflow"))
}

/// A discount given as a percentage ("5", "12.5") in basis points.
pub fn discount_bp(text: Option<&str>) -> Option<i64> {
    let text = text.map(str::trim).filter(|t| !t.is_empty());
    let Some(text) = text else { return Some(0) };
    let scaled: UnitPrice = text.parse().ok()?;
    // UnitPrice has 6 decimals; basis points of a percent are 2 of them.
    let bp = scaled.scaled() / 10_000;
    (scaled.scaled() % 10_000 == 0 && (0..=10_000).contains(&bp)).then_some(bp)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn q(t: &str) -> Quantity {
        t.parse().unwrap()
    }
    fn p(t: &str) -> UnitPrice {
        t.parse().unwrap()
    }

    #[test]
    fn thirteen_percent_on_top_of_the_price() {
        let a = line_amounts(q("10"), p("100"), 0, 1300, false, Currency::CNY).unwrap();
        assert_eq!(a, Amounts { untaxed: 100_000, tax: 13_000, total: 113_000 });
    }

    #[test]
    fn price_with_vat_splits_the_tax_out() {
        // postings.md: 10 units at 113.00 with VAT → net 1,000.00, tax 130.00.
        let a = line_amounts(q("10"), p("113"), 0, 1300, true, Currency::CNY).unwrap();
        assert_eq!(a, Amounts { untaxed: 100_000, tax: 13_000, total: 113_000 });
        // 1 at 9.99 incl. 13 %: 8.840707… → 8.84, tax 1.15.
        let a = line_amounts(q("1"), p("9.99"), 0, 1300, true, Currency::CNY).unwrap();
        assert_eq!(a, Amounts { untaxed: 884, tax: 115, total: 999 });
    }

    #[test]
    fn discount_and_half_up_rounding() {
        // 3 × 33.335 × 95 % = 95.004750 → 95.00; tax 12.35.
        let a = line_amounts(q("3"), p("33.335"), 500, 1300, false, Currency::CNY).unwrap();
        assert_eq!(a, Amounts { untaxed: 9_500, tax: 1_235, total: 10_735 });
        // 0.5 × 0.25 = 0.125 → 0.13 (half-up).
        let a = line_amounts(q("0.5"), p("0.25"), 0, 0, false, Currency::CNY).unwrap();
        assert_eq!(a.untaxed, 13);
    }

    #[test]
    fn discounts_parse_as_percentages() {
        assert_eq!(discount_bp(Some("5")), Some(500));
        assert_eq!(discount_bp(Some("12.5")), Some(1_250));
        assert_eq!(discount_bp(None), Some(0));
        assert_eq!(discount_bp(Some("101")), None);
        assert_eq!(discount_bp(Some("0.001")), None);
    }
}
