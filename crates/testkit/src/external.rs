//! Outside programs some tests need (chromium, pdftotext, Python's aiosmtpd, later dovecot):
//! a developer who has only Rust sees such a test say `SKIPPED` and pass; under CI (`CI` set),
//! where `.ci/run` installs them all, a missing program fails the test instead, so CI always
//! runs everything.

use std::process::{Command, Stdio};

/// Says that a test (or part of one) is skipped for want of `what`, with the command that
/// installs it; under CI it panics instead.
pub fn skip(what: &str, install: &str) {
    assert!(std::env::var_os("CI").is_none(), "CI must provide {what} ({install})");
    eprintln!("SKIPPED: this test needs {what} ({install})");
}

/// Whether `program` runs (`program --version` or the given probe arguments succeed); says
/// SKIPPED when it does not.
pub fn program(program: &str, probe: &[&str], install: &str) -> bool {
    let runs = Command::new(program)
        .args(probe)
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|s| s.success());
    if !runs {
        skip(program, install);
    }
    runs
}

/// Whether `python3` can import `module`; says SKIPPED when it cannot.
pub fn python_module(module: &str, install: &str) -> bool {
    program("python3", &["-c", &format!("import {module}")], install)
}

/// The text of a PDF as poppler's `pdftotext` reads it, or None (with SKIPPED said) when
/// poppler-utils is not installed.
pub fn pdf_text(bytes: &[u8]) -> Option<String> {
    assert!(bytes.starts_with(b"%PDF-"), "not a PDF");
    if !program("pdftotext", &["-v"], "apt-get install poppler-utils") {
        return None;
    }
    let dir = tempfile::tempdir().expect("temporary folder");
    let path = dir.path().join("document.pdf");
    std::fs::write(&path, bytes).expect("PDF written");
    let out = Command::new("pdftotext").arg(&path).arg("-").output().expect("pdftotext runs");
    assert!(out.status.success(), "pdftotext failed: {}", String::from_utf8_lossy(&out.stderr));
    Some(String::from_utf8_lossy(&out.stdout).into_owned())
}
