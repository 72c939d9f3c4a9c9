//! A local stand-in for Google's OAuth token endpoint on 127.0.0.1: it verifies the
//! service account's JWT as Google does (RS256 signature with the key's public half, issuer,
//! audience, scope, a lifetime of at most an hour, issued within 5 minutes) and hands out
//! access tokens. Also: the service-account key file the tests use, pointing at it.
#![allow(dead_code)]

use aws_lc_rs::signature::{KeyPair, RSA_PKCS1_2048_8192_SHA256, RsaKeyPair, UnparsedPublicKey};
use axum::body::Bytes;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use serde_json::{Value, json};
use std::sync::{Arc, Mutex};

pub const EMAIL: &str = "pooladmin@pooladmin-tests.iam.gserviceaccount.com";

/// The service account's key (PKCS#8 PEM, as Google issues them).
pub fn key_pem() -> String {
    std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/fixtures/oci_test_key_pkcs8.pem"
    ))
    .unwrap()
}

#[derive(Default)]
pub struct World {
    pub public_key: Vec<u8>,
    pub token_uri: String,
    pub issued: u32,
    pub refused: Vec<String>,
}

pub struct FakeGoogleToken {
    pub token_uri: String,
    pub world: Arc<Mutex<World>>,
}

impl FakeGoogleToken {
    pub async fn start() -> Self {
        let der = pem::parse(key_pem()).unwrap();
        let key = RsaKeyPair::from_pkcs8(der.contents()).unwrap();
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let token_uri = format!("http://{}/token", listener.local_addr().unwrap());
        let world = Arc::new(Mutex::new(World {
            public_key: key.public_key().as_ref().to_vec(),
            token_uri: token_uri.clone(),
            ..World::default()
        }));
        let app = axum::Router::new()
            .route("/token", axum::routing::post(token))
            .with_state(Arc::clone(&world));
        tokio::spawn(async move { axum::serve(listener, app).await });
        Self { token_uri, world }
    }

    /// The key file's JSON, signing with `key` (PEM).
    pub fn key_file(&self, key: &str) -> String {
        json!({
            "type": "service_account",
            "project_id": "pooladmin-tests",
            "private_key_id": "0123456789abcdef",
            "private_key": key,
            "client_email": EMAIL,
            "client_id": "100000000000000000001",
            "token_uri": self.token_uri,
        })
        .to_string()
    }

    pub fn world(&self) -> std::sync::MutexGuard<'_, World> {
        self.world.lock().unwrap()
    }
}

fn check(w: &World, form: &str) -> Result<(), String> {
    let field = |name: &str| {
        form.split('&')
            .filter_map(|p| p.split_once('='))
            .find(|(k, _)| *k == name)
            .map(|(_, v)| v.replace("%3A", ":"))
    };
    if field("grant_type").as_deref() != Some("urn:ietf:params:oauth:grant-type:jwt-bearer") {
        return Err("grant_type".into());
    }
    let jwt = field("assertion").ok_or("no assertion")?;
    let parts: Vec<&str> = jwt.split('.').collect();
    let [header, claims, signature] = parts[..] else {
        return Err("not a JWT".into());
    };
    let decode = |part: &str| -> Result<Value, String> {
        let bytes = URL_SAFE_NO_PAD.decode(part).map_err(|e| e.to_string())?;
        serde_json::from_slice(&bytes).map_err(|e| e.to_string())
    };
    if decode(header)?["alg"] != "RS256" {
        return Err("alg".into());
    }
    let claims = decode(claims)?;
    let signature = URL_SAFE_NO_PAD
        .decode(signature)
        .map_err(|e| e.to_string())?;
    UnparsedPublicKey::new(&RSA_PKCS1_2048_8192_SHA256, &w.public_key)
        .verify(format!("{header}.{}", parts[1]).as_bytes(), &signature)
        .map_err(|_| "Invalid JWT Signature.".to_owned())?;
    let now = jiff::Timestamp::now().as_second();
    let iat = claims["iat"].as_i64().ok_or("iat")?;
    let exp = claims["exp"].as_i64().ok_or("exp")?;
    if claims["iss"] != EMAIL
        || claims["aud"] != w.token_uri.as_str()
        || !claims["scope"]
            .as_str()
            .is_some_and(|s| s.contains("cloud-platform"))
        || (now - iat).abs() > 300
        || exp - iat > 3600
    {
        return Err(format!("bad claims {claims}"));
    }
    Ok(())
}

async fn token(State(world): State<Arc<Mutex<World>>>, body: Bytes) -> Response {
    let mut w = world.lock().unwrap();
    match check(&w, &String::from_utf8_lossy(&body)) {
        Ok(()) => {
            w.issued += 1;
            axum::Json(json!({
                "access_token": format!("ya29.fake-{}", w.issued),
                "expires_in": 3599,
                "token_type": "Bearer",
            }))
            .into_response()
        }
        Err(why) => {
            w.refused.push(why.clone());
            (
                StatusCode::BAD_REQUEST,
                axum::Json(json!({ "error": "invalid_grant", "error_description": why })),
            )
                .into_response()
        }
    }
}
