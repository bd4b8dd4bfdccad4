//! A real browser for end-to-end tests: Debian's `chromium` driven through `chromedriver`
//! (WebDriver, via fantoccini), headless, with a 1366×768 window.
//!
//! `Browser::start()` returns `None` when chromium or chromedriver is missing, so that a
//! developer without them sees the tests skipped with a clear message; under CI (`CI` set)
//! a missing browser fails instead, since `.ci/run` installs it.

use std::net::TcpListener;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use fantoccini::{Client, ClientBuilder, Locator};

pub const CHROMIUM: &str = "/usr/bin/chromium";
pub const CHROMEDRIVER: &str = "/usr/bin/chromedriver";

pub struct Browser {
    pub runtime: tokio::runtime::Runtime,
    pub client: Client,
    driver: Child,
}

impl Drop for Browser {
    fn drop(&mut self) {
        let client = self.client.clone();
        let _ = self.runtime.block_on(async move { client.close().await });
        let _ = self.driver.kill();
        let _ = self.driver.wait();
    }
}

impl Browser {
    pub fn start(language: &str) -> Option<Browser> {
        if !std::path::Path::new(CHROMIUM).exists() || !std::path::Path::new(CHROMEDRIVER).exists() {
            crate::external::skip(
                &format!("{CHROMIUM} and {CHROMEDRIVER}"),
                "apt-get install chromium chromium-driver",
            );
            return None;
        }
        let port = TcpListener::bind("127.0.0.1:0").ok()?.local_addr().ok()?.port();
        let driver = Command::new(CHROMEDRIVER)
            .arg(format!("--port={port}"))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("chromedriver starts");
        let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().expect("runtime");
        let deadline = Instant::now() + Duration::from_secs(20);
        while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
            assert!(Instant::now() < deadline, "chromedriver did not start");
            std::thread::sleep(Duration::from_millis(50));
        }
        let mut capabilities = serde_json::Map::new();
        capabilities.insert(
            "goog:chromeOptions".into(),
            serde_json::json!({
                "binary": CHROMIUM,
                "args": ["--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--disable-quic",
                         "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync",
                         "--window-size=1366,768", format!("--lang={language}")],
                "prefs": {"intl.accept_languages": language}
            }),
        );
        // A chromedriver that has just opened its port may still reset the first connection
        // (seen on a loaded 2-core machine): the session is asked for again, three times at most.
        let mut attempt = 0;
        let client = loop {
            attempt += 1;
            let session = runtime.block_on(async {
                ClientBuilder::new(hyper_util::client::legacy::connect::HttpConnector::new())
                    .capabilities(capabilities.clone())
                    .connect(&format!("http://127.0.0.1:{port}"))
                    .await
            });
            match session {
                Ok(client) => break client,
                Err(error) if attempt < 3 => {
                    eprintln!("browser session refused ({error}), asking again");
                    std::thread::sleep(Duration::from_millis(500));
                }
                Err(error) => panic!("browser session: {error:?}"),
            }
        };
        Some(Browser { runtime, client, driver })
    }

    pub fn goto(&self, url: &str) {
        self.runtime.block_on(self.client.goto(url)).expect("navigate");
    }

    pub fn text(&self, css: &str) -> String {
        self.runtime
            .block_on(async { self.client.wait().for_element(Locator::Css(css)).await?.text().await })
            .expect("element text")
    }

    pub fn exists(&self, css: &str) -> bool {
        self.runtime
            .block_on(async { self.client.find_all(Locator::Css(css)).await })
            .map(|v| !v.is_empty())
            .unwrap_or(false)
    }

    pub fn fill(&self, css: &str, value: &str) {
        self.runtime
            .block_on(async {
                let element = self.client.wait().for_element(Locator::Css(css)).await?;
                element.clear().await?;
                element.send_keys(value).await
            })
            .expect("fill field");
    }

    /// Clicks an element that does not leave the page (menus, checkboxes).
    pub fn click(&self, css: &str) {
        self.runtime
            .block_on(async { self.client.wait().for_element(Locator::Css(css)).await?.click().await })
            .expect("click");
    }

    /// Clicks an element that loads a new page (a link, a submit button) and waits until the
    /// new document is there, even when its address is the same.
    pub fn click_and_wait(&self, css: &str) {
        self.runtime
            .block_on(async {
                self.client.execute("window.__tiangongOldPage = true;", vec![]).await?;
                self.client.wait().for_element(Locator::Css(css)).await?.click().await?;
                self.new_page().await;
                Ok::<(), fantoccini::error::CmdError>(())
            })
            .expect("click and wait");
    }

    /// Types as a keyboard-wedge barcode scanner does: into whichever field has the focus,
    /// then Enter; waits for the page that answers.
    pub fn scan(&self, code: &str) {
        self.runtime
            .block_on(async {
                self.client.execute("window.__tiangongOldPage = true;", vec![]).await?;
                let focused = self.client.active_element().await?;
                focused.send_keys(&format!("{code}\u{E007}")).await?;
                self.new_page().await;
                Ok::<(), fantoccini::error::CmdError>(())
            })
            .expect("scan");
    }

    /// Waits until the page marked old has been replaced by a loaded one.
    async fn new_page(&self) {
        let deadline = Instant::now() + Duration::from_secs(15);
        while Instant::now() < deadline {
            // A script error means the old page is going away: keep waiting.
            let state = self
                .client
                .execute("return window.__tiangongOldPage === true ? 'old' : document.readyState", vec![])
                .await
                .unwrap_or_default();
            if state == "complete" || state == "interactive" {
                break;
            }
            tokio::time::sleep(Duration::from_millis(25)).await;
        }
    }

    pub fn select(&self, css: &str, value: &str) {
        self.runtime
            .block_on(async { self.client.wait().for_element(Locator::Css(css)).await?.select_by_value(value).await })
            .expect("select option");
    }

    /// Resizes the window (a 10-inch tablet is about 800×1280 in portrait).
    pub fn resize(&self, width: u32, height: u32) {
        self.runtime.block_on(self.client.set_window_size(width, height)).expect("resize");
    }

    pub fn current_path(&self) -> String {
        self.runtime.block_on(self.client.current_url()).map(|u| u.path().to_string()).unwrap_or_default()
    }

    pub fn source(&self) -> String {
        self.runtime.block_on(self.client.source()).unwrap_or_default()
    }

    /// Runs a script in the page and returns its JSON result.
    pub fn script(&self, js: &str) -> serde_json::Value {
        self.runtime.block_on(self.client.execute_async(js, vec![])).expect("script")
    }

    pub fn screenshot(&self, path: &std::path::Path) {
        let png = self.runtime.block_on(self.client.screenshot()).expect("screenshot");
        std::fs::write(path, png).expect("screenshot written");
    }
}
