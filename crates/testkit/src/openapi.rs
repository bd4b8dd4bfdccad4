//! Walking the app's own OpenAPI document, so access and input tests cover every operation,
//! including the ones added after the test was written.

use serde_json::Value;

/// One operation of the document.
#[derive(Clone, Debug)]
pub struct Operation {
    pub method: reqwest::Method,
    /// The path template, e.g. `/api/v1/users/{id}`.
    pub path: String,
    /// `public`, `authenticated`, or the permission name.
    pub access: String,
    /// The example of the JSON request body, if the operation takes one.
    pub body_example: Option<Value>,
    pub has_body: bool,
}

impl Operation {
    /// The path with `{id}` replaced.
    pub fn with_id(&self, id: &str) -> String {
        self.path.replace("{id}", id)
    }

    /// The collection the `{id}` belongs to: `/api/v1/users` for `/api/v1/users/{id}/password`.
    pub fn collection(&self) -> Option<&str> {
        self.path.find("/{id}").map(|at| &self.path[..at])
    }

    pub fn needs_permission(&self) -> bool {
        self.access != "public" && self.access != "authenticated"
    }
}

fn resolve<'a>(doc: &'a Value, schema: &'a Value) -> &'a Value {
    match schema.get("$ref").and_then(Value::as_str) {
        Some(reference) => {
            let name = reference.rsplit('/').next().unwrap_or_default();
            &doc["components"]["schemas"][name]
        }
        None => schema,
    }
}

/// Every operation of the document.
pub fn operations(doc: &Value) -> Vec<Operation> {
    let mut out = Vec::new();
    let Some(paths) = doc["paths"].as_object() else { return out };
    for (path, item) in paths {
        let Some(item) = item.as_object() else { continue };
        for (method, operation) in item {
            let method = match method.as_str() {
                "get" => reqwest::Method::GET,
                "post" => reqwest::Method::POST,
                "put" => reqwest::Method::PUT,
                "delete" => reqwest::Method::DELETE,
                "patch" => reqwest::Method::PATCH,
                _ => continue,
            };
            let content = &operation["requestBody"]["content"]["application/json"];
            let has_body = content.is_object();
            let body_example =
                content.get("example").cloned().or_else(|| resolve(doc, &content["schema"]).get("example").cloned());
            out.push(Operation {
                method,
                path: path.clone(),
                access: operation["x-permission"].as_str().unwrap_or("MISSING").to_string(),
                body_example,
                has_body,
            });
        }
    }
    out
}
