//! Lead scoring (线索评分) with a transparent model: naive Bayes over the lead's source,
//! industry, region, size and how many activities it has had, trained on the company's own
//! history — leads whose opportunity was won against leads lost (or whose opportunity was lost).
//! Every score comes with its factors: how much each of the lead's values raised or lowered the
//! odds, so a salesperson can see why. Retrained on demand and, by the background worker, once a
//! day.
//!
//! Scores are probabilities, not money: computed in floating point and shown as percentages.

use std::collections::BTreeMap;

use kernel::db::Tx;
use kernel::{Ctx, Error, Result, audit};
use serde::{Deserialize, Serialize};

use crate::lead::LeadId;
use crate::permissions::{READ, WRITE};

/// The features, in the order factors are shown.
pub const FEATURES: [&str; 5] = ["source", "industry", "region", "size", "activities"];

/// Counts per feature value: (won, lost).
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
pub struct Model {
    pub won: i64,
    pub lost: i64,
    pub counts: BTreeMap<String, BTreeMap<String, (i64, i64)>>,
}

/// A lead's values for the features.
pub type Features = [String; 5];

/// The activity count as a band, so "many calls" generalises.
pub fn activity_band(n: i64) -> String {
    match n {
        0 => "0",
        1..=2 => "1-2",
        3..=5 => "3-5",
        _ => "6+",
    }
    .into()
}

#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct Factor {
    pub feature: String,
    pub value: String,
    /// The change in log-odds this value brings (positive raises the score).
    pub weight: f64,
}

#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct Score {
    pub lead_id: String,
    /// Percent, one decimal.
    pub probability: String,
    /// The base rate of the company's history, in log-odds.
    pub prior: f64,
    /// Strongest first.
    pub factors: Vec<Factor>,
}

impl Model {
    pub fn learn(&mut self, features: &Features, won: bool) {
        if won {
            self.won += 1;
        } else {
            self.lost += 1;
        }
        for (name, value) in FEATURES.iter().zip(features) {
            let entry = self.counts.entry(name.to_string()).or_default().entry(value.clone()).or_default();
            if won {
                entry.0 += 1;
            } else {
                entry.1 += 1;
            }
        }
    }

    /// Log-odds of winning before any feature (add-one smoothed).
    pub fn prior(&self) -> f64 {
        ((self.won as f64 + 1.0) / (self.lost as f64 + 1.0)).ln()
    }

    /// How much `value` of `feature` moves the log-odds: ln P(value | won) − ln P(value | lost),
    /// add-one smoothed over the values seen (plus one for values never seen).
    pub fn weight(&self, feature: &str, value: &str) -> f64 {
        let values = self.counts.get(feature);
        let distinct = values.map(|v| v.len()).unwrap_or(0) as f64 + 1.0;
        let (w, l) = values.and_then(|v| v.get(value)).copied().unwrap_or((0, 0));
        let p_won = (w as f64 + 1.0) / (self.won as f64 + distinct);
        let p_lost = (l as f64 + 1.0) / (self.lost as f64 + distinct);
        (p_won / p_lost).ln()
    }

    pub fn score(&self, lead_id: &str, features: &Features) -> Score {
        let prior = self.prior();
        let mut factors: Vec<Factor> = FEATURES
            .iter()
            .zip(features)
            .map(|(name, value)| Factor {
                feature: name.to_string(),
                value: value.clone(),
                weight: (self.weight(name, value) * 100.0).round() / 100.0,
            })
            .collect();
        let odds = prior + FEATURES.iter().zip(features).map(|(n, v)| self.weight(n, v)).sum::<f64>();
        let probability = 1.0 / (1.0 + (-odds).exp());
        factors.sort_by(|a, b| b.weight.abs().total_cmp(&a.weight.abs()));
        Score {
            lead_id: lead_id.to_string(),
            probability: format!("{:.1}", probability * 100.0),
            prior: (prior * 100.0).round() / 100.0,
            factors,
        }
    }
}

/// Every lead's features and, for the labelled ones, whether it was won: one grouped read.
fn leads_with_features(tx: &mut Tx<'_>, ctx: &Ctx, only: &str) -> Result<Vec<(String, Features, Option<bool>)>> {
    let rows = tx.query(
        &format!(
            "select l.id, l.source, l.industry, l.region, l.size, l.state, o.state,
                    (select count(*) from crm_activity a where a.lead_id = l.id)
             from crm_lead l left join crm_opportunity o on o.id = l.opportunity_id
             where l.company_id = $1 {only}"
        ),
        &[&ctx.company()],
    )?;
    rows.iter()
        .map(|r| {
            let (lead_state, opportunity): (String, Option<String>) = (r.get(5)?, r.get(6)?);
            let label = match (lead_state.as_str(), opportunity.as_deref()) {
                ("lost", _) | (_, Some("lost")) => Some(false),
                (_, Some("won")) => Some(true),
                _ => None,
            };
            let features = [r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?, activity_band(r.get(7)?)]
                .map(|v: String| v.trim().to_string());
            Ok((r.get(0)?, features, label))
        })
        .collect()
}

#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct Training {
    pub won: i64,
    pub lost: i64,
    pub trained_at: String,
    /// Open leads scored with the new model.
    pub scored: usize,
}

/// Trains the model on the company's history, stores it, and scores every new lead with it.
pub fn train(tx: &mut Tx<'_>, ctx: &Ctx) -> Result<Training> {
    ctx.require(WRITE)?;
    let mut model = Model::default();
    for (_, features, label) in leads_with_features(tx, ctx, "and l.state in ('lost', 'qualified')")? {
        if let Some(won) = label {
            model.learn(&features, won);
        }
    }
    let json = serde_json::to_string(&model).map_err(Error::internal)?;
    let now = ctx.now_text();
    tx.execute(
        "insert into crm_score_model (company_id, model, examples, trained_at) values ($1, $2, $3, $4)
         on conflict (company_id) do update set model = excluded.model, examples = excluded.examples,
             trained_at = excluded.trained_at",
        &[&ctx.company(), &json, &(model.won + model.lost), &now],
    )?;
    let scored = score_open_leads(tx, ctx, &model)?;
    audit::record(
        tx,
        ctx,
        "crm.scoring.train",
        "crm.score_model",
        &ctx.company(),
        serde_json::json!({"won": model.won, "lost": model.lost}),
    )?;
    Ok(Training { won: model.won, lost: model.lost, trained_at: now, scored })
}

/// Scores every new lead and keeps the score on the lead (for sorting the lead list).
pub fn score_open_leads(tx: &mut Tx<'_>, ctx: &Ctx, model: &Model) -> Result<usize> {
    let leads = leads_with_features(tx, ctx, "and l.state = 'new'")?;
    for (id, features, _) in &leads {
        let probability: f64 = model.score(id, features).probability.parse().unwrap_or(0.0);
        let bp = (probability * 100.0).round() as i64;
        tx.execute("update crm_lead set score_bp = $1 where id = $2", &[&bp, id])?;
    }
    Ok(leads.len())
}

pub(crate) fn load_model(tx: &mut Tx<'_>, ctx: &Ctx) -> Result<Option<(Model, String)>> {
    let Some(r) =
        tx.query_opt("select model, trained_at from crm_score_model where company_id = $1", &[&ctx.company()])?
    else {
        return Ok(None);
    };
    let model: Model = serde_json::from_str(&r.get::<String>(0)?).map_err(Error::internal)?;
    Ok(Some((model, r.get(1)?)))
}

/// A lead's score with the factors behind it (the model is trained first if there is none).
pub fn score_lead(tx: &mut Tx<'_>, ctx: &Ctx, id: LeadId) -> Result<Score> {
    ctx.require(READ)?;
    let model = match load_model(tx, ctx)? {
        Some((model, _)) => model,
        None => {
            train(tx, &ctx.with_granted(&[WRITE]))?;
            load_model(tx, ctx)?.map(|(m, _)| m).unwrap_or_default()
        }
    };
    let rows = tx.query(
        "select l.id, l.source, l.industry, l.region, l.size,
                (select count(*) from crm_activity a where a.lead_id = l.id), l.owner_id
         from crm_lead l where l.company_id = $1 and l.id = $2",
        &[&ctx.company(), &id],
    )?;
    let r = rows.first().ok_or_else(|| Error::not_found("crm.lead_not_found"))?;
    let owner: Option<String> = r.get(6)?;
    if ctx.own_records_only() && owner != ctx.actor().user().map(|u| u.to_string()) {
        return Err(Error::not_found("crm.lead_not_found"));
    }
    let features: Features =
        [r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?, activity_band(r.get(5)?)].map(|v: String| v.trim().to_string());
    Ok(model.score(&id.to_string(), &features))
}

/// Retrains when the stored model is older than a day (called by the background worker).
pub fn retrain_if_stale(tx: &mut Tx<'_>, ctx: &Ctx) -> Result<bool> {
    let stale = match load_model(tx, ctx)? {
        None => false,
        Some((_, trained_at)) => {
            let day_ago = kernel::clock::format_timestamp(ctx.now() - time::Duration::days(1));
            trained_at < day_ago
        }
    };
    if stale {
        train(tx, ctx)?;
    }
    Ok(stale)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn features(source: &str, industry: &str) -> Features {
        [source.into(), industry.into(), "浙江".into(), "small".into(), "0".into()]
    }

    #[test]
    fn the_model_reads_the_history_it_was_given() {
        // Four won leads, all from exhibitions; four lost, three from the web form.
        let mut model = Model::default();
        for _ in 0..4 {
            model.learn(&features("exhibition", "食品"), true);
        }
        for _ in 0..3 {
            model.learn(&features("web", "食品"), false);
        }
        model.learn(&features("exhibition", "食品"), false);
        assert_eq!((model.won, model.lost), (4, 4));
        // Prior: ln(5/5) = 0. Source "exhibition": P(ex|won) = (4+1)/(4+3), P(ex|lost) = (1+1)/(4+3).
        assert!((model.prior() - 0.0).abs() < 1e-12);
        assert!((model.weight("source", "exhibition") - (5.0f64 / 2.0).ln()).abs() < 1e-12);
        assert!((model.weight("source", "web") - (1.0f64 / 4.0).ln()).abs() < 1e-12);
        // Shared values tell nothing: 食品 was in every lead.
        assert!(model.weight("industry", "食品").abs() < 1e-12);
        let score = model.score("x", &features("exhibition", "食品"));
        // Odds 5/2 → 71.4 %; the source is the strongest factor.
        assert_eq!(score.probability, "71.4");
        assert_eq!((score.factors[0].feature.as_str(), score.factors[0].weight), ("source", 0.92));
        assert_eq!(model.score("y", &features("web", "食品")).probability, "20.0");
    }
}
