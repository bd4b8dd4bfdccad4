//! The one CJK font documents are printed in: where it is found, loading it once per process,
//! and its metrics (glyph ids and real advance widths) for measuring text.
//!
//! The font is a system file, not part of the binary (a CJK font is 10–20 MB): `TIANGONG_FONT`
//! names it (`/path/font.ttc` or `/path/font.ttc#2` for a face of a collection), else the Debian
//! packages' paths are tried, Noto Sans CJK (fonts-noto-cjk) first. Inside a collection without
//! an explicit index the Simplified Chinese face is chosen. The file is read and parsed on first
//! use and kept for the life of the process; each document only embeds the subset it uses.

use std::path::{Path, PathBuf};
use std::sync::{Mutex, OnceLock, PoisonError};

use kernel::{Error, ErrorKind, Result};
use ttf_parser::{Face, GlyphId, Tag, name_id};

/// The environment variable that overrides where the font is looked for.
pub const FONT_ENV: &str = "TIANGONG_FONT";

/// The Debian package that provides the preferred font; named in the error when none is found.
pub const FONT_PACKAGE: &str = "fonts-noto-cjk";

/// Known font files, in order of preference, with the Debian package that installs each.
const KNOWN_FONTS: &[(&str, &str)] = &[
    ("/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc", "fonts-noto-cjk"),
    ("/usr/share/fonts/opentype/noto/NotoSansCJKsc-Regular.otf", "fonts-noto-cjk"),
    ("/usr/share/fonts/truetype/wqy/wqy-microhei.ttc", "fonts-wqy-microhei"),
    ("/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc", "fonts-wqy-zenhei"),
];

const CFF: Tag = Tag::from_bytes(b"CFF ");

/// Where to read the font: a file and, for a collection, which face (None: pick the SC face).
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct FontSource {
    pub path: PathBuf,
    pub index: Option<u32>,
}

impl FontSource {
    /// Parses `path` or `path#index`.
    fn parse(spec: &str) -> FontSource {
        if let Some((path, index)) = spec.rsplit_once('#')
            && let Ok(index) = index.trim().parse::<u32>()
        {
            return FontSource { path: PathBuf::from(path), index: Some(index) };
        }
        FontSource { path: PathBuf::from(spec), index: None }
    }
}

fn missing(path: impl std::fmt::Display) -> Error {
    Error::new(ErrorKind::Internal, "print.font_missing")
        .with_param("package", FONT_PACKAGE)
        .with_param("path", path)
        .with_source(format!(
            "no CJK font to print with: install the Debian package {FONT_PACKAGE} \
             (apt-get install {FONT_PACKAGE}) or set {FONT_ENV}=/path/to/font.ttc[#index]"
        ))
}

/// Finds the font file: `TIANGONG_FONT` when set, else the first known Debian path present.
pub(crate) fn locate() -> Result<FontSource> {
    let configured = std::env::var(FONT_ENV).ok().filter(|v| !v.trim().is_empty());
    locate_from(configured.as_deref(), |path| path.is_file())
}

fn locate_from(configured: Option<&str>, exists: impl Fn(&Path) -> bool) -> Result<FontSource> {
    if let Some(spec) = configured {
        let source = FontSource::parse(spec.trim());
        return if exists(&source.path) { Ok(source) } else { Err(missing(source.path.display())) };
    }
    KNOWN_FONTS
        .iter()
        .map(|(path, _)| Path::new(path))
        .find(|path| exists(path))
        .map(|path| FontSource { path: path.to_path_buf(), index: None })
        .ok_or_else(|| missing(KNOWN_FONTS.iter().map(|(path, _)| *path).collect::<Vec<_>>().join(", ")))
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
    /// The process-wide font, loaded on first use. A failure is not remembered, so installing
    /// the font package fixes a running server without a restart.
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
                .with_param("path", source.path.display())
                .with_source(reason)
        };
        let data = std::fs::read(&source.path).map_err(|e| missing(source.path.display()).with_source(e))?;
        let index = match source.index {
            Some(index) => index,
            None => simplified_chinese_face(&data),
        };
        Face::parse(&data, index).map_err(|e| invalid(format!("face {index}: {e}")))?;
        let data: &'static [u8] = data.leak();
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
        assert_eq!(FontSource::parse("/f/a.ttc#2"), FontSource { path: "/f/a.ttc".into(), index: Some(2) });
        assert_eq!(FontSource::parse("/f/a.ttf"), FontSource { path: "/f/a.ttf".into(), index: None });
        assert_eq!(FontSource::parse("/f/a#b.ttf"), FontSource { path: "/f/a#b.ttf".into(), index: None });
    }

    #[test]
    fn the_configured_font_wins_and_otherwise_debian_paths_are_tried_in_order() {
        let configured = locate_from(Some("/x/y.otf#1"), |_| true).unwrap();
        assert_eq!(configured, FontSource { path: "/x/y.otf".into(), index: Some(1) });
        let wqy = locate_from(None, |p| p.to_string_lossy().contains("wqy")).unwrap();
        assert_eq!(wqy.path, Path::new("/usr/share/fonts/truetype/wqy/wqy-microhei.ttc"));
        let noto = locate_from(None, |_| true).unwrap();
        assert_eq!(noto.path, Path::new(KNOWN_FONTS[0].0));
    }

    #[test]
    fn a_missing_font_says_which_package_to_install() {
        let error = locate_from(None, |_| false).unwrap_err();
        assert_eq!(error.code(), "print.font_missing");
        assert_eq!(error.param("package"), Some("fonts-noto-cjk"));
        assert!(error.to_string().contains("apt-get install fonts-noto-cjk"), "{error}");
        let error = locate_from(Some("/nowhere/font.ttc"), |_| false).unwrap_err();
        assert_eq!(error.code(), "print.font_missing");
        assert_eq!(error.param("path"), Some("/nowhere/font.ttc"));
    }

    #[test]
    fn a_file_that_is_no_font_is_refused_before_it_is_kept() {
        let path = std::env::temp_dir().join(format!("tiangong-print-not-a-font-{}.ttf", std::process::id()));
        std::fs::write(&path, b"not a font").unwrap();
        let error = Font::load(&FontSource { path: path.clone(), index: None }).unwrap_err();
        std::fs::remove_file(&path).unwrap();
        assert_eq!(error.code(), "print.font_invalid");
    }
}
