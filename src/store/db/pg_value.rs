//! [`Value`] in PostgreSQL's binary format, both ways. A parameter takes the type the server
//! inferred for it (an integer binds to smallint, integer or bigint alike), so the store's
//! queries need no casts for the client's sake.

use super::value::Value;
use bytes::BytesMut;
use postgres_types::{FromSql, IsNull, ToSql, Type, to_sql_checked};
use std::error::Error;

type Boxed = Box<dyn Error + Sync + Send>;

fn mismatch(value: &Value, ty: &Type) -> Boxed {
    format!("cannot bind {value:?} to a column of type {ty}").into()
}

fn is_text(ty: &Type) -> bool {
    matches!(
        *ty,
        Type::TEXT | Type::VARCHAR | Type::BPCHAR | Type::NAME | Type::UNKNOWN
    ) || ty.name() == "citext"
}

impl ToSql for Value {
    fn to_sql(&self, ty: &Type, out: &mut BytesMut) -> Result<IsNull, Boxed> {
        match self {
            Self::Null => Ok(IsNull::Yes),
            Self::Integer(n) => match *ty {
                Type::INT8 => n.to_sql(ty, out),
                Type::INT4 => i32::try_from(*n)?.to_sql(ty, out),
                Type::INT2 => i16::try_from(*n)?.to_sql(ty, out),
                Type::FLOAT8 => (*n as f64).to_sql(ty, out),
                Type::FLOAT4 => (*n as f32).to_sql(ty, out),
                Type::BOOL => (*n != 0).to_sql(ty, out),
                _ if is_text(ty) => n.to_string().to_sql(&Type::TEXT, out),
                _ => Err(mismatch(self, ty)),
            },
            Self::Real(x) => match *ty {
                Type::FLOAT8 => x.to_sql(ty, out),
                Type::FLOAT4 => (*x as f32).to_sql(ty, out),
                _ => Err(mismatch(self, ty)),
            },
            Self::Bool(b) => match *ty {
                Type::BOOL => b.to_sql(ty, out),
                Type::INT8 => i64::from(*b).to_sql(ty, out),
                Type::INT4 => i32::from(*b).to_sql(ty, out),
                Type::INT2 => i16::from(*b).to_sql(ty, out),
                _ => Err(mismatch(self, ty)),
            },
            Self::Text(s) => match *ty {
                Type::JSONB => {
                    // jsonb's binary format: a version byte, then the text.
                    out.extend_from_slice(&[1]);
                    out.extend_from_slice(s.as_bytes());
                    Ok(IsNull::No)
                }
                Type::JSON => {
                    out.extend_from_slice(s.as_bytes());
                    Ok(IsNull::No)
                }
                _ if is_text(ty) => {
                    out.extend_from_slice(s.as_bytes());
                    Ok(IsNull::No)
                }
                _ => Err(mismatch(self, ty)),
            },
            Self::Blob(b) => match *ty {
                Type::BYTEA => b.as_slice().to_sql(ty, out),
                _ => Err(mismatch(self, ty)),
            },
        }
    }

    fn accepts(_: &Type) -> bool {
        true
    }

    to_sql_checked!();
}

impl<'a> FromSql<'a> for Value {
    fn from_sql(ty: &Type, raw: &'a [u8]) -> Result<Self, Boxed> {
        Ok(match *ty {
            Type::INT8 => Self::Integer(i64::from_sql(ty, raw)?),
            Type::INT4 => Self::Integer(i32::from_sql(ty, raw)?.into()),
            Type::INT2 => Self::Integer(i16::from_sql(ty, raw)?.into()),
            Type::OID => Self::Integer(u32::from_sql(ty, raw)?.into()),
            Type::FLOAT8 => Self::Real(f64::from_sql(ty, raw)?),
            Type::FLOAT4 => Self::Real(f32::from_sql(ty, raw)?.into()),
            Type::NUMERIC => Self::Real(numeric(raw)?),
            Type::BOOL => Self::Bool(bool::from_sql(ty, raw)?),
            Type::BYTEA => Self::Blob(raw.to_vec()),
            Type::JSONB => match raw.split_first() {
                Some((1, text)) => Self::Text(std::str::from_utf8(text)?.to_owned()),
                _ => return Err("jsonb in an unknown format".into()),
            },
            _ => Self::Text(std::str::from_utf8(raw)?.to_owned()),
        })
    }

    fn from_sql_null(_: &Type) -> Result<Self, Boxed> {
        Ok(Self::Null)
    }

    fn accepts(_: &Type) -> bool {
        true
    }
}

/// A numeric in its binary format: digit count, weight, sign and scale (16 bits each), then
/// base-10000 digits, the first of which is worth 10000^weight. Sums of integer columns come
/// back this way.
fn numeric(raw: &[u8]) -> Result<f64, Boxed> {
    let word = |i: usize| -> Result<u16, Boxed> {
        raw.get(i * 2..i * 2 + 2)
            .map(|b| u16::from_be_bytes([b[0], b[1]]))
            .ok_or_else(|| "a numeric cut short".into())
    };
    let digits = word(0)?;
    let weight = word(1)? as i16;
    let sign = word(2)?;
    if sign == 0xC000 {
        return Err("NaN where a number was expected".into());
    }
    let mut value = 0.0;
    for i in 0..usize::from(digits) {
        let exponent = i32::from(weight) - i as i32;
        value += f64::from(word(4 + i)?) * 10_000f64.powi(exponent);
    }
    Ok(if sign == 0x4000 { -value } else { value })
}

#[cfg(test)]
mod tests {
    use super::numeric;

    fn encode(digits: &[u16], weight: i16, negative: bool) -> Vec<u8> {
        let mut raw = Vec::new();
        for word in [
            digits.len() as u16,
            weight as u16,
            if negative { 0x4000 } else { 0 },
            0,
        ] {
            raw.extend_from_slice(&word.to_be_bytes());
        }
        for d in digits {
            raw.extend_from_slice(&d.to_be_bytes());
        }
        raw
    }

    #[test]
    fn numerics_read_as_the_numbers_they_are() {
        assert_eq!(numeric(&encode(&[], 0, false)).unwrap(), 0.0);
        assert_eq!(numeric(&encode(&[12, 3456], 1, false)).unwrap(), 123_456.0);
        assert_eq!(numeric(&encode(&[7], 0, true)).unwrap(), -7.0);
        assert_eq!(numeric(&encode(&[1, 5000], 0, false)).unwrap(), 1.5);
        assert!(numeric(&[0, 1]).is_err());
    }
}
