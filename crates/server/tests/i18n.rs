//! Every code the product can show (error codes, UI labels) has a Chinese and an English text.

use std::path::Path;

fn sources(dir: &Path, out: &mut Vec<String>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            sources(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(std::fs::read_to_string(&path).unwrap());
        }
    }
}

/// String literals that look like message codes in the given contexts.
fn codes(text: &str, starts: &[&str]) -> Vec<String> {
    let mut found = Vec::new();
    for start in starts {
        let mut rest = text;
        while let Some(at) = rest.find(start) {
            let after = &rest[at + start.len()..];
            let end = after.find('"').unwrap_or(0);
            let code = &after[..end];
            if !code.is_empty()
                && !code.ends_with('.')
                && code.chars().all(|c| c.is_ascii_lowercase() || c == '.' || c == '_')
            {
                found.push(code.to_string());
            }
            rest = &after[end..];
        }
    }
    found
}

#[test]
fn every_code_in_use_is_translated() {
    let catalog = server::wiring::catalog();
    let crates = Path::new(env!("CARGO_MANIFEST_DIR")).parent().unwrap();
    let mut texts = Vec::new();
    for name in ["kernel", "party", "product", "office", "web"] {
        sources(&crates.join(name).join("src"), &mut texts);
    }
    let mut missing = Vec::new();
    for text in &texts {
        let errors = codes(
            text,
            &[
                "Error::invalid(\"",
                "Error::not_found(\"",
                "Error::conflict(\"",
                "Error::forbidden(\"",
                "Error::unauthenticated(\"",
                "Error::bad_request(\"",
            ],
        );
        // Error::field("name", "code") and .with_field("name", "code"): the second literal.
        let fields = ["Error::field(", ".with_field("].iter().flat_map(|start| {
            text.match_indices(start).filter_map(|(at, _)| {
                let call = &text[at..text.len().min(at + 200)];
                let second = call.split('"').nth(3)?;
                Some(second.to_string())
            })
        });
        let labels = codes(text, &["\"ui."]).into_iter().map(|c| format!("ui.{c}"));
        for code in errors.into_iter().chain(fields).filter(|c| c.contains('.')).chain(labels) {
            if !catalog.contains(&code) {
                missing.push(code);
            }
        }
    }
    missing.sort();
    missing.dedup();
    assert!(missing.is_empty(), "codes without translations: {missing:?}");
}

#[test]
fn both_languages_are_filled_in() {
    for table in [
        kernel::messages::MESSAGES,
        web::MESSAGES,
        web::ui::MESSAGES,
        office::MESSAGES,
        party::MESSAGES,
        kernel::import::MESSAGES,
    ] {
        for message in table {
            assert!(
                !message.zh.trim().is_empty() && !message.en.trim().is_empty(),
                "{} lacks a language",
                message.code
            );
            assert!(!message.zh.is_ascii(), "{}: the Chinese text is not Chinese", message.code);
        }
    }
}
