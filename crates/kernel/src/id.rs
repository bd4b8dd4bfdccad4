//! Typed ids: a `CompanyId` cannot be passed where a `UserId` is expected.
//! All ids are UUIDv7, made by the application (time-ordered, so indexes stay compact),
//! stored as text on both backends.

pub use uuid::Uuid;

/// Declares an id newtype over a UUIDv7 with text storage, serde and parsing.
#[macro_export]
macro_rules! define_id {
    ($(#[$meta:meta])* $name:ident) => {
        $(#[$meta])*
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize, serde::Deserialize)]
        #[serde(transparent)]
        pub struct $name(pub $crate::id::Uuid);

        impl $name {
            #[allow(clippy::new_without_default)]
            pub fn new() -> Self {
                Self($crate::id::Uuid::now_v7())
            }

            pub fn parse(text: &str) -> Result<Self, $crate::Error> {
                $crate::id::Uuid::parse_str(text)
                    .map(Self)
                    .map_err(|_| $crate::Error::not_found("kernel.id.invalid").with_param("id", text))
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                self.0.fmt(f)
            }
        }

        impl std::str::FromStr for $name {
            type Err = $crate::Error;
            fn from_str(text: &str) -> Result<Self, Self::Err> {
                Self::parse(text)
            }
        }

        impl $crate::db::ToValue for $name {
            fn to_value(&self) -> $crate::db::Value {
                $crate::db::Value::Text(self.0.to_string())
            }
        }

        impl $crate::db::FromValue for $name {
            fn from_value(value: &$crate::db::Value) -> Result<Self, $crate::db::DbError> {
                let text = <String as $crate::db::FromValue>::from_value(value)?;
                $crate::id::Uuid::parse_str(&text)
                    .map(Self)
                    .map_err(|e| $crate::db::DbError::Decode(e.to_string()))
            }
        }
    };
}

/// A link to a document of any module, kept by a lower module without importing the upper
/// one: `DocRef { kind: "sales.order_line", id }`, stored as `origin_kind`, `origin_id`.
#[derive(Clone, Debug, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize, utoipa::ToSchema)]
pub struct DocRef {
    pub kind: String,
    pub id: String,
}

impl DocRef {
    pub fn new(kind: impl Into<String>, id: impl ToString) -> DocRef {
        DocRef { kind: kind.into(), id: id.to_string() }
    }
}
