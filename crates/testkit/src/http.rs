//! A small blocking HTTP client for tests: every answer comes back with its status, headers,
//! raw body and parsed JSON (Null when not JSON), so assertions read plainly.

use reqwest::blocking::RequestBuilder;
use reqwest::header::HeaderMap;

#[derive(Debug)]
pub struct Answer {
    pub status: u16,
    pub headers: HeaderMap,
    pub body: String,
    /// The raw body (PDFs, spreadsheets).
    pub bytes: Vec<u8>,
    pub json: serde_json::Value,
}

impl Answer {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).and_then(|v| v.to_str().ok())
    }

    /// The stable code of a problem answer.
    pub fn code(&self) -> &str {
        self.json["code"].as_str().unwrap_or_default()
    }
}

#[derive(Clone)]
pub struct Client {
    base: String,
    token: Option<String>,
    inner: reqwest::blocking::Client,
}

impl Client {
    pub fn new(base: &str, token: Option<String>) -> Client {
        let inner = reqwest::blocking::Client::builder().build().expect("http client");
        Client { base: base.to_string(), token, inner }
    }

    pub fn token(&self) -> Option<&str> {
        self.token.as_deref()
    }

    fn prepare(&self, builder: RequestBuilder) -> RequestBuilder {
        match &self.token {
            Some(token) => builder.bearer_auth(token),
            None => builder,
        }
    }

    /// Sends a prepared request and collects the answer.
    pub fn send(&self, builder: RequestBuilder) -> Answer {
        let response = self.prepare(builder).send().expect("request sent");
        let status = response.status().as_u16();
        let headers = response.headers().clone();
        let bytes = response.bytes().map(|b| b.to_vec()).unwrap_or_default();
        let body = String::from_utf8_lossy(&bytes).into_owned();
        let json = serde_json::from_str(&body).unwrap_or(serde_json::Value::Null);
        Answer { status, headers, body, bytes, json }
    }

    /// A request builder for any method and path, with this client's credentials.
    pub fn request(&self, method: reqwest::Method, path: &str) -> RequestBuilder {
        self.inner.request(method, format!("{}{}", self.base, path))
    }

    pub fn get(&self, path: &str) -> Answer {
        self.send(self.request(reqwest::Method::GET, path))
    }

    pub fn post(&self, path: &str, body: &serde_json::Value) -> Answer {
        self.send(self.request(reqwest::Method::POST, path).json(body))
    }

    pub fn put(&self, path: &str, body: &serde_json::Value) -> Answer {
        self.send(self.request(reqwest::Method::PUT, path).json(body))
    }

    pub fn delete(&self, path: &str) -> Answer {
        self.send(self.request(reqwest::Method::DELETE, path))
    }
}
