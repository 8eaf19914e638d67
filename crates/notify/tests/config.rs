//! SMTP settings: how they deserialise, what validation refuses, and what
//! Debug output hides.

use notify::{ConfigError, Mailer, Password, Security, SmtpConfig};
use serde_json::json;

fn config() -> SmtpConfig {
    SmtpConfig::new("smtp.coop.example", "Plenary <noreply@coop.example>")
}

#[test]
fn the_password_is_not_in_debug_output() {
    let config = SmtpConfig {
        username: Some("plenary".into()),
        password: Some(Password::new("hunter2-secret")),
        ..config()
    };
    let debug = format!("{config:?} {config:#?}");
    assert!(!debug.contains("hunter2-secret"), "{debug}");
    assert!(debug.contains("plenary"), "{debug}");
}

#[test]
fn it_deserialises_with_defaults_for_what_is_left_out() {
    let config: SmtpConfig = serde_json::from_value(json!({
        "host": "smtp.coop.example",
        "from": "Plenary <noreply@coop.example>",
    }))
    .unwrap();
    assert_eq!(config, self::config());
    assert_eq!(config.security, Security::Starttls);
    assert_eq!(config.timeout_secs, 30.0);
}

#[test]
fn it_deserialises_every_field() {
    let config: SmtpConfig = serde_json::from_value(json!({
        "host": "smtp.coop.example",
        "port": 465,
        "security": "tls",
        "username": "plenary",
        "password": "s3cret",
        "from": "Plenary <noreply@coop.example>",
        "timeout_secs": 5.5,
    }))
    .unwrap();
    assert_eq!(config.port, Some(465));
    assert_eq!(config.security, Security::Tls);
    assert_eq!(
        config.password.as_ref().map(Password::expose),
        Some("s3cret")
    );
    assert_eq!(config.timeout_secs, 5.5);
}

#[test]
fn an_unknown_field_is_refused() {
    let err = serde_json::from_value::<SmtpConfig>(json!({
        "host": "smtp.coop.example",
        "from": "noreply@coop.example",
        "pasword": "typo",
    }))
    .unwrap_err();
    assert!(err.to_string().contains("pasword"), "{err}");
}

#[test]
fn a_bad_from_address_is_refused_naming_it() {
    let err = SmtpConfig {
        from: "Plenary noreply at coop.example".into(),
        ..config()
    }
    .validate()
    .unwrap_err();
    assert!(matches!(err, ConfigError::From { .. }), "{err}");
    assert!(
        err.to_string()
            .contains("\"Plenary noreply at coop.example\""),
        "{err}"
    );
}

#[test]
fn port_zero_is_refused() {
    let err = SmtpConfig {
        port: Some(0),
        ..config()
    }
    .validate()
    .unwrap_err();
    assert!(matches!(err, ConfigError::PortZero), "{err}");
}

#[test]
fn an_empty_host_is_refused() {
    let err = SmtpConfig {
        host: " ".into(),
        ..config()
    }
    .validate()
    .unwrap_err();
    assert!(matches!(err, ConfigError::Host(_)), "{err}");
}

#[test]
fn a_timeout_that_is_not_a_positive_duration_is_refused() {
    for timeout_secs in [0.0, -1.0, f64::NAN, f64::INFINITY, 1e30] {
        let err = SmtpConfig {
            timeout_secs,
            ..config()
        }
        .validate()
        .unwrap_err();
        assert!(
            matches!(err, ConfigError::Timeout(_)),
            "{timeout_secs}: {err}"
        );
    }
}

#[test]
fn a_username_and_a_password_go_together() {
    let user_only = SmtpConfig {
        username: Some("plenary".into()),
        ..config()
    };
    assert!(matches!(
        user_only.validate(),
        Err(ConfigError::UsernameWithoutPassword)
    ));
    let password_only = SmtpConfig {
        password: Some(Password::new("s3cret")),
        ..config()
    };
    assert!(matches!(
        password_only.validate(),
        Err(ConfigError::PasswordWithoutUsername)
    ));
}

#[test]
fn a_password_over_an_unencrypted_connection_is_refused() {
    let err = SmtpConfig {
        security: Security::None,
        username: Some("plenary".into()),
        password: Some(Password::new("s3cret")),
        ..config()
    }
    .validate()
    .unwrap_err();
    assert!(matches!(err, ConfigError::PasswordInClear), "{err}");
}

#[test]
fn the_port_defaults_to_the_usual_one_for_the_security() {
    assert_eq!(Security::None.default_port(), 25);
    assert_eq!(Security::Starttls.default_port(), 587);
    assert_eq!(Security::Tls.default_port(), 465);
}

#[test]
fn a_mailer_is_built_for_starttls_and_for_tls_with_credentials() {
    for security in [Security::Starttls, Security::Tls] {
        let config = SmtpConfig {
            security,
            username: Some("plenary".into()),
            password: Some(Password::new("s3cret")),
            ..config()
        };
        if let Err(e) = Mailer::new(&config) {
            panic!("{security:?}: {e}");
        }
    }
}
