//! PostgreSQL through the synchronous `postgres` client: a pool of connections, each with its
//! own cache of prepared statements. It must run on blocking threads, never on an async
//! worker (the web layer uses `spawn_blocking`).

use std::collections::HashMap;
use std::error::Error as StdError;

use bytes::BytesMut;
use postgres::types::{IsNull, ToSql, Type, to_sql_checked};
use postgres::{Client, NoTls, Statement};
use rust_decimal::Decimal;

use super::value::{DbError, Row, Value};

pub struct PgConn {
    /// Always `Some` until dropped (see `Drop`).
    client: Option<Client>,
    statements: HashMap<String, Statement>,
}

/// The synchronous client closes its connection by blocking on its own runtime, which panics
/// on an async worker thread. Pools can be dropped anywhere (e.g. when the web state goes
/// away at shutdown), so the client is closed on a thread of its own.
impl Drop for PgConn {
    fn drop(&mut self) {
        if let Some(client) = self.client.take() {
            let _ = std::thread::Builder::new().name("pg-close".into()).spawn(move || drop(client));
        }
    }
}

impl PgConn {
    fn client(&mut self) -> Result<&mut Client, DbError> {
        self.client.as_mut().ok_or_else(|| DbError::Other("connection closed".into()))
    }

    pub fn is_closed(&self) -> bool {
        self.client.as_ref().is_none_or(Client::is_closed)
    }

    fn statement(&mut self, sql: &str) -> Result<Statement, DbError> {
        if let Some(statement) = self.statements.get(sql) {
            return Ok(statement.clone());
        }
        let statement = self.client()?.prepare(sql)?;
        if self.statements.len() > 512 {
            self.statements.clear();
        }
        self.statements.insert(sql.to_string(), statement.clone());
        Ok(statement)
    }

    pub fn batch(&mut self, sql: &str) -> Result<(), DbError> {
        self.client()?.batch_execute(sql)?;
        Ok(())
    }

    pub fn execute(&mut self, sql: &str, params: &[Value]) -> Result<u64, DbError> {
        let statement = self.statement(sql)?;
        let refs: Vec<&(dyn ToSql + Sync)> = params.iter().map(|p| p as &(dyn ToSql + Sync)).collect();
        Ok(self.client()?.execute(&statement, &refs)?)
    }

    pub fn query(&mut self, sql: &str, params: &[Value]) -> Result<Vec<Row>, DbError> {
        let statement = self.statement(sql)?;
        let refs: Vec<&(dyn ToSql + Sync)> = params.iter().map(|p| p as &(dyn ToSql + Sync)).collect();
        let rows = self.client()?.query(&statement, &refs)?;
        rows.iter().map(decode_row).collect()
    }
}

#[derive(Debug)]
pub struct PgManager {
    pub config: postgres::Config,
    /// Tests isolate themselves in a schema of their own.
    pub schema: Option<String>,
}

impl r2d2::ManageConnection for PgManager {
    type Connection = PgConn;
    type Error = DbError;

    fn connect(&self) -> Result<PgConn, DbError> {
        let mut client = self.config.connect(NoTls)?;
        if let Some(schema) = &self.schema {
            client.batch_execute(&format!("set search_path to \"{schema}\""))?;
        }
        Ok(PgConn { client: Some(client), statements: HashMap::new() })
    }

    fn is_valid(&self, conn: &mut PgConn) -> Result<(), DbError> {
        // A transaction left open by a panic is rolled back before the connection is reused.
        conn.batch("rollback")
    }

    fn has_broken(&self, conn: &mut PgConn) -> bool {
        conn.is_closed()
    }
}

fn mismatch(value: &Value, ty: &Type) -> Box<dyn StdError + Sync + Send> {
    format!("cannot bind {value:?} to a column of type {ty}").into()
}

impl ToSql for Value {
    fn to_sql(&self, ty: &Type, out: &mut BytesMut) -> Result<IsNull, Box<dyn StdError + Sync + Send>> {
        match self {
            Value::Null => Ok(IsNull::Yes),
            Value::Int(v) => match *ty {
                Type::INT8 => v.to_sql(ty, out),
                Type::INT4 => i32::try_from(*v)?.to_sql(ty, out),
                Type::INT2 => i16::try_from(*v)?.to_sql(ty, out),
                Type::NUMERIC => Decimal::from(*v).to_sql(ty, out),
                Type::BOOL => (*v != 0).to_sql(ty, out),
                Type::TEXT | Type::VARCHAR | Type::UNKNOWN => v.to_string().to_sql(&Type::TEXT, out),
                _ => Err(mismatch(self, ty)),
            },
            Value::Text(v) => {
                if <&str as ToSql>::accepts(ty) {
                    v.as_str().to_sql(ty, out)
                } else {
                    Err(mismatch(self, ty))
                }
            }
            Value::Blob(v) => match *ty {
                Type::BYTEA => v.as_slice().to_sql(ty, out),
                _ => Err(mismatch(self, ty)),
            },
        }
    }

    fn accepts(_ty: &Type) -> bool {
        true
    }

    to_sql_checked!();
}

fn decode_row(row: &postgres::Row) -> Result<Row, DbError> {
    let mut values = Vec::with_capacity(row.len());
    for (i, column) in row.columns().iter().enumerate() {
        let ty = column.type_();
        let value = match *ty {
            Type::INT8 => row.try_get::<_, Option<i64>>(i)?.map(Value::Int),
            Type::INT4 => row.try_get::<_, Option<i32>>(i)?.map(|v| Value::Int(i64::from(v))),
            Type::INT2 => row.try_get::<_, Option<i16>>(i)?.map(|v| Value::Int(i64::from(v))),
            Type::BOOL => row.try_get::<_, Option<bool>>(i)?.map(|v| Value::Int(i64::from(v))),
            Type::NUMERIC => match row.try_get::<_, Option<Decimal>>(i)? {
                None => None,
                Some(d) if d.fract().is_zero() => Some(Value::Int(
                    i64::try_from(d).map_err(|_| DbError::Decode(format!("{d} does not fit in 64 bits")))?,
                )),
                Some(d) => {
                    return Err(DbError::Decode(format!("fractional numeric {d} in column {i}")));
                }
            },
            Type::BYTEA => row.try_get::<_, Option<Vec<u8>>>(i)?.map(Value::Blob),
            Type::TEXT | Type::VARCHAR | Type::BPCHAR | Type::NAME | Type::UNKNOWN => {
                row.try_get::<_, Option<String>>(i)?.map(Value::Text)
            }
            _ => {
                return Err(DbError::Decode(format!("unsupported column type {ty} in column {i}")));
            }
        };
        values.push(value.unwrap_or(Value::Null));
    }
    Ok(Row::new(values))
}

/// What a constraint violation is called, for mapping to a user error.
pub fn constraint_of(error: &DbError) -> Option<String> {
    if let DbError::Postgres(e) = error
        && let Some(db) = e.as_db_error()
        && db.code().code().starts_with("23")
    {
        return Some(db.constraint().unwrap_or(db.message()).to_string());
    }
    None
}
