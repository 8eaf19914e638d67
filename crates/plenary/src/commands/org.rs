//! `plenary org …`: the organisations that own tenants, and the register of
//! the consortium's members.

use anyhow::bail;
use consortium::register::check_handle;
use consortium::{Consortium, NewMember, NewOrganisation, Owner, RegisterChange};
use governance::membership::OrgKind;
use serde_json::json;
use store::Organisation;

use super::{actor, now_ms, or_dash, print_json, table, timestamp};
use crate::cli::{OrgCommand, RegisterArgs};

pub async fn run(c: &Consortium, command: OrgCommand) -> anyhow::Result<()> {
    let store = c.store();
    match command {
        OrgCommand::Add {
            name,
            legal_name,
            register,
            member,
        } => {
            let actor = actor(c).await?;
            if member {
                let org = c
                    .register_founder(&actor, &new_member(&name, legal_name, &register), now_ms())
                    .await?;
                println!(
                    "Organisation {} ({}) registered as a {} member with vote weight {}.",
                    org.name,
                    org.legal_name,
                    org.member_class.as_deref().unwrap_or("-"),
                    org.weight
                );
            } else if register.class.is_some() || register.federation || register.weight.is_some() {
                bail!(
                    "--class, --federation and --weight describe a member: add --member for a founding member, or use `plenary org apply`"
                );
            } else {
                let new = NewOrganisation {
                    name,
                    legal_name,
                    legal_form: register.legal_form,
                    contact: register.contact,
                };
                let org = c.add_organisation(&actor, &new, now_ms()).await?;
                println!("Organisation {} ({}) registered.", org.name, org.legal_name);
            }
        }
        OrgCommand::Apply {
            name,
            legal_name,
            register,
            statement,
        } => {
            check_handle(&name, "organisation", "--legal-name")?;
            let id = c
                .by(&actor(c).await?, now_ms())
                .apply(&new_member(&name, legal_name, &register), &statement)
                .await?;
            let view = c.view(id).await?;
            println!(
                "{name} applied. Proposal {id} to admit it is open until {}.",
                view.closes_at_ms.map_or_else(String::new, timestamp)
            );
        }
        OrgCommand::List(out) => {
            let actor = actor(c).await?;
            let by = c.by(&actor, now_ms());
            let orgs = by.organisations().await?;
            let tenants = store.tenants().await?;
            // An organisation's tenants are its own business.
            let count = |o: &Organisation| {
                actor
                    .sees(Owner::Organisation(&o.name))
                    .then(|| tenants.iter().filter(|t| t.org_id == Some(o.id)).count())
            };
            if out.json {
                print_json(&json!(
                    orgs.iter()
                        .map(|o| {
                            let mut v = register_json(o, by.sees_people_of(&o.name));
                            v["tenants"] = json!(count(o));
                            v
                        })
                        .collect::<Vec<_>>()
                ));
            } else {
                let rows: Vec<Vec<String>> = orgs
                    .iter()
                    .map(|o| {
                        vec![
                            o.name.clone(),
                            o.legal_name.clone(),
                            o.legal_form.clone().unwrap_or_else(|| "-".into()),
                            o.status.to_string(),
                            o.member_class.clone().unwrap_or_else(|| "-".into()),
                            o.weight.to_string(),
                            count(o).map_or_else(|| "-".into(), |n| n.to_string()),
                        ]
                    })
                    .collect();
                print!(
                    "{}",
                    table(
                        &[
                            "NAME",
                            "LEGAL NAME",
                            "LEGAL FORM",
                            "STATUS",
                            "CLASS",
                            "WEIGHT",
                            "TENANTS"
                        ],
                        &rows
                    )
                );
            }
        }
        OrgCommand::Show { name, output } => {
            let actor = actor(c).await?;
            let by = c.by(&actor, now_ms());
            let org = by.organisation(&name).await?;
            let private = by.sees_people_of(&org.name);
            let tenants: Vec<String> = if actor.sees(Owner::Organisation(&org.name)) {
                store
                    .tenants()
                    .await?
                    .into_iter()
                    .filter(|t| t.org_id == Some(org.id))
                    .map(|t| t.name)
                    .collect()
            } else {
                Vec::new()
            };
            let people = store.representatives(org.id).await?;
            let history = store.membership_history(org.id).await?;
            let accepted = store.acceptances(org.id).await?;
            let given = c.contributions(Some(&org.name)).await?;
            if output.json {
                let mut v = register_json(&org, private);
                v["tenants"] = json!(tenants);
                v["created_at_ms"] = json!(org.created_at);
                v["representatives"] = json!(people
                    .iter()
                    .map(|r| json!({"person": r.person.name, "role": r.role, "email": private.then_some(&r.person.email)}))
                    .collect::<Vec<_>>());
                v["history"] = json!(history
                    .iter()
                    .map(|e| json!({"at_ms": e.at_ms, "status": e.status, "effective_at_ms": e.effective_at, "note": e.note}))
                    .collect::<Vec<_>>());
                v["accepted"] = json!(accepted
                    .iter()
                    .map(|(doc, version, at)| json!({"document": doc, "version": version, "at_ms": at}))
                    .collect::<Vec<_>>());
                v["contributions"] = json!(given
                    .iter()
                    .map(|g| json!({"kind": g.contribution.kind, "amount": g.contribution.amount_text(), "day": g.contribution.day, "note": g.contribution.note, "recorded_by": g.recorded_by, "recorded_at_ms": g.recorded_at}))
                    .collect::<Vec<_>>());
                print_json(&v);
            } else {
                println!("Organisation {}", org.name);
                println!("  legal name:   {}", org.legal_name);
                println!(
                    "  legal form:   {}",
                    org.legal_form.as_deref().unwrap_or("-")
                );
                println!("  kind:         {}", org.kind);
                println!("  status:       {}", org.status);
                println!(
                    "  class:        {}",
                    org.member_class.clone().unwrap_or_else(|| "-".into())
                );
                println!("  vote weight:  {}", org.weight);
                if private {
                    println!("  contact:      {}", or_dash(org.contact.clone()));
                }
                println!("  tenants:      {}", or_dash(tenants.join(", ")));
                let people: Vec<String> = people
                    .iter()
                    .map(|r| format!("{} ({})", r.person.name, r.role))
                    .collect();
                println!("  people:       {}", or_dash(people.join(", ")));
                for e in &history {
                    println!(
                        "  {}  {} (effective {}): {}",
                        timestamp(e.at_ms),
                        e.status,
                        timestamp(e.effective_at),
                        e.note
                    );
                }
                for (doc, version, at) in &accepted {
                    println!("  accepted {doc} v{version} on {}", timestamp(*at));
                }
                for g in &given {
                    let c = &g.contribution;
                    println!(
                        "  contributed {} {} on {}: {}",
                        c.amount_text(),
                        c.kind,
                        c.day,
                        c.note
                    );
                }
            }
        }
        OrgCommand::Set {
            name,
            legal_name,
            legal_form,
            class,
            weight,
            contact,
        } => {
            let change = RegisterChange {
                legal_name,
                legal_form,
                contact,
                class,
                weight,
            };
            c.change_register(&actor(c).await?, &name, &change, now_ms())
                .await?;
            println!("Organisation {name} updated.");
        }
        OrgCommand::Notice { name } => {
            let status = c.by(&actor(c).await?, now_ms()).give_notice(&name).await?;
            if let governance::membership::Status::Leaving { leaves_at, .. } = status {
                println!(
                    "{name} has given notice and leaves on {}; it votes until then.",
                    timestamp(leaves_at)
                );
            }
        }
        OrgCommand::Contribute {
            name,
            kind,
            amount,
            day,
            note,
        } => {
            let offered = consortium::Offered {
                kind: &kind,
                amount: &amount,
                day: &day,
                note: &note,
            };
            let given = c
                .by(&actor(c).await?, now_ms())
                .contribute(&name, &offered)
                .await?;
            println!(
                "Recorded: {name} contributed {} {} on {}.",
                given.contribution.amount_text(),
                given.contribution.kind,
                given.contribution.day
            );
        }
        OrgCommand::Calendar { name } => print!("{}", c.calendar(&name).await?),
        OrgCommand::Represent { org, person, role } => {
            let role = consortium::Role::from(role);
            c.by(&actor(c).await?, now_ms())
                .assign_role(&org, &person, role)
                .await?;
            println!("{person} is now {role} of {org}.");
        }
    }
    Ok(())
}

fn new_member(name: &str, legal_name: Option<String>, r: &RegisterArgs) -> NewMember {
    NewMember {
        name: name.to_string(),
        legal_name,
        legal_form: r.legal_form,
        kind: if r.federation {
            OrgKind::Federation
        } else if r.individual {
            OrgKind::Individual
        } else {
            OrgKind::Organisation
        },
        class: r.class.clone().unwrap_or_else(|| "consumer".into()),
        weight: r.weight,
        contact: r.contact.clone(),
    }
}

/// An organisation's register entry; its contact only when `private`.
fn register_json(o: &Organisation, private: bool) -> serde_json::Value {
    json!({
        "name": o.name,
        "legal_name": o.legal_name,
        "legal_form": o.legal_form,
        "kind": o.kind,
        "status": o.status,
        "class": o.member_class,
        "weight": o.weight,
        "contact": private.then_some(&o.contact),
    })
}
