//! The window's general settings: the currency prices and budgets are in, and how long the
//! session history (the demand a what-if replay draws on) is kept.

use super::ValidationErrors;
use super::cost::check_currency;
use super::validation::parse_whole;
use crate::model::field::AppSettingsField;

/// The longest history kept: two years.
pub const MAX_HISTORY_DAYS: i64 = 730;

/// The settings, checked.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AppSettings {
    /// Three-letter code, upper case.
    pub currency: String,
    /// Ended sessions older than this many days are pruned.
    pub history_days: u32,
}

impl Default for AppSettings {
    fn default() -> Self {
        Self {
            currency: "USD".to_owned(),
            history_days: 90,
        }
    }
}

/// The settings as the form holds them.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct AppSettingsDraft {
    /// See [`AppSettings::currency`].
    pub currency: String,
    /// See [`AppSettings::history_days`].
    pub history_days: String,
}

impl AppSettingsDraft {
    /// The form filled from stored settings.
    pub fn from_settings(settings: &AppSettings) -> Self {
        Self {
            currency: settings.currency.clone(),
            history_days: settings.history_days.to_string(),
        }
    }

    /// Checks every field.
    pub fn validate(&self) -> Result<AppSettings, ValidationErrors> {
        let mut errors = ValidationErrors::default();
        let currency = check_currency(&self.currency).unwrap_or_else(|message| {
            errors.push(AppSettingsField::Currency, message);
            String::new()
        });
        let days = parse_whole(
            &mut errors,
            AppSettingsField::HistoryDays,
            &self.history_days,
            1,
            MAX_HISTORY_DAYS,
        );
        errors.into_result(AppSettings {
            currency,
            history_days: u32::try_from(days).unwrap_or(90),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_field_says_what_it_expects() {
        let draft = AppSettingsDraft {
            currency: "eur".into(),
            history_days: "30".into(),
        };
        assert_eq!(
            draft.validate().unwrap(),
            AppSettings {
                currency: "EUR".into(),
                history_days: 30
            }
        );
        let bad = AppSettingsDraft {
            currency: "€".into(),
            history_days: "0".into(),
        };
        let errors = bad.validate().unwrap_err();
        assert!(
            errors
                .for_field(AppSettingsField::Currency)
                .unwrap()
                .contains("three-letter")
        );
        assert!(
            errors
                .for_field(AppSettingsField::HistoryDays)
                .unwrap()
                .contains("1 to 730")
        );
    }
}
