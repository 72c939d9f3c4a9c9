//! PostgreSQL's spellings of what the store's queries use, taught to SQLite, so each query
//! is written once: `greatest`, `strpos`, `chr` and the aggregate `string_agg`.

use rusqlite::Connection;
use rusqlite::functions::{Aggregate, Context, FunctionFlags};
use rusqlite::types::{Value, ValueRef};

/// Registers the functions on `conn`.
pub fn register(conn: &Connection) -> rusqlite::Result<()> {
    let pure = FunctionFlags::SQLITE_UTF8 | FunctionFlags::SQLITE_DETERMINISTIC;
    // greatest(a, b, …): the largest, NULLs ignored (as PostgreSQL does, unlike max()).
    conn.create_scalar_function("greatest", -1, pure, |ctx| {
        let mut best: Option<Value> = None;
        for i in 0..ctx.len() {
            let value: Value = ctx.get(i)?;
            if value == Value::Null {
                continue;
            }
            best = match best {
                Some(b) if compare(&b, &value) >= std::cmp::Ordering::Equal => Some(b),
                _ => Some(value),
            };
        }
        Ok(best.unwrap_or(Value::Null))
    })?;
    conn.create_scalar_function("strpos", 2, pure, |ctx| {
        let haystack: Option<String> = ctx.get(0)?;
        let needle: Option<String> = ctx.get(1)?;
        Ok(match (haystack, needle) {
            (Some(h), Some(n)) => {
                Some(h.find(&n).map_or(0, |at| h[..at].chars().count() + 1) as i64)
            }
            _ => None,
        })
    })?;
    conn.create_scalar_function("chr", 1, pure, |ctx| {
        let code: i64 = ctx.get(0)?;
        Ok(u32::try_from(code)
            .ok()
            .and_then(char::from_u32)
            .map(String::from))
    })?;
    conn.create_aggregate_function("string_agg", 2, pure, StringAgg)
}

fn compare(a: &Value, b: &Value) -> std::cmp::Ordering {
    let number = |v: &Value| match v {
        Value::Integer(n) => Some(*n as f64),
        Value::Real(x) => Some(*x),
        _ => None,
    };
    match (number(a), number(b), a, b) {
        (Some(x), Some(y), _, _) => x.total_cmp(&y),
        (_, _, Value::Text(x), Value::Text(y)) => x.cmp(y),
        _ => std::cmp::Ordering::Equal,
    }
}

/// string_agg(text, separator): the non-NULL texts joined.
struct StringAgg;

impl Aggregate<Option<String>, Option<String>> for StringAgg {
    fn init(&self, _: &mut Context<'_>) -> rusqlite::Result<Option<String>> {
        Ok(None)
    }

    fn step(&self, ctx: &mut Context<'_>, joined: &mut Option<String>) -> rusqlite::Result<()> {
        let text = match ctx.get_raw(0) {
            ValueRef::Null => return Ok(()),
            _ => ctx.get::<String>(0)?,
        };
        let separator: String = ctx.get::<Option<String>>(1)?.unwrap_or_default();
        match joined {
            Some(so_far) => {
                so_far.push_str(&separator);
                so_far.push_str(&text);
            }
            None => *joined = Some(text),
        }
        Ok(())
    }

    fn finalize(
        &self,
        _: &mut Context<'_>,
        joined: Option<Option<String>>,
    ) -> rusqlite::Result<Option<String>> {
        Ok(joined.flatten())
    }
}

#[cfg(test)]
mod tests {
    use rusqlite::Connection;

    #[test]
    fn postgres_spellings_work_on_sqlite() {
        let conn = Connection::open_in_memory().unwrap();
        super::register(&conn).unwrap();
        let (g, p, joined): (i64, i64, String) = conn
            .query_row(
                "SELECT greatest(2, NULL, 7, 3), strpos('pooladmin', 'admin'),
                        (SELECT string_agg(x, chr(44)) FROM (SELECT 'a' AS x UNION ALL SELECT NULL UNION ALL SELECT 'b'))",
                [],
                |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
            )
            .unwrap();
        assert_eq!((g, p, joined.as_str()), (7, 5, "a,b"));
    }
}
