//! Line breaking: fits text into a width, measured with the font's real advance widths.
//!
//! Chinese breaks between any two characters; Latin words and numbers ("SO-2026-0042",
//! "12,345.00") only at spaces, unless a single word is wider than the line. Closing punctuation
//! never starts a line and opening punctuation never ends one (避头尾); a closing mark that
//! overflows hangs into the cell padding instead. `\n` forces a break.

use crate::font::Font;

/// Punctuation that must not start a line.
fn is_closing(c: char) -> bool {
    matches!(
        c,
        '，' | '。'
            | '、'
            | '；'
            | '：'
            | '！'
            | '？'
            | '）'
            | '》'
            | '」'
            | '』'
            | '】'
            | '〕'
            | '”'
            | '’'
            | '…'
            | '%'
            | '％'
            | ','
            | '.'
            | ';'
            | ':'
            | '!'
            | '?'
            | ')'
            | ']'
            | '}'
    )
}

/// Punctuation that must not end a line.
fn is_opening(c: char) -> bool {
    matches!(c, '（' | '《' | '「' | '『' | '【' | '〔' | '“' | '‘' | '(' | '[' | '{' | '¥' | '￥')
}

/// Ideographs, kana, hangul and full-width forms: a line may break on either side of them.
fn is_wide(c: char) -> bool {
    c >= '\u{2E80}'
}

/// Whether a line may break between `chars[at - 1]` and `chars[at]`.
fn can_break_before(chars: &[char], at: usize) -> bool {
    let (before, c) = (chars[at - 1], chars[at]);
    if is_closing(c) || is_opening(before) || c.is_whitespace() {
        return false;
    }
    before.is_whitespace() || is_wide(c) || is_wide(before)
}

/// Splits `text` into lines no wider than `width` points at `size` points (a line holding one
/// word longer than `width` is cut inside the word). Always returns at least one line.
pub(crate) fn wrap(font: &Font, text: &str, size: f32, width: f32) -> Vec<String> {
    let mut lines = Vec::new();
    for paragraph in text.split('\n') {
        let chars: Vec<char> =
            paragraph.chars().filter(|c| *c != '\r').map(|c| if c.is_control() { ' ' } else { c }).collect();
        wrap_paragraph(font, &chars, size, width, &mut lines);
    }
    lines
}

fn wrap_paragraph(font: &Font, chars: &[char], size: f32, width: f32, lines: &mut Vec<String>) {
    let mut start = 0;
    let mut used = 0.0;
    let mut last_break = None;
    let mut at = 0;
    while at < chars.len() {
        let c = chars[at];
        if at > start && can_break_before(chars, at) {
            last_break = Some(at);
        }
        let advance = font.char_width(c, size);
        let overflows = used + advance > width && at > start && !c.is_whitespace() && !is_closing(c);
        if overflows {
            let end = last_break.unwrap_or(at);
            lines.push(chars[start..end].iter().collect::<String>().trim_end().to_string());
            start = end;
            while start < chars.len() && chars[start].is_whitespace() {
                start += 1;
            }
            (at, used, last_break) = (start, 0.0, None);
            continue;
        }
        used += advance;
        at += 1;
    }
    lines.push(chars[start..].iter().collect::<String>().trim_end().to_string());
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::font::Font;

    fn font() -> &'static Font {
        Font::shared().unwrap_or_else(|error| panic!("{error}"))
    }

    #[test]
    fn chinese_breaks_anywhere_but_never_before_closing_punctuation() {
        let font = font();
        let em = font.char_width('中', 10.0);
        let lines = wrap(font, "一二三四，五六七八九十", 10.0, em * 4.0 + 0.1);
        assert_eq!(lines, ["一二三四，", "五六七八", "九十"]);
        let lines = wrap(font, "一二三（四五", 10.0, em * 4.0 + 0.1);
        assert_eq!(lines, ["一二三", "（四五"]);
    }

    #[test]
    fn latin_words_stay_whole_unless_too_long() {
        let font = font();
        let width = font.measure("SO-2026-0042 ", 10.0);
        let lines = wrap(font, "SO-2026-0042 SO-2026-0043 规格", 10.0, width);
        assert_eq!(lines, ["SO-2026-0042", "SO-2026-0043", "规格"]);
        let lines = wrap(font, "ABCDEFGHIJ", 10.0, font.measure("ABCD", 10.0) + 0.1);
        assert_eq!(lines, ["ABCD", "EFGH", "IJ"]);
    }

    #[test]
    fn every_line_fits_and_nothing_is_lost() {
        let font = font();
        let text = "不锈钢六角螺栓 M8×40（GB/T 5783-2016），A2-70 材质，表面钝化处理；每箱 500 件\n第二行";
        for width in [30.0, 55.0, 80.0, 200.0] {
            let lines = wrap(font, text, 9.0, width);
            for line in &lines {
                let trailing_closing = line.chars().last().is_some_and(is_closing);
                let allowance = if trailing_closing { font.char_width('，', 9.0) } else { 0.0 };
                assert!(font.measure(line, 9.0) <= width + allowance + 0.01, "{line:?} at {width}");
            }
            let joined: String = lines.concat().chars().filter(|c| !c.is_whitespace()).collect();
            let original: String = text.chars().filter(|c| !c.is_whitespace()).collect();
            assert_eq!(joined, original);
        }
        assert_eq!(wrap(font, "", 9.0, 50.0), [""]);
    }
}
