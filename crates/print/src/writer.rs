//! Assembles the PDF file: catalog, page tree, compressed page contents, the embedded font and
//! the document information, in a fixed object order so the same document gives the same bytes.

use kernel::Result;
use pdf_writer::{Filter, Finish, Pdf, Rect, Ref, TextStr};

use crate::canvas::{Canvas, FONT_NAME, PAGE_HEIGHT, PAGE_WIDTH};
use crate::embed::{FontRefs, embed_font};

/// zlib-compresses a stream for the FlateDecode filter.
pub(crate) fn deflate(data: &[u8]) -> Vec<u8> {
    miniz_oxide::deflate::compress_to_vec_zlib(data, 6)
}

/// Writes the drawn pages out as a PDF file titled `title`.
pub(crate) fn write_pdf(canvas: Canvas<'_>, title: &str) -> Result<Vec<u8>> {
    let font = canvas.font();
    let (pages, glyphs) = canvas.finish();

    let catalog = Ref::new(1);
    let page_tree = Ref::new(2);
    let info = Ref::new(3);
    let font_refs = FontRefs::starting_at(Ref::new(4));
    let first_page = font_refs.next_free();
    // Each page is two objects: the page and its content stream.
    let page_ref = |i: usize| Ref::new(first_page.get() + 2 * i as i32);
    let content_ref = |i: usize| Ref::new(first_page.get() + 2 * i as i32 + 1);

    let mut pdf = Pdf::new();
    pdf.set_version(1, 7);
    pdf.catalog(catalog).pages(page_tree).lang(TextStr("zh-CN"));
    pdf.document_info(info).title(TextStr(title)).producer(TextStr("Tiangong"));
    pdf.pages(page_tree).kids((0..pages.len()).map(page_ref)).count(pages.len() as i32);

    for (i, content) in pages.iter().enumerate() {
        let mut page = pdf.page(page_ref(i));
        page.parent(page_tree).media_box(Rect::new(0.0, 0.0, PAGE_WIDTH, PAGE_HEIGHT)).contents(content_ref(i));
        page.resources().fonts().pair(FONT_NAME, font_refs.type0);
        page.finish();
        pdf.stream(content_ref(i), &deflate(content)).filter(Filter::FlateDecode);
    }

    embed_font(&mut pdf, font_refs, font, &glyphs)?;
    Ok(pdf.finish())
}
