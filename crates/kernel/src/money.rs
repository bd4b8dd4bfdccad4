//! Exact numbers for business: `Money`, `UnitPrice` and `Quantity` are integers at a fixed scale.
//!
//! Floats never touch amounts (ERPNext's "difference is -0.0100000000093" is what we avoid).
//! Every operation is checked for overflow, and every rounding is explicit and half-up
//! (四舍五入, away from zero for negative values), to the currency's minor unit, per line.

use std::fmt;
use std::str::FromStr;

use rust_decimal::Decimal;
use serde::{Deserialize, Deserializer, Serialize, Serializer};

use crate::error::Error;

/// An ISO 4217 currency with the number of digits of its minor unit (CNY 2 → fen, JPY 0).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Currency {
    code: [u8; 3],
    minor_units: u8,
}

/// The currencies the product knows out of the box: code and minor units (ISO 4217).
const KNOWN_CURRENCIES: &[(&str, u8)] = &[
    ("CNY", 2),
    ("USD", 2),
    ("EUR", 2),
    ("JPY", 0),
    ("HKD", 2),
    ("TWD", 2),
    ("MOP", 2),
    ("GBP", 2),
    ("KRW", 0),
    ("SGD", 2),
    ("AUD", 2),
    ("CAD", 2),
    ("CHF", 2),
    ("RUB", 2),
    ("INR", 2),
    ("THB", 2),
    ("VND", 0),
    ("MYR", 2),
    ("IDR", 2),
    ("AED", 2),
    ("SAR", 2),
    ("BHD", 3),
    ("KWD", 3),
    ("OMR", 3),
];

impl Currency {
    /// Chinese yuan (人民币), the base currency of a Chinese company.
    pub const CNY: Currency = Currency { code: *b"CNY", minor_units: 2 };
    pub const USD: Currency = Currency { code: *b"USD", minor_units: 2 };
    pub const EUR: Currency = Currency { code: *b"EUR", minor_units: 2 };
    pub const JPY: Currency = Currency { code: *b"JPY", minor_units: 0 };

    /// Looks a currency up by its ISO code (case-insensitive).
    pub fn from_code(code: &str) -> Result<Currency, Error> {
        let upper = code.trim().to_ascii_uppercase();
        KNOWN_CURRENCIES
            .iter()
            .find(|(c, _)| *c == upper)
            .map(|(c, minor)| Currency::new(c, *minor))
            .ok_or_else(|| Error::invalid("kernel.currency.unknown").with_param("code", code))
    }

    /// A currency not in the built-in list (the master data module keeps a table of them).
    pub fn custom(code: &str, minor_units: u8) -> Result<Currency, Error> {
        let bytes = code.as_bytes();
        if bytes.len() != 3 || !bytes.iter().all(u8::is_ascii_uppercase) || minor_units > 4 {
            return Err(Error::invalid("kernel.currency.unknown").with_param("code", code));
        }
        Ok(Currency::new(code, minor_units))
    }

    const fn new(code: &str, minor_units: u8) -> Currency {
        let b = code.as_bytes();
        Currency { code: [b[0], b[1], b[2]], minor_units }
    }

    pub fn code(&self) -> &str {
        // The constructor only accepts ASCII letters.
        std::str::from_utf8(&self.code).unwrap_or("XXX")
    }

    pub fn minor_units(&self) -> u8 {
        self.minor_units
    }

    /// 10^minor_units: how many minor units make one major unit.
    pub fn minor_per_major(&self) -> i64 {
        10_i64.pow(u32::from(self.minor_units))
    }

    pub fn all_known() -> impl Iterator<Item = Currency> {
        KNOWN_CURRENCIES.iter().map(|(c, m)| Currency::new(c, *m))
    }
}

impl fmt::Display for Currency {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.code())
    }
}

/// Divides and rounds half-up, away from zero: 四舍五入 as accountants mean it.
pub fn div_round_half_up(numerator: i128, denominator: i128) -> i128 {
    debug_assert!(denominator > 0);
    let quotient = numerator / denominator;
    let remainder = numerator % denominator;
    if remainder.abs() * 2 >= denominator { quotient + numerator.signum() } else { quotient }
}

fn overflow() -> Error {
    Error::invalid("kernel.number.overflow")
}

fn to_i64(value: i128) -> Result<i64, Error> {
    i64::try_from(value).map_err(|_| overflow())
}

/// Parses a decimal string into an integer at `scale` digits, refusing more digits than that.
fn parse_scaled(text: &str, scale: u32, code: &'static str) -> Result<i64, Error> {
    let invalid = || Error::invalid(code).with_param("value", text);
    let decimal = Decimal::from_str_exact(text.trim()).map_err(|_| invalid())?;
    let normalized = decimal.normalize();
    if normalized.scale() > scale {
        return Err(Error::invalid("kernel.number.too_precise").with_param("value", text).with_param("digits", scale));
    }
    let factor = 10_i128.pow(scale - normalized.scale());
    to_i64(normalized.mantissa().checked_mul(factor).ok_or_else(overflow)?)
}

/// Formats an integer at `scale` digits as a decimal string ("-12.50").
fn format_scaled(value: i64, scale: u32, f: &mut fmt::Formatter<'_>) -> fmt::Result {
    if scale == 0 {
        return write!(f, "{value}");
    }
    let factor = 10_u64.pow(scale);
    let sign = if value < 0 { "-" } else { "" };
    let abs = value.unsigned_abs();
    write!(f, "{sign}{}.{:0width$}", abs / factor, abs % factor, width = scale as usize)
}

/// An amount of money: an integer count of the currency's minor unit (fen for CNY).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Money {
    minor: i64,
    currency: Currency,
}

impl Money {
    pub const fn from_minor(minor: i64, currency: Currency) -> Money {
        Money { minor, currency }
    }

    pub fn zero(currency: Currency) -> Money {
        Money { minor: 0, currency }
    }

    /// Parses "1234.56" in `currency`; more decimals than the minor unit allows is an error.
    pub fn parse(text: &str, currency: Currency) -> Result<Money, Error> {
        let minor = parse_scaled(text, u32::from(currency.minor_units), "kernel.money.invalid")?;
        Ok(Money { minor, currency })
    }

    pub fn minor(&self) -> i64 {
        self.minor
    }

    pub fn currency(&self) -> Currency {
        self.currency
    }

    pub fn is_zero(&self) -> bool {
        self.minor == 0
    }

    fn same_currency(&self, other: &Money) -> Result<(), Error> {
        if self.currency == other.currency {
            Ok(())
        } else {
            Err(Error::invalid("kernel.money.currency_mismatch")
                .with_param("left", self.currency)
                .with_param("right", other.currency))
        }
    }

    /// Adding two currencies is a bug, not a rounding problem.
    pub fn checked_add(self, other: Money) -> Result<Money, Error> {
        self.same_currency(&other)?;
        let minor = self.minor.checked_add(other.minor).ok_or_else(overflow)?;
        Ok(Money { minor, ..self })
    }

    pub fn checked_sub(self, other: Money) -> Result<Money, Error> {
        self.same_currency(&other)?;
        let minor = self.minor.checked_sub(other.minor).ok_or_else(overflow)?;
        Ok(Money { minor, ..self })
    }

    pub fn checked_neg(self) -> Result<Money, Error> {
        let minor = self.minor.checked_neg().ok_or_else(overflow)?;
        Ok(Money { minor, ..self })
    }

    /// Multiplies by a rate given as parts per `denominator` (13% VAT = 13 / 100), half-up.
    pub fn mul_ratio(self, numerator: i64, denominator: i64) -> Result<Money, Error> {
        if denominator <= 0 {
            return Err(Error::invalid("kernel.number.division_by_zero"));
        }
        let value = div_round_half_up(i128::from(self.minor) * i128::from(numerator), i128::from(denominator));
        Ok(Money { minor: to_i64(value)?, ..self })
    }

    /// Splits the amount into parts proportional to `weights`; the parts always add up to the
    /// whole (the rounding remainder goes to the largest parts first).
    pub fn allocate(self, weights: &[i64]) -> Result<Vec<Money>, Error> {
        let total: i128 = weights.iter().map(|w| i128::from(*w)).sum();
        if total <= 0 || weights.iter().any(|w| *w < 0) {
            return Err(Error::invalid("kernel.money.allocation_weights"));
        }
        let whole = i128::from(self.minor);
        let mut parts: Vec<i128> = weights.iter().map(|w| whole * i128::from(*w) / total).collect();
        let mut remainder = whole - parts.iter().sum::<i128>();
        let mut order: Vec<usize> = (0..weights.len()).collect();
        order.sort_by_key(|i| std::cmp::Reverse(weights[*i]));
        let step = remainder.signum();
        for i in order.iter().cycle() {
            if remainder == 0 {
                break;
            }
            parts[*i] += step;
            remainder -= step;
        }
        parts.into_iter().map(|p| Ok(Money { minor: to_i64(p)?, ..self })).collect()
    }
}

impl fmt::Display for Money {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        format_scaled(self.minor, u32::from(self.currency.minor_units), f)
    }
}

/// A price per unit with six decimals of the major unit (0.000001 yuan), so that prices like
/// 0.0125 per gram stay exact. It becomes `Money` only through `Quantity × UnitPrice`, rounded.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Default)]
pub struct UnitPrice(i64);

impl UnitPrice {
    pub const SCALE: u32 = 6;
    pub const ONE: i64 = 1_000_000;

    pub const fn from_scaled(value: i64) -> UnitPrice {
        UnitPrice(value)
    }

    pub fn scaled(&self) -> i64 {
        self.0
    }

    /// The price of `quantity` units, rounded half-up to the currency's minor unit.
    pub fn times(self, quantity: Quantity, currency: Currency) -> Result<Money, Error> {
        let raw = i128::from(self.0)
            .checked_mul(i128::from(quantity.0))
            .and_then(|v| v.checked_mul(i128::from(currency.minor_per_major())))
            .ok_or_else(overflow)?;
        let scale = i128::from(UnitPrice::ONE) * i128::from(Quantity::ONE);
        Ok(Money::from_minor(to_i64(div_round_half_up(raw, scale))?, currency))
    }

    /// Multiplies by a ratio (e.g. 100 / 113 to take VAT out of a tax-inclusive price), half-up
    /// at the price's own six decimals.
    pub fn mul_ratio(self, numerator: i64, denominator: i64) -> Result<UnitPrice, Error> {
        if denominator <= 0 {
            return Err(Error::invalid("kernel.number.division_by_zero"));
        }
        let value = div_round_half_up(i128::from(self.0) * i128::from(numerator), i128::from(denominator));
        Ok(UnitPrice(to_i64(value)?))
    }
}

impl FromStr for UnitPrice {
    type Err = Error;
    fn from_str(text: &str) -> Result<Self, Error> {
        parse_scaled(text, Self::SCALE, "kernel.price.invalid").map(UnitPrice)
    }
}

impl fmt::Display for UnitPrice {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        format_scaled(self.0, Self::SCALE, f)
    }
}

/// A quantity with four decimals (0.0001 of the unit of measure, which lives on the line).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Default)]
pub struct Quantity(i64);

impl Quantity {
    pub const SCALE: u32 = 4;
    pub const ONE: i64 = 10_000;
    pub const ZERO: Quantity = Quantity(0);

    pub const fn from_scaled(value: i64) -> Quantity {
        Quantity(value)
    }

    pub fn units(units: i64) -> Result<Quantity, Error> {
        units.checked_mul(Self::ONE).map(Quantity).ok_or_else(overflow)
    }

    pub fn scaled(&self) -> i64 {
        self.0
    }

    pub fn is_zero(&self) -> bool {
        self.0 == 0
    }

    pub fn is_negative(&self) -> bool {
        self.0 < 0
    }

    pub fn checked_add(self, other: Quantity) -> Result<Quantity, Error> {
        self.0.checked_add(other.0).map(Quantity).ok_or_else(overflow)
    }

    pub fn checked_sub(self, other: Quantity) -> Result<Quantity, Error> {
        self.0.checked_sub(other.0).map(Quantity).ok_or_else(overflow)
    }

    /// Converts by a factor given as a ratio (1 箱 = 12 个 → 12 / 1), half-up at four decimals.
    pub fn mul_ratio(self, numerator: i64, denominator: i64) -> Result<Quantity, Error> {
        if denominator <= 0 {
            return Err(Error::invalid("kernel.number.division_by_zero"));
        }
        let value = div_round_half_up(i128::from(self.0) * i128::from(numerator), i128::from(denominator));
        Ok(Quantity(to_i64(value)?))
    }
}

impl FromStr for Quantity {
    type Err = Error;
    fn from_str(text: &str) -> Result<Self, Error> {
        parse_scaled(text, Self::SCALE, "kernel.quantity.invalid").map(Quantity)
    }
}

/// A decimal string without the zeros after its last significant digit, keeping at least
/// `keep` decimals: ("12.5000", 0) → "12.5", ("3.0000", 0) → "3", ("100.000000", 2) → "100.00".
pub fn trim_decimal(text: &str, keep: usize) -> String {
    let Some((whole, fraction)) = text.split_once('.') else { return text.to_string() };
    let significant = fraction.trim_end_matches('0');
    let shown = if significant.len() >= keep { significant.to_string() } else { format!("{significant:0<keep$}") };
    if shown.is_empty() { whole.to_string() } else { format!("{whole}.{shown}") }
}

/// A decimal string with thousands separators in its whole part, as lists show amounts:
/// "1234567.89" → "1,234,567.89", "-1000" → "-1,000".
pub fn with_thousands(text: &str) -> String {
    let (sign, rest) = match text.strip_prefix('-') {
        Some(rest) => ("-", rest),
        None => ("", text),
    };
    let (whole, fraction) = match rest.split_once('.') {
        Some((whole, fraction)) => (whole, Some(fraction)),
        None => (rest, None),
    };
    if !whole.chars().all(|c| c.is_ascii_digit()) {
        return text.to_string();
    }
    let mut grouped = String::with_capacity(whole.len() + whole.len() / 3);
    for (i, c) in whole.chars().enumerate() {
        if i > 0 && (whole.len() - i) % 3 == 0 {
            grouped.push(',');
        }
        grouped.push(c);
    }
    match fraction {
        Some(fraction) => format!("{sign}{grouped}.{fraction}"),
        None => format!("{sign}{grouped}"),
    }
}

impl Quantity {
    /// As people read a quantity: no trailing zeros ("12.5", "3").
    pub fn trimmed(&self) -> String {
        trim_decimal(&self.to_string(), 0)
    }

    /// As a list or a document shows a quantity in a unit with `digits` decimals (个 0, 千克 3):
    /// padded to those decimals, with thousands separators — 1200 个 → "1,200", 12.5 千克 →
    /// "12.500". A stored quantity finer than its unit (1 个 = 0.0833 箱) keeps its extra digits
    /// rather than being shown rounded to something it is not.
    pub fn shown(&self, digits: u8) -> String {
        with_thousands(&trim_decimal(&self.to_string(), usize::from(digits.min(Self::SCALE as u8))))
    }
}

/// A quantity's decimal text ("1200.0000") as `Quantity::shown` formats it; text that is not a
/// quantity is returned as it is.
pub fn quantity_shown(text: &str, digits: u8) -> String {
    match text.parse::<Quantity>() {
        Ok(quantity) => quantity.shown(digits),
        Err(_) => text.to_string(),
    }
}

impl UnitPrice {
    /// As people read a price: at least the two decimals of money ("100.00", "1.2345").
    pub fn trimmed(&self) -> String {
        trim_decimal(&self.to_string(), 2)
    }
}

impl fmt::Display for Quantity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        format_scaled(self.0, Self::SCALE, f)
    }
}

/// In JSON, exact numbers travel as decimal strings ("12.5000"), never as floats.
macro_rules! serde_as_decimal_string {
    ($ty:ty) => {
        impl Serialize for $ty {
            fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
                serializer.collect_str(self)
            }
        }
        impl<'de> Deserialize<'de> for $ty {
            fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
                let text = String::deserialize(deserializer)?;
                text.parse().map_err(|e: Error| serde::de::Error::custom(e.code()))
            }
        }
    };
}
serde_as_decimal_string!(UnitPrice);
serde_as_decimal_string!(Quantity);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decimals_are_trimmed_and_grouped_for_reading() {
        assert_eq!(trim_decimal("12.5000", 0), "12.5");
        assert_eq!(trim_decimal("3.0000", 0), "3");
        assert_eq!(trim_decimal("100.000000", 2), "100.00");
        assert_eq!(trim_decimal("1.234500", 2), "1.2345");
        assert_eq!(with_thousands("1234567.89"), "1,234,567.89");
        assert_eq!(with_thousands("-1000"), "-1,000");
        assert_eq!(with_thousands("999.5"), "999.5");
        assert_eq!(with_thousands("¥12"), "¥12");
        assert_eq!(Quantity::from_scaled(125_000).trimmed(), "12.5");
        assert_eq!(UnitPrice::from_scaled(100_000_000).trimmed(), "100.00");
    }

    #[test]
    fn quantities_are_shown_in_their_units_precision() {
        assert_eq!(Quantity::from_scaled(12_000_000).shown(0), "1,200");
        assert_eq!(Quantity::from_scaled(125_000).shown(3), "12.500");
        assert_eq!(Quantity::from_scaled(833).shown(0), "0.0833");
        assert_eq!(Quantity::from_scaled(-15_000).shown(2), "-1.50");
        assert_eq!(Quantity::from_scaled(10_000).shown(9), "1.0000");
        assert_eq!(quantity_shown("1234.5000", 1), "1,234.5");
        assert_eq!(quantity_shown("—", 0), "—");
    }
    use proptest::prelude::*;

    #[test]
    fn half_up_rounds_away_from_zero() {
        assert_eq!(div_round_half_up(5, 10), 1);
        assert_eq!(div_round_half_up(4, 10), 0);
        assert_eq!(div_round_half_up(-5, 10), -1);
        assert_eq!(div_round_half_up(-4, 10), 0);
        assert_eq!(div_round_half_up(15, 10), 2);
        assert_eq!(div_round_half_up(25, 10), 3);
    }

    #[test]
    fn line_amount_rounds_to_the_fen() {
        // 3 × 0.335 = 1.005 → 1.01 (half-up), never 1.00 as binary floats would give.
        let price: UnitPrice = "0.335".parse().unwrap();
        let qty = Quantity::units(3).unwrap();
        assert_eq!(price.times(qty, Currency::CNY).unwrap().to_string(), "1.01");
        // JPY has no minor unit.
        let yen: UnitPrice = "99.5".parse().unwrap();
        assert_eq!(yen.times(Quantity::units(1).unwrap(), Currency::JPY).unwrap().minor(), 100);
    }

    #[test]
    fn parse_and_format() {
        assert_eq!(Money::parse("1234.5", Currency::CNY).unwrap().minor(), 123_450);
        assert_eq!(Money::parse("-0.07", Currency::CNY).unwrap().to_string(), "-0.07");
        assert_eq!(Money::parse("1.234", Currency::CNY).unwrap_err().code(), "kernel.number.too_precise");
        assert_eq!(Money::parse("abc", Currency::CNY).unwrap_err().code(), "kernel.money.invalid");
        assert_eq!("12.5".parse::<Quantity>().unwrap().to_string(), "12.5000");
        assert_eq!(Currency::from_code("jpy").unwrap().minor_units(), 0);
        assert!(Currency::from_code("XYZ").is_err());
    }

    #[test]
    fn currencies_do_not_mix_and_overflow_is_caught() {
        let a = Money::from_minor(1, Currency::CNY);
        let b = Money::from_minor(1, Currency::USD);
        assert_eq!(a.checked_add(b).unwrap_err().code(), "kernel.money.currency_mismatch");
        let max = Money::from_minor(i64::MAX, Currency::CNY);
        assert_eq!(max.checked_add(a).unwrap_err().code(), "kernel.number.overflow");
        let price = UnitPrice::from_scaled(i64::MAX);
        assert!(price.times(Quantity::from_scaled(i64::MAX), Currency::CNY).is_err());
    }

    #[test]
    fn vat_is_taken_out_half_up() {
        // 113.00 including 13% VAT → 100.00 net, 13.00 tax.
        let gross = Money::parse("113", Currency::CNY).unwrap();
        let net = gross.mul_ratio(100, 113).unwrap();
        assert_eq!(net.to_string(), "100.00");
    }

    proptest! {
        #[test]
        fn allocation_always_adds_up(minor in -1_000_000_000i64..1_000_000_000, weights in proptest::collection::vec(0i64..1000, 1..8)) {
            prop_assume!(weights.iter().sum::<i64>() > 0);
            let parts = Money::from_minor(minor, Currency::CNY).allocate(&weights).unwrap();
            prop_assert_eq!(parts.iter().map(Money::minor).sum::<i64>(), minor);
        }

        #[test]
        fn quantity_text_round_trips(v in any::<i64>()) {
            let q = Quantity::from_scaled(v);
            prop_assert_eq!(q.to_string().parse::<Quantity>().unwrap(), q);
        }
    }
}
