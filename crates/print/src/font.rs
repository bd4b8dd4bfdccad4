//! The one CJK font documents are printed in: where it is found, loading it once per process,
//! and its metrics (glyph ids and real advance widths) for measuring text.
//!
//! `TIANGONG_FONT` names a font file (`/path/font.ttc` or `/path/font.ttc#2` for a face of a
//! collection); else the Debian packages' paths are tried, Noto Sans CJK (fonts-noto-cjk) first;
//! else the subset of Noto Sans CJK SC that the binary carries (`fonts/`, GB 2312 and every
//! character of our own sources, OFL), so printing works on a machine with nothing installed.
//! Inside a collection without an explicit index the Simplified Chinese face is chosen. The font
//! is parsed on first use and kept for the life of the process; each document only embeds the
//! subset it uses.

use std::path::{Path, PathBuf};
use std::sync::{Mutex, OnceLock, PoisonError};

use kernel::{Error, ErrorKind, Result};
use ttf_parser::{Face, GlyphId, Tag, name_id};

/// The environment variable that overrides where the font is looked for.
pub const FONT_ENV: &str = "TIANGONG_FONT";

/// The Debian package that provides the full font; named when a configured file is missing.
pub const FONT_PACKAGE: &str = "fonts-noto-cjk";

/// The subset of Noto Sans CJK SC compiled into the binary (crates/print/fonts/README.md).
pub static EMBEDDED_FONT: &[u8] = include_bytes!("../fonts/NotoSansSC-Regular-subset.otf");

/// Known font files, in order of preference, with the Debian package that installs each.
const KNOWN_FONTS: &[(&str, &str)] = &[
    ("/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc", "fonts-noto-cjk"),
    ("/usr/share/fonts/opentype/noto/NotoSansCJKsc-Regular.otf", "fonts-noto-cjk"),
    ("/usr/share/fonts/truetype/wqy/wqy-microhei.ttc", "fonts-wqy-microhei"),
    ("/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc", "fonts-wqy-zenhei"),
];

const CFF: Tag = Tag::from_bytes(b"CFF ");

/// Where to read the font: a file and, for a collection, which face (None: pick the SC face),
/// or the subset the binary carries.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum FontSource {
    File { path: PathBuf, index: Option<u32> },
    Embedded,
}

impl FontSource {
    /// Parses `path` or `path#index`.
    fn parse(spec: &str) -> FontSource {
        if let Some((path, index)) = spec.rsplit_once('#')
            && let Ok(index) = index.trim().parse::<u32>()
        {
            return FontSource::File { path: PathBuf::from(path), index: Some(index) };
        }
        FontSource::File { path: PathBuf::from(spec), index: None }
    }

    fn describe(&self) -> String {
        match self {
            FontSource::File { path, .. } => path.display().to_string(),
            FontSource::Embedded => "(built-in Noto Sans CJK SC subset)".into(),
        }
    }
}

fn missing(path: impl std::fmt::Display) -> Error {
    Error::new(ErrorKind::Internal, "print.font_missing")
        .with_param("package", FONT_PACKAGE)
        .with_param("path", path)
        .with_source(format!(
            "{FONT_ENV} names a font file that does not exist: unset it to print with the installed \
             or the built-in font, or install {FONT_PACKAGE}"
        ))
}

/// Finds the font: `TIANGONG_FONT` when set (a missing file is an error, not a silent fallback),
/// else the first known Debian path present, else the built-in subset.
pub(crate) fn locate() -> Result<FontSource> {
    let configured = std::env::var(FONT_ENV).ok().filter(|v| !v.trim().is_empty());
    locate_from(configured.as_deref(), |path| path.is_file())
}

fn locate_from(configured: Option<&str>, exists: impl Fn(&Path) -> bool) -> Result<FontSource> {
    if let Some(spec) = configured {
        let source = FontSource::parse(spec.trim());
        return match &source {
            FontSource::File { path, .. } if !exists(path) => Err(missing(path.display())),
            _ => Ok(source),
        };
    }
    Ok(KNOWN_FONTS
        .iter()
        .map(|(path, _)| Path::new(path))
        .find(|path| exists(path))
        .map_or(FontSource::Embedded, |path| FontSource::File { path: path.to_path_buf(), index: None }))
}

/// A parsed font face with the metrics layout needs. Lives for the whole process.
pub(crate) struct Font {
    data: &'static [u8],
    index: u32,
    face: Face<'static>,
    units_per_em: f32,
    /// Height of the ideographic em box above the baseline, in ems (0.88 for Noto Sans CJK).
    ascent: f32,
    postscript_name: String,
    cff: bool,
}

impl std::fmt::Debug for Font {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Font").field("name", &self.postscript_name).field("index", &self.index).finish()
    }
}

static SHARED: OnceLock<Font> = OnceLock::new();
static LOADING: Mutex<()> = Mutex::new(());

impl Font {
    /// The process-wide font, loaded on first use. A failure (a configured file that is missing
    /// or no font) is not remembered, so fixing the configuration needs no restart.
    pub(crate) fn shared() -> Result<&'static Font> {
        if let Some(font) = SHARED.get() {
            return Ok(font);
        }
        let _loading = LOADING.lock().unwrap_or_else(PoisonError::into_inner);
        if let Some(font) = SHARED.get() {
            return Ok(font);
        }
        let font = Font::load(&locate()?)?;
        Ok(SHARED.get_or_init(|| font))
    }

    /// Reads and parses a font file. The bytes are kept for the rest of the process (the face
    /// borrows them); callers load a font once, through [`Font::shared`].
    pub(crate) fn load(source: &FontSource) -> Result<Font> {
        let invalid = |reason: String| {
            Error::new(ErrorKind::Internal, "print.font_invalid")
                .with_param("path", source.describe())
                .with_source(reason)
        };
        let (data, index): (&'static [u8], u32) = match source {
            FontSource::Embedded => (EMBEDDED_FONT, 0),
            FontSource::File { path, index } => {
                let data = std::fs::read(path).map_err(|e| missing(path.display()).with_source(e))?;
                let index = index.unwrap_or_else(|| simplified_chinese_face(&data));
                Face::parse(&data, index).map_err(|e| invalid(format!("face {index}: {e}")))?;
                (data.leak(), index)
            }
        };
        let face = Face::parse(data, index).map_err(|e| invalid(format!("face {index}: {e}")))?;
        if face.glyph_index('中').is_none() {
            return Err(invalid("the font has no Chinese characters".into()));
        }
        let units_per_em = f32::from(face.units_per_em());
        let ascent = face.typographic_ascender().map(f32::from).filter(|a| *a > 0.0).unwrap_or(0.88 * units_per_em)
            / units_per_em;
        let postscript_name = find_name(&face, name_id::POST_SCRIPT_NAME).unwrap_or_else(|| "CJKFont".into());
        let cff = face.raw_face().table(CFF).is_some();
        Ok(Font { data, index, face, units_per_em, ascent, postscript_name, cff })
    }

    pub(crate) fn data(&self) -> &'static [u8] {
        self.data
    }

    pub(crate) fn index(&self) -> u32 {
        self.index
    }

    pub(crate) fn face(&self) -> &Face<'static> {
        &self.face
    }

    /// Whether the outlines are CFF (embedded as FontFile3) rather than TrueType (FontFile2).
    pub(crate) fn is_cff(&self) -> bool {
        self.cff
    }

    pub(crate) fn postscript_name(&self) -> &str {
        &self.postscript_name
    }

    /// Converts font units to thousandths of an em, PDF's glyph space.
    pub(crate) fn to_pdf_units(&self, units: f32) -> f32 {
        units * 1000.0 / self.units_per_em
    }

    pub(crate) fn ascent(&self) -> f32 {
        self.ascent
    }

    /// The glyph for a character; .notdef (0) when the font lacks it.
    pub(crate) fn glyph(&self, c: char) -> u16 {
        self.face.glyph_index(c).map_or(0, |g| g.0)
    }

    /// A glyph's advance width in ems.
    pub(crate) fn advance(&self, glyph: u16) -> f32 {
        f32::from(self.face.glyph_hor_advance(GlyphId(glyph)).unwrap_or(0)) / self.units_per_em
    }

    /// The width of `text` set at `size` points.
    pub(crate) fn measure(&self, text: &str, size: f32) -> f32 {
        text.chars().map(|c| self.advance(self.glyph(c))).sum::<f32>() * size
    }

    /// The width of one character set at `size` points.
    pub(crate) fn char_width(&self, c: char, size: f32) -> f32 {
        self.advance(self.glyph(c)) * size
    }
}

fn find_name(face: &Face<'_>, id: u16) -> Option<String> {
    face.names().into_iter().filter(|n| n.name_id == id && n.is_unicode()).find_map(|n| n.to_string())
}

/// In a collection, the face whose family is the Simplified Chinese one ("Noto Sans CJK SC");
/// the first face otherwise.
fn simplified_chinese_face(data: &[u8]) -> u32 {
    let count = ttf_parser::fonts_in_collection(data).unwrap_or(1);
    (0..count)
        .find(|&index| {
            Face::parse(data, index).ok().is_some_and(|face| {
                [name_id::TYPOGRAPHIC_FAMILY, name_id::FAMILY]
                    .into_iter()
                    .filter_map(|id| find_name(&face, id))
                    .any(|family| family.ends_with(" SC") || family.contains("SC "))
            })
        })
        .unwrap_or(0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_source_may_name_the_face_of_a_collection() {
        let file = |path: &str, index| FontSource::File { path: path.into(), index };
        assert_eq!(FontSource::parse("/f/a.ttc#2"), file("/f/a.ttc", Some(2)));
        assert_eq!(FontSource::parse("/f/a.ttf"), file("/f/a.ttf", None));
        assert_eq!(FontSource::parse("/f/a#b.ttf"), file("/f/a#b.ttf", None));
    }

    #[test]
    fn the_configured_font_wins_then_debian_paths_in_order_then_the_built_in_subset() {
        let configured = locate_from(Some("/x/y.otf#1"), |_| true).unwrap();
        assert_eq!(configured, FontSource::File { path: "/x/y.otf".into(), index: Some(1) });
        let wqy = locate_from(None, |p| p.to_string_lossy().contains("wqy")).unwrap();
        assert_eq!(
            wqy,
            FontSource::File { path: "/usr/share/fonts/truetype/wqy/wqy-microhei.ttc".into(), index: None }
        );
        let noto = locate_from(None, |_| true).unwrap();
        assert_eq!(noto, FontSource::File { path: KNOWN_FONTS[0].0.into(), index: None });
        assert_eq!(locate_from(None, |_| false).unwrap(), FontSource::Embedded);
    }

    #[test]
    fn the_built_in_subset_prints_chinese_and_our_own_words() {
        let font = Font::load(&FontSource::Embedded).unwrap();
        assert!(font.is_cff());
        for c in "增值税专用发票 销售订单 收货单 凭证 壹贰叁肆伍陆柒捌玖拾佰仟万亿圆角分整 ¥ ① 0123 ABC abc".chars()
        {
            assert!(c == ' ' || font.glyph(c) != 0, "the built-in font lacks {c:?}");
        }
        assert!(font.measure("天工", 10.0) > 19.0, "CJK characters are a full em wide");
    }

    #[test]
    fn a_configured_font_that_is_missing_is_an_error_not_a_silent_fallback() {
        let error = locate_from(Some("/nowhere/font.ttc"), |_| false).unwrap_err();
        assert_eq!(error.code(), "print.font_missing");
        assert_eq!(error.param("path"), Some("/nowhere/font.ttc"));
        assert_eq!(error.param("package"), Some("fonts-noto-cjk"));
    }

    #[test]
    fn a_file_that_is_no_font_is_refused_before_it_is_kept() {
        let path = std::env::temp_dir().join(format!("tiangong-print-not-a-font-{}.ttf", std::process::id()));
        std::fs::write(&path, b"not a font").unwrap();
        let error = Font::load(&FontSource::File { path: path.clone(), index: None }).unwrap_err();
        std::fs::remove_file(&path).unwrap();
        assert_eq!(error.code(), "print.font_invalid");
    }
}
