//! A browser-like HTTP session for page tests without a browser: it keeps cookies, logs in
//! through the login form, and knows the page's CSRF token.

use reqwest::blocking::{Client, Response, multipart};

pub struct WebSession {
    pub base: String,
    pub client: Client,
    csrf: String,
}

/// The value of `<meta name="csrf-token" content="…">` or of a hidden input.
pub fn token_in(html: &str, marker: &str) -> Option<String> {
    let at = html.find(marker)?;
    let rest = &html[at..];
    let value = rest.split("value=\"").nth(1).or_else(|| rest.split("content=\"").nth(1))?;
    Some(value.split('"').next()?.to_string())
}

impl WebSession {
    /// Logs in through the form; panics if the login fails.
    pub fn login(base: &str, username: &str, password: &str) -> WebSession {
        let client =
            Client::builder().cookie_store(true).redirect(reqwest::redirect::Policy::none()).build().expect("client");
        let form = client.get(format!("{base}/login")).send().expect("login page").text().unwrap_or_default();
        let token = token_in(&form, "name=\"_login_csrf\"").expect("login token");
        let answer = client
            .post(format!("{base}/login"))
            .form(&[("_login_csrf", token.as_str()), ("username", username), ("password", password), ("next", "/")])
            .send()
            .expect("login");
        assert_eq!(answer.status(), 303, "login of {username} failed");
        let mut session = WebSession { base: base.to_string(), client, csrf: String::new() };
        let home = session.get("/").text().unwrap_or_default();
        session.csrf = token_in(&home, "name=\"csrf-token\"").expect("csrf meta");
        session
    }

    pub fn csrf(&self) -> &str {
        &self.csrf
    }

    pub fn get(&self, path: &str) -> Response {
        self.client.get(format!("{}{}", self.base, path)).send().expect("GET")
    }

    /// Posts a form with the CSRF token added.
    pub fn post(&self, path: &str, fields: &[(&str, &str)]) -> Response {
        let mut all: Vec<(&str, &str)> = vec![("_csrf", self.csrf.as_str())];
        all.extend_from_slice(fields);
        self.client.post(format!("{}{}", self.base, path)).form(&all).send().expect("POST")
    }

    /// Posts a form without the CSRF token (to prove it is required).
    pub fn post_without_csrf(&self, path: &str, fields: &[(&str, &str)]) -> Response {
        self.client.post(format!("{}{}", self.base, path)).form(fields).send().expect("POST")
    }

    /// Uploads a file as the attachment form does.
    pub fn upload(&self, kind: &str, id: &str, name: &str, bytes: Vec<u8>) -> Response {
        let part = multipart::Part::bytes(bytes).file_name(name.to_string());
        let form = multipart::Form::new().part("file", part);
        self.client
            .post(format!("{}/attachments?_csrf={}&kind={kind}&id={id}&back=/", self.base, self.csrf))
            .multipart(form)
            .send()
            .expect("upload")
    }
}
