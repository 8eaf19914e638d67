//! Tiers: a new tier's form and a tier's page, where every value is
//! changed at once. The operations service checks and audits each change,
//! as it does for the command line and the API; a form it refuses comes
//! back filled in, with the reason. Running meetings keep their limits.

use askama::Template;
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use bbb::{DisabledFeatures, Feature};
use consortium::ConsortiumError;
use consortium::{TierChange, blank_tier};
use metering::money::{Cents, hundredths};
use store::Tier;

use super::super::PortalState;
use super::super::governance::Fields;
use super::super::page::{Nav, PageResult, render};
use super::tenants::refused_form;
use super::{Operator, Tab};

/// A limit of the form: its field, its label, and its value as typed.
pub struct Limit {
    pub field: &'static str,
    pub label: &'static str,
    pub value: String,
}

type ReadLimit = fn(&Tier) -> i64;

/// The tier's numbers, in the order the form shows them, with how each is
/// read from a tier; 0 is no limit.
const LIMITS: [(&str, &str, ReadLimit); 9] = [
    ("participants_per_meeting", "Participants a meeting", |t| {
        t.participants_per_meeting
    }),
    ("concurrent_meetings", "Meetings at once", |t| {
        t.concurrent_meetings
    }),
    (
        "concurrent_participants",
        "Participants at once, all meetings",
        |t| t.concurrent_participants,
    ),
    ("meeting_minutes", "Minutes a meeting", |t| {
        t.meeting_minutes
    }),
    ("webcams_per_meeting", "Webcams a meeting", |t| {
        t.webcams_per_meeting
    }),
    ("webcams_per_user", "Webcams a participant", |t| {
        t.webcams_per_user
    }),
    ("rooms_per_month", "Meeting rooms a month", |t| {
        t.rooms_per_month
    }),
    (
        "allowance_participant_minutes",
        "Fair-use allowance, participant-minutes a month",
        |t| t.allowance_participant_minutes,
    ),
    (
        "allowance_gb",
        "Fair-use allowance, GB of traffic a month",
        |t| t.allowance_gb,
    ),
];

/// What the form says: as posted, or as the tier is now.
pub struct TierForm {
    pub name: String,
    pub price: String,
    pub currency: String,
    pub limits: Vec<Limit>,
    pub recording: bool,
    /// Every feature BBB can disable, and whether this tier does.
    pub features: Vec<(&'static str, bool)>,
}

impl TierForm {
    fn of(t: &Tier) -> Self {
        Self {
            name: t.name.clone(),
            price: Cents(t.price_cents).to_string(),
            currency: t.currency.clone(),
            limits: LIMITS
                .iter()
                .map(|&(field, label, read)| Limit {
                    field,
                    label,
                    value: read(t).to_string(),
                })
                .collect(),
            recording: t.recording,
            features: Feature::ALL
                .iter()
                .map(|&f| (f.name(), t.disabled_features.contains(f)))
                .collect(),
        }
    }

    fn posted(fields: &Fields, name: &str) -> Self {
        let field = |key| fields.one(key).unwrap_or_default().trim().to_string();
        let disabled: Vec<&str> = fields.all("disabled").collect();
        Self {
            name: name.to_string(),
            price: field("price"),
            currency: field("currency"),
            limits: LIMITS
                .iter()
                .map(|&(key, label, _)| Limit {
                    field: key,
                    label,
                    value: field(key),
                })
                .collect(),
            recording: fields.one("recording").is_some(),
            features: Feature::ALL
                .iter()
                .map(|&f| (f.name(), disabled.contains(&f.name())))
                .collect(),
        }
    }

    /// The whole form as a change: a tier's page sets every value.
    fn change(&self) -> Result<TierChange, ConsortiumError> {
        let number = |label: &str, value: &str| {
            value.parse::<i64>().map_err(|_| {
                ConsortiumError::Invalid(format!("{label}: {value:?} is not a whole number"))
            })
        };
        let limit = |key: &str| {
            let l = self.limits.iter().find(|l| l.field == key);
            l.map_or(Ok(0), |l| number(l.label, &l.value))
        };
        let price = hundredths(&self.price).ok_or_else(|| {
            ConsortiumError::Invalid(format!(
                "{:?} is not a price such as 10 or 10.50",
                self.price
            ))
        })?;
        let disabled: Vec<&str> = self
            .features
            .iter()
            .filter(|(_, on)| *on)
            .map(|(name, _)| *name)
            .collect();
        let disabled_features: DisabledFeatures = disabled
            .join(",")
            .parse()
            .map_err(|e: bbb::UnknownFeature| ConsortiumError::Invalid(e.to_string()))?;
        Ok(TierChange {
            price_cents: Some(price),
            currency: Some(self.currency.clone()),
            participants_per_meeting: Some(limit("participants_per_meeting")?),
            concurrent_meetings: Some(limit("concurrent_meetings")?),
            concurrent_participants: Some(limit("concurrent_participants")?),
            meeting_minutes: Some(limit("meeting_minutes")?),
            webcams_per_meeting: Some(limit("webcams_per_meeting")?),
            webcams_per_user: Some(limit("webcams_per_user")?),
            recording: Some(self.recording),
            rooms_per_month: Some(limit("rooms_per_month")?),
            disabled_features: Some(disabled_features),
            allowance_participant_minutes: Some(limit("allowance_participant_minutes")?),
            allowance_gb: Some(limit("allowance_gb")?),
        })
    }
}

#[derive(Template)]
#[template(path = "portal/operator/tier.html")]
struct TierPage {
    nav: Option<Nav>,
    tabs: Vec<(&'static str, &'static str, bool)>,
    /// `None`: the form makes a new tier.
    existing: Option<String>,
    form: TierForm,
    notice: Option<String>,
    error: Option<String>,
    csrf: String,
}

fn page(op: &Operator, existing: Option<String>, form: TierForm, said: Said) -> PageResult {
    let status = said.status;
    Ok(render(
        status,
        &TierPage {
            nav: op.nav(),
            tabs: Tab::Tenants.links(),
            existing,
            form,
            notice: said.notice,
            error: said.error,
            csrf: op.csrf(),
        },
    ))
}

/// What the page says above its form, with the answer's status.
struct Said {
    status: StatusCode,
    notice: Option<String>,
    error: Option<String>,
}

impl Said {
    fn nothing() -> Self {
        Self {
            status: StatusCode::OK,
            notice: None,
            error: None,
        }
    }

    fn done(status: StatusCode, notice: String) -> Self {
        Self {
            status,
            notice: Some(notice),
            error: None,
        }
    }

    /// A refusal for what the form says comes back with the form, as a
    /// tenant's does; anything else is an error page.
    fn refused(e: ConsortiumError) -> PageResult<Self> {
        let p = refused_form(e)?;
        Ok(Self {
            status: p.status,
            notice: None,
            error: Some(p.detail),
        })
    }
}

fn blank_form() -> TierForm {
    let mut form = TierForm::of(&blank_tier(""));
    form.price = String::new();
    form
}

pub async fn new_form(op: Operator) -> PageResult {
    page(&op, None, blank_form(), Said::nothing())
}

pub async fn create(State(state): State<PortalState>, op: Operator, body: Bytes) -> PageResult {
    let fields = Fields::parse(&body);
    op.viewer.check_csrf(fields.one("csrf"))?;
    let name = fields.one("name").unwrap_or_default().trim().to_string();
    let form = TierForm::posted(&fields, &name);
    let made = match form.change() {
        Ok(change) => {
            state
                .api
                .consortium
                .create_tier(&op.actor, &name, change, (state.api.clock)())
                .await
        }
        Err(e) => Err(e),
    };
    match made {
        Ok(tier) => page(
            &op,
            Some(tier.name.clone()),
            TierForm::of(&tier),
            Said::done(
                StatusCode::CREATED,
                format!("Tier {} is made; tenants can be moved to it.", tier.name),
            ),
        ),
        Err(e) => page(&op, None, form, Said::refused(e)?),
    }
}

pub async fn show(
    State(state): State<PortalState>,
    op: Operator,
    Path(name): Path<String>,
) -> PageResult {
    let tier = state.api.consortium.tier(&op.actor, &name).await?;
    page(
        &op,
        Some(tier.name.clone()),
        TierForm::of(&tier),
        Said::nothing(),
    )
}

pub async fn change(
    State(state): State<PortalState>,
    op: Operator,
    Path(name): Path<String>,
    body: Bytes,
) -> PageResult {
    let fields = Fields::parse(&body);
    op.viewer.check_csrf(fields.one("csrf"))?;
    let consortium = &state.api.consortium;
    consortium.tier(&op.actor, &name).await?;
    let form = TierForm::posted(&fields, &name);
    let changed = match form.change() {
        Ok(change) => {
            consortium
                .set_tier(&op.actor, &name, change, (state.api.clock)())
                .await
        }
        Err(e) => Err(e),
    };
    match changed {
        Ok(tier) => page(
            &op,
            Some(name),
            TierForm::of(&tier),
            Said::done(
                StatusCode::OK,
                format!(
                    "Tier {} is changed: new meetings get these limits, running ones keep theirs.",
                    tier.name
                ),
            ),
        ),
        Err(e) => page(&op, Some(name), form, Said::refused(e)?),
    }
}
