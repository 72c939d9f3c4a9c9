//! Request bodies read strictly: only once the caller is known, within
//! [`BODY_TIMEOUT`] and [`MAX_BODY_BYTES`]; malformed JSON or a wrong type is a 400 that
//! names the field, not axum's generic rejection.

use super::connection::BODY_TIMEOUT;
use super::error::ApiError;
use axum::body::{Body, Bytes};
use serde::de::DeserializeOwned;

/// Largest request body accepted; larger ones are answered 413.
pub const MAX_BODY_BYTES: usize = 64 * 1024;

/// Reads a request's body whole: 413 past [`MAX_BODY_BYTES`], 408 when it does not arrive
/// within [`BODY_TIMEOUT`].
pub async fn read_body(body: Body) -> Result<Bytes, ApiError> {
    match tokio::time::timeout(BODY_TIMEOUT, axum::body::to_bytes(body, MAX_BODY_BYTES)).await {
        Err(_) => Err(ApiError::RequestTimeout),
        Ok(Ok(bytes)) => Ok(bytes),
        Ok(Err(e)) => {
            let too_large = std::error::Error::source(&e)
                .is_some_and(|cause| cause.is::<http_body_util::LengthLimitError>());
            if too_large {
                Err(ApiError::PayloadTooLarge)
            } else {
                Err(ApiError::BadRequest(
                    format!("the body could not be read: {e}"),
                    Vec::new(),
                ))
            }
        }
    }
}

/// Parses `body` as `T`, naming the field at fault.
pub fn parse_json<T: DeserializeOwned>(body: &Bytes) -> Result<T, ApiError> {
    if body.is_empty() {
        return Err(ApiError::BadRequest(
            "the request needs a JSON body".to_owned(),
            Vec::new(),
        ));
    }
    // Every body is a JSON object: serde would also read a struct from an array
    // (`[null, null]`), which the document does not allow.
    if body.iter().find(|b| !b.is_ascii_whitespace()) != Some(&b'{') {
        return Err(ApiError::BadRequest(
            "the body is not the expected JSON: expected an object".to_owned(),
            Vec::new(),
        ));
    }
    let mut deserializer = serde_json::Deserializer::from_slice(body);
    let value = serde_path_to_error::deserialize(&mut deserializer).map_err(|e| {
        let path = e.path().to_string();
        let inner = e.into_inner();
        if path == "." || path.is_empty() {
            ApiError::BadRequest(
                format!("the body is not the expected JSON: {inner}"),
                Vec::new(),
            )
        } else {
            ApiError::field(&path, inner.to_string())
        }
    })?;
    deserializer.end().map_err(|e| {
        ApiError::BadRequest(
            format!("trailing data after the JSON body: {e}"),
            Vec::new(),
        )
    })?;
    Ok(value)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::api::types::CheckinRequest;

    #[test]
    fn a_wrong_type_names_its_field() {
        let body = Bytes::from_static(
            br#"{"hostname": "a", "address": "10.0.0.1", "cores": "eight", "memory_mb": 1}"#,
        );
        match parse_json::<CheckinRequest>(&body) {
            Err(ApiError::BadRequest(_, fields)) => assert_eq!(fields[0].field, "cores"),
            other => panic!("{other:?}"),
        }
        let missing = Bytes::from_static(br#"{"hostname": "a"}"#);
        assert!(matches!(
            parse_json::<CheckinRequest>(&missing),
            Err(ApiError::BadRequest(..))
        ));
        let array = Bytes::from_static(b"[null, null]");
        assert!(matches!(
            parse_json::<crate::api::types::HeartbeatRequest>(&array),
            Err(ApiError::BadRequest(..))
        ));
        let broken = Bytes::from_static(b"{not json");
        assert!(matches!(
            parse_json::<CheckinRequest>(&broken),
            Err(ApiError::BadRequest(..))
        ));
    }
}
