use forum::{ConfigError, Discourse, DiscourseConfig};

fn config() -> DiscourseConfig {
    DiscourseConfig {
        base_url: "https://forum.example.coop/".parse().unwrap(),
        api_key: "key-that-must-not-leak".into(),
        api_username: "plenary".into(),
        category_id: 3,
        webhook_secret: Some("secret-that-must-not-leak".into()),
        instance: None,
    }
}

#[test]
fn debug_of_the_config_hides_the_key_and_the_secret() {
    let shown = format!("{:?}", config());
    assert!(!shown.contains("must-not-leak"), "{shown}");
    assert!(shown.contains("[redacted]") && shown.contains("plenary"));
}

#[test]
fn debug_of_the_client_hides_the_key() {
    let shown = format!("{:?}", Discourse::new(&config()).unwrap());
    assert!(!shown.contains("must-not-leak"), "{shown}");
}

#[test]
fn a_forum_address_must_be_http() {
    let config = DiscourseConfig {
        base_url: "mailto:forum@example.coop".parse().unwrap(),
        ..config()
    };
    assert!(matches!(
        Discourse::new(&config),
        Err(ConfigError::NotHttp(_))
    ));
}
