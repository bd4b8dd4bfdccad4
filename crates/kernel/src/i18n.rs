//! Translations of stable codes (error codes, labels) into zh-CN and English.
//!
//! Each crate lists its own messages as a `&[Message]` next to its code; the server gathers
//! them into one `Catalog`. A test checks that every code has both languages.

use std::collections::HashMap;

use serde::{Deserialize, Serialize};

/// The languages the product speaks; zh-CN is the default.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
pub enum Locale {
    #[default]
    #[serde(rename = "zh-CN")]
    ZhCn,
    #[serde(rename = "en")]
    En,
}

impl Locale {
    pub fn tag(self) -> &'static str {
        match self {
            Locale::ZhCn => "zh-CN",
            Locale::En => "en",
        }
    }

    pub fn parse(tag: &str) -> Option<Locale> {
        let tag = tag.trim().to_ascii_lowercase();
        if tag.starts_with("zh") {
            Some(Locale::ZhCn)
        } else if tag.starts_with("en") {
            Some(Locale::En)
        } else {
            None
        }
    }

    /// Picks the best language from an `Accept-Language` header, honouring q-values.
    pub fn from_accept_language(header: &str) -> Option<Locale> {
        let mut best: Option<(f32, Locale)> = None;
        for part in header.split(',') {
            let mut pieces = part.split(';');
            let tag = pieces.next().unwrap_or_default();
            let quality =
                pieces.find_map(|p| p.trim().strip_prefix("q=")).and_then(|q| q.parse::<f32>().ok()).unwrap_or(1.0);
            if let Some(locale) = Locale::parse(tag)
                && best.is_none_or(|(q, _)| quality > q)
            {
                best = Some((quality, locale));
            }
        }
        best.map(|(_, locale)| locale)
    }
}

/// One translatable text: a stable code and its Chinese and English wording.
/// `{name}` placeholders are filled from the error's parameters.
#[derive(Clone, Copy, Debug)]
pub struct Message {
    pub code: &'static str,
    pub zh: &'static str,
    pub en: &'static str,
}

/// Shorthand for message tables: `msg!("code", "中文", "English")`.
#[macro_export]
macro_rules! msg {
    ($code:expr, $zh:expr, $en:expr) => {
        $crate::i18n::Message { code: $code, zh: $zh, en: $en }
    };
}

#[derive(Clone, Debug, Default)]
pub struct Catalog {
    messages: HashMap<&'static str, Message>,
}

impl Catalog {
    pub fn new(tables: &[&[Message]]) -> Catalog {
        let mut messages = HashMap::new();
        for table in tables {
            for message in *table {
                messages.insert(message.code, *message);
            }
        }
        Catalog { messages }
    }

    pub fn contains(&self, code: &str) -> bool {
        self.messages.contains_key(code)
    }

    /// The text for `code` in `locale`, with `{name}` replaced by the parameters; the code
    /// itself when no translation exists (visible, so a missing entry gets noticed).
    pub fn text(&self, locale: Locale, code: &str, params: &[(&'static str, String)]) -> String {
        let Some(message) = self.messages.get(code) else {
            return code.to_string();
        };
        let mut text = match locale {
            Locale::ZhCn => message.zh.to_string(),
            Locale::En => message.en.to_string(),
        };
        for (name, value) in params {
            text = text.replace(&format!("{{{name}}}"), value);
        }
        text
    }

    pub fn codes(&self) -> impl Iterator<Item = &&'static str> {
        self.messages.keys()
    }

    /// Every message, for checks over the whole catalogue.
    pub fn messages(&self) -> impl Iterator<Item = &Message> {
        self.messages.values()
    }
}

impl Message {
    /// The `{name}` placeholders of one wording, in order of appearance.
    pub fn placeholders(text: &str) -> Vec<&str> {
        let mut names = Vec::new();
        let mut rest = text;
        while let Some(open) = rest.find('{') {
            let after = &rest[open + 1..];
            let Some(close) = after.find('}') else { break };
            let name = &after[..close];
            if !name.is_empty() && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_') {
                names.push(name);
            }
            rest = &after[close + 1..];
        }
        names
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accept_language_prefers_highest_quality() {
        assert_eq!(Locale::from_accept_language("en-US,en;q=0.9"), Some(Locale::En));
        assert_eq!(Locale::from_accept_language("fr;q=1, zh-CN;q=0.8, en;q=0.5"), Some(Locale::ZhCn));
        assert_eq!(Locale::from_accept_language("de"), None);
    }

    #[test]
    fn parameters_are_filled_in() {
        let table = [msg!("x.y", "缺少{what}", "missing {what}")];
        let catalog = Catalog::new(&[&table]);
        let params = vec![("what", "name".to_string())];
        assert_eq!(catalog.text(Locale::En, "x.y", &params), "missing name");
        assert_eq!(catalog.text(Locale::ZhCn, "x.y", &params), "缺少name");
        assert_eq!(catalog.text(Locale::En, "nope", &params), "nope");
    }
}
