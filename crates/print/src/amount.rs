//! Amounts in Chinese capital numerals (大写金额), as invoices, receipts and vouchers print them.
//!
//! The rules are those of the Ministry of Finance's 《会计基础工作规范》 (article 52):
//!
//! - digits 零壹贰叁肆伍陆柒捌玖, units 拾佰仟万亿, then 元角分; ten is written 壹拾;
//! - an amount that ends at 元 or at 角 is closed with 整 (壹佰元整, 壹万元伍角整); an amount
//!   with 分 is not (壹元贰角叁分);
//! - a zero between digits is written 零, and a run of zeros as a single 零 (壹仟零伍元整,
//!   壹亿零壹万元整, 壹佰万零壹拾元整);
//! - when the 元 digit is zero but 角 is not, the rule allows 零 or nothing; we write nothing
//!   (壹拾元伍角整, not 壹拾元零伍角整), the form most invoicing software prints;
//! - when 角 is zero but 分 is not, 零 stands for the 角 (壹元零伍分); an amount under one
//!   yuan starts at its first non-zero digit (伍分, 伍角整);
//! - zero is 零元整, and a negative amount is prefixed with 负.

const DIGITS: [char; 10] = ['零', '壹', '贰', '叁', '肆', '伍', '陆', '柒', '捌', '玖'];
/// Units inside a group of four digits, from the lowest digit up.
const SMALL_UNITS: [&str; 4] = ["", "拾", "佰", "仟"];
/// Units of the groups of four digits, from the lowest group up (an `i64` of fen needs five).
const GROUP_UNITS: [&str; 5] = ["", "万", "亿", "万亿", "亿亿"];

/// The amount `fen` (hundredths of a yuan) in Chinese capitals: 1234567 → 壹万贰仟叁佰肆拾伍元陆角柒分.
///
/// Takes the integer count of fen, as `kernel::Money::minor()` gives it for CNY.
pub fn amount_in_chinese(fen: i64) -> String {
    let magnitude = fen.unsigned_abs();
    let yuan = magnitude / 100;
    let jiao = (magnitude / 10 % 10) as usize;
    let fen_digit = (magnitude % 10) as usize;

    let mut out = String::new();
    if fen < 0 {
        out.push('负');
    }
    if yuan == 0 && jiao == 0 && fen_digit == 0 {
        out.push_str("零元整");
        return out;
    }
    if yuan > 0 {
        push_integer(&mut out, yuan);
        out.push('元');
    }
    if jiao > 0 {
        out.push(DIGITS[jiao]);
        out.push('角');
    } else if fen_digit > 0 && yuan > 0 {
        out.push('零');
    }
    if fen_digit > 0 {
        out.push(DIGITS[fen_digit]);
        out.push('分');
    } else {
        out.push('整');
    }
    out
}

/// Writes a positive integer in capitals, group by group of four digits (万, 亿).
fn push_integer(out: &mut String, value: u64) {
    let mut groups = Vec::new();
    let mut rest = value;
    while rest > 0 {
        groups.push((rest % 10_000) as usize);
        rest /= 10_000;
    }
    // A zero group, or trailing zeros of the previous group, owe a 零 to the next non-zero group.
    let mut zero_pending = false;
    for (index, &group) in groups.iter().enumerate().rev() {
        if group == 0 {
            zero_pending = true;
            continue;
        }
        if !out.is_empty() && !out.ends_with('负') && (zero_pending || group < 1000) {
            out.push('零');
        }
        push_group(out, group);
        out.push_str(GROUP_UNITS[index]);
        zero_pending = group % 10 == 0;
    }
}

/// Writes one group of up to four digits (1..=9999) without leading or trailing zeros.
fn push_group(out: &mut String, group: usize) {
    let digits = [group / 1000, group / 100 % 10, group / 10 % 10, group % 10];
    let mut started = false;
    let mut zero_pending = false;
    for (position, &digit) in digits.iter().enumerate() {
        if digit == 0 {
            zero_pending = started;
            continue;
        }
        if zero_pending {
            out.push('零');
            zero_pending = false;
        }
        out.push(DIGITS[digit]);
        out.push_str(SMALL_UNITS[3 - position]);
        started = true;
    }
}

#[cfg(test)]
mod tests {
    use super::amount_in_chinese;

    #[test]
    fn capitals_follow_the_invoice_rules() {
        let cases: &[(i64, &str)] = &[
            (1_234_567, "壹万贰仟叁佰肆拾伍元陆角柒分"),
            (10_000, "壹佰元整"),
            (100_500, "壹仟零伍元整"),
            (1_000_050, "壹万元伍角整"),
            (5, "伍分"),
            (50, "伍角整"),
            (105, "壹元零伍分"),
            (1_000, "壹拾元整"),
            (1_050, "壹拾元伍角整"),
            (0, "零元整"),
            (-12_345, "负壹佰贰拾叁元肆角伍分"),
            (-5, "负伍分"),
            (10_000_000_000, "壹亿元整"),
            (10_001_000_000, "壹亿零壹万元整"),
            (100_001_000, "壹佰万零壹拾元整"),
            (1_000_000, "壹万元整"),
            (1_050_000, "壹万零伍佰元整"),
            (1_500_000, "壹万伍仟元整"),
            (101_000_000, "壹佰零壹万元整"),
            (123_050_000_000, "壹拾贰亿叁仟零伍拾万元整"),
            (10_000_000_100, "壹亿零壹元整"),
            (10_000_000_001, "壹亿元零壹分"),
            (100_000_000_000_000, "壹万亿元整"),
            (100_010_000_000_000, "壹万亿零壹亿元整"),
            (1_010_101_010_100, "壹佰零壹亿零壹佰零壹万零壹佰零壹元整"),
            (10_101_010_101_000, "壹仟零壹拾亿零壹仟零壹拾万零壹仟零壹拾元整"),
            (10_100_000, "壹拾万零壹仟元整"),
            (200_000_000_001, "贰拾亿元零壹分"),
        ];
        for (fen, expected) in cases {
            assert_eq!(amount_in_chinese(*fen), *expected, "{fen} fen");
        }
    }

    #[test]
    fn extremes_do_not_overflow() {
        assert!(amount_in_chinese(i64::MAX).starts_with("玖亿亿贰仟贰佰叁拾叁万亿柒仟贰佰零叁亿"));
        assert!(amount_in_chinese(i64::MIN).starts_with("负玖亿亿贰仟贰佰叁拾叁万亿"));
    }
}
