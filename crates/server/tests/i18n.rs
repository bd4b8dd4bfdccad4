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

/// Every message of the catalogue, rendered with its parameters in both languages, is filled
/// completely, and both languages name the same parameters.
#[test]
fn every_message_is_filled_by_its_parameters_in_both_languages() {
    use kernel::i18n::{Locale, Message};
    let catalog = server::wiring::catalog();
    let mut problems = Vec::new();
    for message in catalog.messages() {
        let mut zh = Message::placeholders(message.zh);
        let mut en = Message::placeholders(message.en);
        zh.sort_unstable();
        zh.dedup();
        en.sort_unstable();
        en.dedup();
        if zh != en {
            problems.push(format!("{}: 中文 names {zh:?}, English {en:?}", message.code));
            continue;
        }
        let params: Vec<(&'static str, String)> =
            zh.iter().map(|name| (&*String::from(*name).leak(), format!("<{name}>"))).collect();
        for locale in [Locale::ZhCn, Locale::En] {
            let text = catalog.text(locale, message.code, &params);
            if !Message::placeholders(&text).is_empty() || zh.iter().any(|name| !text.contains(&format!("<{name}>"))) {
                problems.push(format!("{} ({locale:?}) renders as {text}", message.code));
            }
        }
    }
    problems.sort();
    assert!(problems.is_empty(), "messages not filled by their parameters:\n{}", problems.join("\n"));
}

/// Where an error with a parameterised message is raised, the parameters its message names are
/// given at that place (`.with_param("name", …)`), so no user ever reads `{name}`.
#[test]
fn errors_are_raised_with_the_parameters_their_message_names() {
    use kernel::i18n::Message;
    let catalog = server::wiring::catalog();
    let crates = Path::new(env!("CARGO_MANIFEST_DIR")).parent().unwrap();
    let mut texts = Vec::new();
    for entry in std::fs::read_dir(crates).unwrap() {
        let src = entry.unwrap().path().join("src");
        if src.is_dir() {
            sources(&src, &mut texts);
        }
    }
    let mut problems = Vec::new();
    for text in &texts {
        for start in [
            "Error::invalid(\"",
            "Error::not_found(\"",
            "Error::conflict(\"",
            "Error::forbidden(\"",
            "Error::new(",
            "Error::field(",
        ] {
            for (at, _) in text.match_indices(start) {
                let mut stop = text.len().min(at + 400);
                while !text.is_char_boundary(stop) {
                    stop -= 1;
                }
                let call = &text[at..stop];
                let code = if start == "Error::field(" { call.split('"').nth(3) } else { call.split('"').nth(1) };
                let Some(code) = code.filter(|c| catalog.contains(c)) else { continue };
                let message = catalog.messages().find(|m| m.code == code).unwrap();
                // The statement that raises it: up to the end of the expression.
                let end = [";", "?", "})"].iter().filter_map(|e| call.find(e)).min().unwrap_or(call.len());
                let statement = &call[..end];
                for name in Message::placeholders(message.en) {
                    if !statement.contains(&format!("\"{name}\"")) {
                        problems
                            .push(format!("{code} raised without {{{name}}}: {}", statement.lines().next().unwrap()));
                    }
                }
            }
        }
    }
    // An error page shows its code's text without parameters: only codes that need none.
    for text in &texts {
        for (at, _) in text.match_indices("error_page(") {
            let call = &text[at..];
            let call = &call[..call.find(')').unwrap_or(call.len())];
            let Some(code) = call.split('"').nth(1).filter(|c| catalog.contains(c)) else { continue };
            let message = catalog.messages().find(|m| m.code == code).unwrap();
            if !Message::placeholders(message.en).is_empty() {
                problems.push(format!("{code} shown by error_page, which fills no parameters"));
            }
        }
    }
    problems.sort();
    problems.dedup();
    assert!(problems.is_empty(), "errors raised without their parameters:\n{}", problems.join("\n"));
}
