//! Lays a [`PrintDocument`] out on A4 pages the way Chinese business forms look: centred company
//! header and spaced-out title, 编号 at the right, label/value pairs in two columns, a ruled
//! table with a shaded header, totals at the right, the amount in words in a box, notes,
//! signature lines, and "第 n 页 / 共 m 页" at the foot of every page.
//!
//! The table wraps each cell inside its column; when it reaches the bottom of a page it closes
//! its frame and continues on the next page under a repeated header (a row taller than a whole
//! page is split between pages). Pages after the first carry a small running header naming the
//! document.

use crate::canvas::{Canvas, PAGE_HEIGHT, PAGE_WIDTH, Style};
use crate::document::{Align, PrintDocument};
use crate::wrap::wrap;

const LEFT: f32 = 42.0;
const RIGHT: f32 = PAGE_WIDTH - 42.0;
const WIDTH: f32 = RIGHT - LEFT;
const TOP: f32 = 40.0;
/// Where content must end, leaving room for the page number.
const BOTTOM: f32 = PAGE_HEIGHT - 52.0;
const FOOTER_BASELINE: f32 = PAGE_HEIGHT - 28.0;
/// Where content starts on pages after the first, under the running header.
const CONTINUED_TOP: f32 = TOP + 24.0;

const COMPANY: Style = Style::new(15.0).bold();
const COMPANY_LINE: Style = Style::new(8.5).gray(0.3);
const TITLE: Style = Style::new(20.0).bold().spaced(6.0);
const NUMBER: Style = Style::new(9.5);
const META: Style = Style::new(9.5);
const HEADER_CELL: Style = Style::new(9.0).bold();
const CELL: Style = Style::new(9.0);
const TOTAL: Style = Style::new(10.0);
const WORDS: Style = Style::new(10.0);
const NOTE: Style = Style::new(9.0);
const SIGNATURE: Style = Style::new(10.0);
const RUNNING: Style = Style::new(8.5).gray(0.35);
const FOOTER: Style = Style::new(8.0).gray(0.35);

const WORDS_LABEL: &str = "大写金额：";
const WORDS_PAD: f32 = 5.0;
const CELL_PAD_X: f32 = 4.0;
const CELL_PAD_Y: f32 = 3.0;
const THIN: f32 = 0.4;
const FRAME: f32 = 0.9;
const HEADER_SHADE: f32 = 0.9;

/// Line height for a style: 1.45 × the font size.
fn line_height(style: Style) -> f32 {
    style.size * 1.45
}

/// Lays `doc` out on `canvas`.
pub(crate) fn lay_out(doc: &PrintDocument, canvas: &mut Canvas<'_>) {
    let mut layout = Layout { doc, canvas, y: TOP };
    layout.canvas.add_page();
    layout.header();
    layout.meta();
    layout.table();
    layout.totals();
    layout.amount_in_words();
    layout.notes();
    layout.signatures();
    layout.page_numbers();
}

struct Layout<'a, 'c, 'f> {
    doc: &'a PrintDocument,
    canvas: &'c mut Canvas<'f>,
    /// The top of the free space on the current page.
    y: f32,
}

impl Layout<'_, '_, '_> {
    /// The baseline that centres a line of `style` text in a line box starting at `top`.
    fn baseline(&self, top: f32, line_height: f32, style: Style) -> f32 {
        top + (line_height - style.size) / 2.0 + self.canvas.font().ascent() * style.size
    }

    fn wrap(&self, text: &str, style: Style, width: f32) -> Vec<String> {
        wrap(self.canvas.font(), text, style.size, width.max(style.size))
    }

    /// Continues on a new page, under the running header.
    fn next_page(&mut self) {
        self.canvas.add_page();
        let doc = self.doc;
        let name =
            [doc.title.as_str(), doc.number.as_str()].iter().filter(|s| !s.is_empty()).copied().collect::<Vec<_>>();
        let baseline = TOP + 9.0;
        self.canvas.text(LEFT, baseline, &format!("{}（续）", name.join("  ")), RUNNING);
        self.canvas.text_right(RIGHT, baseline, &doc.company, RUNNING);
        self.canvas.line((LEFT, TOP + 14.0), (RIGHT, TOP + 14.0), THIN);
        self.y = CONTINUED_TOP;
    }

    /// Makes room for `height` points, starting a new page when the current one is too full.
    fn ensure(&mut self, height: f32) {
        if self.y + height > BOTTOM && self.y > CONTINUED_TOP {
            self.next_page();
        }
    }

    /// Centred lines across the page, wrapped to its width.
    fn centred(&mut self, text: &str, style: Style) {
        let height = line_height(style);
        for line in self.wrap(text, style, WIDTH) {
            let baseline = self.baseline(self.y, height, style);
            self.canvas.text_center(PAGE_WIDTH / 2.0, baseline, &line, style);
            self.y += height;
        }
    }

    fn header(&mut self) {
        let doc = self.doc;
        if !doc.company.is_empty() {
            self.centred(&doc.company, COMPANY);
        }
        for line in &doc.company_lines {
            self.centred(line, COMPANY_LINE);
        }
        if !doc.company.is_empty() || !doc.company_lines.is_empty() {
            self.y += 8.0;
        }

        let number = if doc.number.is_empty() { String::new() } else { format!("编号：{}", doc.number) };
        let number_width = self.canvas.measure(&number, NUMBER);
        if doc.title.is_empty() {
            if !number.is_empty() {
                let baseline = self.baseline(self.y, line_height(NUMBER), NUMBER);
                self.canvas.text_right(RIGHT, baseline, &number, NUMBER);
                self.y += line_height(NUMBER);
            }
            return;
        }

        let height = TITLE.size * 1.3;
        let baseline = self.baseline(self.y, height, TITLE);
        let title_width = self.canvas.measure(&doc.title, TITLE) - TITLE.spacing;
        self.canvas.text_center(PAGE_WIDTH / 2.0, baseline, &doc.title, TITLE);
        // The double rule under the title that Chinese forms use.
        let (from, to) = (PAGE_WIDTH / 2.0 - title_width / 2.0 - 4.0, PAGE_WIDTH / 2.0 + title_width / 2.0 + 4.0);
        self.canvas.line((from, baseline + 5.0), (to, baseline + 5.0), 0.6);
        self.canvas.line((from, baseline + 7.5), (to, baseline + 7.5), 0.6);
        self.y += height + 8.0;
        if !number.is_empty() {
            if to + 12.0 < RIGHT - number_width {
                // Beside the title, on its baseline.
                self.canvas.text_right(RIGHT, baseline, &number, NUMBER);
            } else {
                let baseline = self.baseline(self.y, line_height(NUMBER), NUMBER);
                self.canvas.text_right(RIGHT, baseline, &number, NUMBER);
                self.y += line_height(NUMBER);
            }
        }
    }

    /// Label/value pairs, two to a row; a long value wraps under itself, not under its label.
    fn meta(&mut self) {
        const GAP: f32 = 24.0;
        let column_width = (WIDTH - GAP) / 2.0;
        let height = line_height(META);
        for pair in self.doc.meta.chunks(2) {
            // A pair alone on the last row may use the whole width.
            let available = if pair.len() == 1 { WIDTH } else { column_width };
            let cells: Vec<(String, Vec<String>, f32)> = pair
                .iter()
                .map(|(label, value)| {
                    let label = format!("{label}：");
                    let label_width = self.canvas.measure(&label, META);
                    let lines = self.wrap(value, META, available - label_width);
                    (label, lines, label_width)
                })
                .collect();
            let rows = cells.iter().map(|(_, lines, _)| lines.len()).max().unwrap_or(1);
            self.ensure(rows as f32 * height);
            for (column, (label, lines, label_width)) in cells.iter().enumerate() {
                let x = LEFT + column as f32 * (column_width + GAP);
                let baseline = self.baseline(self.y, height, META);
                self.canvas.text(x, baseline, label, META.gray(0.3));
                for (i, line) in lines.iter().enumerate() {
                    self.canvas.text(x + label_width, baseline + i as f32 * height, line, META);
                }
            }
            self.y += rows as f32 * height;
        }
        self.y += 6.0;
    }

    /// Column widths in points: the relative widths scaled to the page's width.
    fn column_widths(&self) -> Vec<f32> {
        let columns = &self.doc.columns;
        let relative: Vec<f32> =
            columns.iter().map(|c| if c.width.is_finite() && c.width > 0.0 { c.width } else { 1.0 }).collect();
        let total: f32 = relative.iter().sum();
        relative.iter().map(|w| WIDTH * w / total).collect()
    }

    fn table(&mut self) {
        if self.doc.columns.is_empty() {
            return;
        }
        let widths = self.column_widths();
        let lines = line_height(CELL);
        let header = self.wrap_cells(&widths, self.doc.columns.iter().map(|c| c.label.as_str()), HEADER_CELL);
        let header_lines = header.iter().map(Vec::len).max().unwrap_or(1);
        let header_height = header_lines as f32 * lines + 2.0 * CELL_PAD_Y;
        let fresh_page_lines = ((BOTTOM - CONTINUED_TOP - header_height - 2.0 * CELL_PAD_Y) / lines).floor() as usize;

        // Keep the header with at least one row.
        self.ensure(header_height + lines + 2.0 * CELL_PAD_Y);
        let mut top = self.y;
        self.table_header(&widths, &header, header_height);
        let mut rows_here = 0;
        for row in &self.doc.rows {
            let cells = self.wrap_cells(&widths, row.iter().map(String::as_str), CELL);
            let total = cells.iter().map(Vec::len).max().unwrap_or(1);
            let mut from = 0;
            while from < total {
                let room = ((BOTTOM - self.y - 2.0 * CELL_PAD_Y) / lines).floor().max(0.0) as usize;
                let rest = total - from;
                // A row that does not fit moves to the next page whole if it would fit there,
                // else it is split; a part always goes under a header so the loop advances.
                let take = if rest <= room {
                    rest
                } else if rows_here > 0 && (room == 0 || (from == 0 && rest <= fresh_page_lines)) {
                    0
                } else {
                    room.max(1)
                };
                if take > 0 {
                    self.table_row(&widths, &cells, from..from + take);
                    rows_here += 1;
                    from += take;
                }
                if from < total {
                    self.table_frame(&widths, top);
                    self.next_page();
                    top = self.y;
                    self.table_header(&widths, &header, header_height);
                    rows_here = 0;
                }
            }
        }
        self.table_frame(&widths, top);
        self.y += 6.0;
    }

    /// Wraps one row's texts, each inside its column (missing cells are empty).
    fn wrap_cells<'s>(&self, widths: &[f32], texts: impl Iterator<Item = &'s str>, style: Style) -> Vec<Vec<String>> {
        let mut texts = texts;
        widths.iter().map(|w| self.wrap(texts.next().unwrap_or(""), style, w - 2.0 * CELL_PAD_X)).collect()
    }

    fn table_header(&mut self, widths: &[f32], header: &[Vec<String>], height: f32) {
        self.canvas.fill_rect(LEFT, self.y, WIDTH, height, HEADER_SHADE);
        let lines = line_height(CELL);
        let mut x = LEFT;
        for (width, cell) in widths.iter().zip(header) {
            // Centre the header's lines vertically when another header cell has more.
            let offset = (height - 2.0 * CELL_PAD_Y - cell.len() as f32 * lines) / 2.0;
            for (i, line) in cell.iter().enumerate() {
                let baseline = self.baseline(self.y + CELL_PAD_Y + offset + i as f32 * lines, lines, HEADER_CELL);
                self.canvas.text_center(x + width / 2.0, baseline, line, HEADER_CELL);
            }
            x += width;
        }
        self.y += height;
        self.canvas.line((LEFT, self.y), (RIGHT, self.y), THIN);
    }

    /// Draws lines `range` of a row's cells and the rule under them.
    /// A row drawn whole centres its shorter cells vertically; the parts of a split row keep
    /// to the top so the text reads on across the page break.
    fn table_row(&mut self, widths: &[f32], cells: &[Vec<String>], range: std::ops::Range<usize>) {
        let lines = line_height(CELL);
        let whole = range.start == 0 && cells.iter().all(|cell| cell.len() <= range.end);
        let mut x = LEFT;
        for ((width, cell), column) in widths.iter().zip(cells).zip(&self.doc.columns) {
            let offset = if whole { (range.len() - cell.len()) as f32 * lines / 2.0 } else { 0.0 };
            for (i, line) in cell.iter().enumerate().take(range.end).skip(range.start) {
                let top = self.y + CELL_PAD_Y + offset + (i - range.start) as f32 * lines;
                let baseline = self.baseline(top, lines, CELL);
                match column.align {
                    Align::Left => self.canvas.text(x + CELL_PAD_X, baseline, line, CELL),
                    Align::Right => self.canvas.text_right(x + width - CELL_PAD_X, baseline, line, CELL),
                    Align::Center => self.canvas.text_center(x + width / 2.0, baseline, line, CELL),
                }
            }
            x += width;
        }
        self.y += range.len() as f32 * lines + 2.0 * CELL_PAD_Y;
        self.canvas.line((LEFT, self.y), (RIGHT, self.y), THIN);
    }

    /// The vertical rules and the outer frame of the part of the table on this page.
    fn table_frame(&mut self, widths: &[f32], top: f32) {
        let bottom = self.y;
        let mut x = LEFT;
        for width in &widths[..widths.len() - 1] {
            x += width;
            self.canvas.line((x, top), (x, bottom), THIN);
        }
        for (from, to) in [((LEFT, top), (RIGHT, top)), ((LEFT, bottom), (RIGHT, bottom))] {
            self.canvas.line(from, to, FRAME);
        }
        for x in [LEFT, RIGHT] {
            self.canvas.line((x, top - FRAME / 2.0), (x, bottom + FRAME / 2.0), FRAME);
        }
    }

    /// Totals right-aligned under the table, labels in one column and amounts in another; the
    /// last (the grand total) in bold when there are several.
    fn totals(&mut self) {
        let totals = &self.doc.totals;
        if totals.is_empty() {
            return;
        }
        let height = line_height(TOTAL) + 2.0;
        let value_width = totals.iter().map(|(_, v)| self.canvas.measure(v, TOTAL.bold())).fold(0.0, f32::max);
        let value_right = RIGHT - CELL_PAD_X;
        let label_right = value_right - value_width - 16.0;
        // The totals stay together, and with the amount in words under them.
        self.ensure(totals.len() as f32 * height + 4.0 + self.amount_in_words_layout().map_or(0.0, |(_, h)| h));
        for (i, (label, value)) in totals.iter().enumerate() {
            let style = if totals.len() > 1 && i == totals.len() - 1 { TOTAL.bold() } else { TOTAL };
            let baseline = self.baseline(self.y, height, style);
            self.canvas.text_right(label_right, baseline, &format!("{label}："), style.gray(0.25));
            self.canvas.text_right(value_right, baseline, value, style);
            self.y += height;
        }
        self.y += 4.0;
    }

    /// "大写金额：…" in a ruled box the width of the table.
    /// The amount in words' lines and the height of its box.
    fn amount_in_words_layout(&self) -> Option<(Vec<String>, f32)> {
        let words = self.doc.amount_in_words.as_ref()?;
        let label_width = self.canvas.measure(WORDS_LABEL, WORDS.bold());
        let lines = self.wrap(words, WORDS, WIDTH - 2.0 * CELL_PAD_X - label_width);
        let height = lines.len() as f32 * line_height(WORDS) + 2.0 * WORDS_PAD;
        Some((lines, height))
    }

    fn amount_in_words(&mut self) {
        const PAD: f32 = WORDS_PAD;
        let Some((lines, box_height)) = self.amount_in_words_layout() else { return };
        let label = WORDS_LABEL;
        let label_style = WORDS.bold();
        let label_width = self.canvas.measure(label, label_style);
        let height = line_height(WORDS);
        self.ensure(box_height);
        let top = self.y;
        let baseline = self.baseline(top + PAD, height, WORDS);
        self.canvas.text(LEFT + CELL_PAD_X, baseline, label, label_style);
        for (i, line) in lines.iter().enumerate() {
            self.canvas.text(LEFT + CELL_PAD_X + label_width, baseline + i as f32 * height, line, WORDS);
        }
        let bottom = top + box_height;
        for (from, to) in [
            ((LEFT, top), (RIGHT, top)),
            ((LEFT, bottom), (RIGHT, bottom)),
            ((LEFT, top), (LEFT, bottom)),
            ((RIGHT, top), (RIGHT, bottom)),
        ] {
            self.canvas.line(from, to, THIN);
        }
        self.y = bottom + 8.0;
    }

    /// "备注：" followed by each note, wrapped under the first line's text.
    fn notes(&mut self) {
        if self.doc.notes.is_empty() {
            return;
        }
        let label = "备注：";
        let label_width = self.canvas.measure(label, NOTE);
        let height = line_height(NOTE);
        self.y += 4.0;
        self.ensure(height);
        let baseline = self.baseline(self.y, height, NOTE);
        self.canvas.text(LEFT, baseline, label, NOTE.gray(0.3));
        for note in &self.doc.notes {
            for line in self.wrap(note, NOTE, WIDTH - label_width) {
                self.ensure(height);
                let baseline = self.baseline(self.y, height, NOTE);
                self.canvas.text(LEFT + label_width, baseline, &line, NOTE);
                self.y += height;
            }
        }
    }

    /// Signature labels spread across the page, each followed by a line to sign on.
    fn signatures(&mut self) {
        let labels = &self.doc.signatures;
        if labels.is_empty() {
            return;
        }
        let height = line_height(SIGNATURE);
        self.y += 24.0;
        self.ensure(height + 4.0);
        let slot = WIDTH / labels.len() as f32;
        let baseline = self.baseline(self.y, height, SIGNATURE);
        for (i, label) in labels.iter().enumerate() {
            let x = LEFT + i as f32 * slot;
            let label = format!("{label}：");
            let label_width = self.canvas.measure(&label, SIGNATURE);
            self.canvas.text(x, baseline, &label, SIGNATURE);
            let (from, to) = (x + label_width + 2.0, x + slot - 14.0);
            if to > from {
                self.canvas.line((from, baseline + 2.5), (to, baseline + 2.5), THIN);
            }
        }
        self.y += height;
    }

    fn page_numbers(&mut self) {
        let count = self.canvas.page_count();
        for page in 0..count {
            self.canvas.select_page(page);
            let text = format!("第 {} 页 / 共 {} 页", page + 1, count);
            self.canvas.text_center(PAGE_WIDTH / 2.0, FOOTER_BASELINE, &text, FOOTER);
        }
    }
}
