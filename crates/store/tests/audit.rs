//! The audit log, told on SQLite and on PostgreSQL: audited changes append
//! one chained entry each, failed changes append nothing, and a row altered
//! behind the application's back is found.

use store::{Act, GENESIS, NewTenant, Store, StoreError};

/// Runs the story on both backends, with the URL so a test can reach the
/// database directly, as an intruder would.
async fn on_both_backends<F, Fut>(story: F)
where
    F: Fn(Store, String) -> Fut,
    Fut: std::future::Future<Output = ()>,
{
    let story = &story;
    testkit::on_both_backends("audit", move |url| async move {
        story(Store::open(&url).await.expect("store opens"), url).await
    })
    .await;
}

fn act(at_ms: i64) -> Act {
    Act::new("operator:ada", at_ms)
}

async fn three_changes(s: &Store) {
    s.add_organisation("acme", "ACME Housing Co-op", &act(1))
        .await
        .unwrap();
    let new = NewTenant {
        name: "acme-gl",
        host: None,
        pool: None,
        secret: "very-secret",
    };
    s.create_tenant(new, &act(2)).await.unwrap();
    s.set_tenant_tier("acme-gl", Some("level1"), &act(3))
        .await
        .unwrap();
}

async fn tamper(url: &str, sql: &str) {
    sqlx::any::install_default_drivers();
    let pool = sqlx::AnyPool::connect(url).await.unwrap();
    sqlx::query(sqlx::AssertSqlSafe(sql.to_string()))
        .execute(&pool)
        .await
        .unwrap();
    pool.close().await;
}

#[tokio::test]
async fn a_fresh_log_is_empty_and_intact() {
    on_both_backends(|s, _| async move {
        let v = s.verify_audit().await.unwrap();
        assert_eq!((v.entries, v.head.as_str(), v.broken), (0, GENESIS, None));
    })
    .await;
}

#[tokio::test]
async fn each_change_appends_one_entry_chained_to_the_last() {
    on_both_backends(|s, _| async move {
        three_changes(&s).await;
        let entries = s.audit_entries(None, 0, 100).await.unwrap();
        let kinds: Vec<_> = entries.iter().map(|e| e.kind.as_str()).collect();
        assert_eq!(kinds, ["org.add", "tenant.create", "tenant.tier"]);
        assert_eq!(entries[0].prev_hash, GENESIS);
        assert_eq!(entries[1].prev_hash, entries[0].hash);
        assert_eq!(entries[2].subject, "tenant:acme-gl");
        assert_eq!(entries[1].actor, "operator:ada");
        let v = s.verify_audit().await.unwrap();
        assert_eq!((v.entries, v.broken), (3, None));
        assert_eq!(s.audit_head().await.unwrap(), (3, entries[2].hash.clone()));
    })
    .await;
}

#[tokio::test]
async fn secrets_appear_in_the_log_only_as_fingerprints() {
    on_both_backends(|s, _| async move {
        three_changes(&s).await;
        let entries = s
            .audit_entries(Some("tenant:acme-gl"), 0, 100)
            .await
            .unwrap();
        assert!(entries.iter().all(|e| !e.detail.contains("very-secret")));
        assert!(
            entries[0]
                .detail
                .contains(&store::fingerprint("very-secret"))
        );
    })
    .await;
}

#[tokio::test]
async fn a_refused_change_appends_nothing() {
    on_both_backends(|s, _| async move {
        three_changes(&s).await;
        let again = s.add_organisation("acme", "Again", &act(4)).await;
        assert!(matches!(again, Err(StoreError::Conflict(_))));
        let missing = s.set_tenant_enabled("nobody", false, &act(5)).await;
        assert!(matches!(missing, Err(StoreError::NotFound(_))));
        assert_eq!(s.audit_head().await.unwrap().0, 3);
        assert_eq!(s.verify_audit().await.unwrap().broken, None);
    })
    .await;
}

#[tokio::test]
async fn an_altered_row_is_named_by_its_sequence_number() {
    on_both_backends(|s, url| async move {
        three_changes(&s).await;
        tamper(
            &url,
            "UPDATE audit_log SET actor = 'operator:mallory' WHERE seq = 2",
        )
        .await;
        let broken = s.verify_audit().await.unwrap().broken.expect("broken");
        assert_eq!(broken.seq, 2);
        assert!(broken.reason.contains("altered"), "{}", broken.reason);
    })
    .await;
}

#[tokio::test]
async fn a_deleted_last_entry_is_caught_by_the_head() {
    on_both_backends(|s, url| async move {
        three_changes(&s).await;
        tamper(&url, "DELETE FROM audit_log WHERE seq = 3").await;
        let broken = s.verify_audit().await.unwrap().broken.expect("broken");
        assert_eq!(broken.seq, 3);
    })
    .await;
}

#[tokio::test]
async fn concurrent_writers_still_form_one_chain() {
    on_both_backends(|s, _| async move {
        let writes = (0..12).map(|i| {
            let s = s.clone();
            async move {
                s.add_organisation(&format!("org{i}"), "Co-op", &act(i))
                    .await
                    .unwrap();
            }
        });
        futures::future::join_all(writes).await;
        let v = s.verify_audit().await.unwrap();
        assert_eq!((v.entries, v.broken), (12, None));
    })
    .await;
}

#[tokio::test]
async fn a_tail_cut_with_its_head_row_is_caught_only_against_a_published_head() {
    on_both_backends(|s, url| async move {
        three_changes(&s).await;
        let (_, published) = s.audit_head().await.unwrap();
        assert_eq!(
            s.verify_audit_against(&published).await.unwrap().broken,
            None
        );
        assert_eq!(s.verify_audit_against(GENESIS).await.unwrap().broken, None);
        tamper(&url, "DELETE FROM audit_log WHERE seq = 3").await;
        tamper(
            &url,
            "UPDATE audit_head SET seq = 2, hash = (SELECT hash FROM audit_log WHERE seq = 2)",
        )
        .await;
        assert_eq!(
            s.verify_audit().await.unwrap().broken,
            None,
            "the chain alone holds"
        );
        let broken = s
            .verify_audit_against(&published)
            .await
            .unwrap()
            .broken
            .expect("broken");
        assert_eq!(broken.seq, 3);
        assert!(
            broken.reason.contains("is not in the log"),
            "{}",
            broken.reason
        );
    })
    .await;
}

#[tokio::test]
async fn closing_a_period_stores_the_head_after_its_entry() {
    on_both_backends(|s, _| async move {
        three_changes(&s).await;
        let closed = s.close_statement("2026-11", "{}", &act(4)).await.unwrap();
        let entries = s.audit_entries(None, 3, 10).await.unwrap();
        assert_eq!(entries.len(), 1);
        assert_eq!(entries[0].kind, "bill.close");
        assert_eq!(closed.audit_head.as_deref(), Some(entries[0].hash.as_str()));
        assert_eq!(
            s.statement("2026-11").await.unwrap().unwrap().audit_head,
            closed.audit_head
        );
    })
    .await;
}
