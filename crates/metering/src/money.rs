//! Money in integer minor units, split exactly, and written with the
//! installation's currency.

use std::fmt;

/// An amount in cents (minor units); never a float.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub struct Cents(pub i64);

/// `-12.50`: the sign, then the whole units and two places of the absolute
/// amount (formatting each part with its own sign wrote `-5.-50`).
impl fmt::Display for Cents {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let sign = if self.0 < 0 { "-" } else { "" };
        let abs = self.0.unsigned_abs();
        write!(f, "{sign}{}.{:02}", abs / 100, abs % 100)
    }
}

/// A decimal with at most two places (`10`, `10.5`, `0.07`), times 100,
/// exactly; `None` for anything else, a sign included.
pub fn hundredths(s: &str) -> Option<i64> {
    let s = s.trim();
    let (whole, frac) = s.split_once('.').unwrap_or((s, ""));
    let digits = |p: &str| p.chars().all(|c| c.is_ascii_digit());
    if whole.is_empty() || frac.len() > 2 || !digits(whole) || !digits(frac) {
        return None;
    }
    let whole: i64 = whole.parse().ok()?;
    let part: i64 = format!("{frac:0<2}").parse().ok()?;
    whole.checked_mul(100)?.checked_add(part)
}

/// The one ISO 4217 currency an installation bills in. Amounts are kept in
/// hundredths, so only currencies with two decimal places are accepted.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Currency(&'static str);

/// Why a currency code was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CurrencyError {
    #[error("{0:?} is not an ISO 4217 currency code such as EUR, GBP or USD")]
    Unknown(String),
    #[error(
        "{code} has {places} decimal places; Plenary keeps amounts in hundredths, so the currency must have two (EUR, GBP, USD…)"
    )]
    NotHundredths { code: String, places: u8 },
}

impl Currency {
    pub const EUR: Currency = Currency("EUR");

    /// Accepts an active ISO 4217 code with two decimal places, in any case.
    pub fn parse(code: &str) -> Result<Self, CurrencyError> {
        let upper = code.trim().to_ascii_uppercase();
        if let Some(found) = HUNDREDTHS.iter().find(|c| **c == upper) {
            return Ok(Currency(found));
        }
        match OTHER_PLACES.iter().find(|(c, _)| *c == upper) {
            Some((_, places)) => Err(CurrencyError::NotHundredths {
                code: upper,
                places: *places,
            }),
            None => Err(CurrencyError::Unknown(code.to_string())),
        }
    }

    /// The three-letter code, e.g. `GBP`.
    pub fn code(self) -> &'static str {
        self.0
    }

    /// An amount as people read it: `£120.00`, `-€5.50`, `CHF 12.00` for a
    /// currency without a symbol of its own.
    pub fn format(self, amount: Cents) -> String {
        let written = amount.to_string();
        let (sign, digits) = match written.strip_prefix('-') {
            Some(digits) => ("-", digits),
            None => ("", written.as_str()),
        };
        match SYMBOLS.iter().find(|(c, _)| *c == self.0) {
            Some((_, symbol)) => format!("{sign}{symbol}{digits}"),
            None => format!("{sign}{} {digits}", self.0),
        }
    }
}

impl fmt::Display for Currency {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.0)
    }
}

/// Symbols written before the amount, where one names the currency
/// unambiguously; other currencies are written with their code.
const SYMBOLS: &[(&str, &str)] = &[
    ("GBP", "£"),
    ("EUR", "€"),
    ("USD", "$"),
    ("CAD", "CA$"),
    ("AUD", "A$"),
    ("NZD", "NZ$"),
    ("HKD", "HK$"),
    ("MXN", "MX$"),
    ("BRL", "R$"),
    ("INR", "₹"),
    ("CNY", "CN¥"),
    ("ILS", "₪"),
    ("NGN", "₦"),
    ("PHP", "₱"),
    ("UAH", "₴"),
];

/// Active ISO 4217 currencies with two decimal places.
const HUNDREDTHS: &[&str] = &[
    "AED", "AFN", "ALL", "AMD", "AOA", "ARS", "AUD", "AWG", "AZN", "BAM", "BBD", "BDT", "BGN",
    "BMD", "BND", "BOB", "BRL", "BSD", "BTN", "BWP", "BYN", "BZD", "CAD", "CDF", "CHF", "CNY",
    "COP", "CRC", "CUP", "CVE", "CZK", "DKK", "DOP", "DZD", "EGP", "ERN", "ETB", "EUR", "FJD",
    "FKP", "GBP", "GEL", "GHS", "GIP", "GMD", "GTQ", "GYD", "HKD", "HNL", "HTG", "HUF", "IDR",
    "ILS", "INR", "IRR", "JMD", "KES", "KGS", "KHR", "KPW", "KYD", "KZT", "LAK", "LBP", "LKR",
    "LRD", "LSL", "MAD", "MDL", "MGA", "MKD", "MMK", "MNT", "MOP", "MRU", "MUR", "MVR", "MWK",
    "MXN", "MYR", "MZN", "NAD", "NGN", "NIO", "NOK", "NPR", "NZD", "PAB", "PEN", "PGK", "PHP",
    "PKR", "PLN", "QAR", "RON", "RSD", "RUB", "SAR", "SBD", "SCR", "SDG", "SEK", "SGD", "SHP",
    "SLE", "SOS", "SRD", "SSP", "STN", "SVC", "SYP", "SZL", "THB", "TJS", "TMT", "TOP", "TRY",
    "TTD", "TWD", "TZS", "UAH", "USD", "UYU", "UZS", "VED", "VES", "WST", "XCD", "XCG", "YER",
    "ZAR", "ZMW", "ZWG",
];

/// Active ISO 4217 currencies with another number of decimal places.
const OTHER_PLACES: &[(&str, u8)] = &[
    ("BIF", 0),
    ("CLP", 0),
    ("DJF", 0),
    ("GNF", 0),
    ("ISK", 0),
    ("JPY", 0),
    ("KMF", 0),
    ("KRW", 0),
    ("PYG", 0),
    ("RWF", 0),
    ("UGX", 0),
    ("UYI", 0),
    ("VND", 0),
    ("VUV", 0),
    ("XAF", 0),
    ("XOF", 0),
    ("XPF", 0),
    ("BHD", 3),
    ("IQD", 3),
    ("JOD", 3),
    ("KWD", 3),
    ("LYD", 3),
    ("OMR", 3),
    ("TND", 3),
    ("CLF", 4),
    ("UYW", 4),
];

impl std::ops::Add for Cents {
    type Output = Cents;
    fn add(self, o: Cents) -> Cents {
        Cents(self.0 + o.0)
    }
}

impl std::ops::Sub for Cents {
    type Output = Cents;
    fn sub(self, o: Cents) -> Cents {
        Cents(self.0 - o.0)
    }
}

impl std::iter::Sum for Cents {
    fn sum<I: Iterator<Item = Cents>>(iter: I) -> Cents {
        Cents(iter.map(|c| c.0).sum())
    }
}

/// Splits `total` (≥ 0) in proportion to `weights`, in whole cents that sum
/// exactly to `total` (the largest-remainder method). Leftover cents go to the
/// largest remainders, ties to the earlier index, so the result depends only
/// on the inputs. All-zero weights split equally.
pub fn largest_remainder(total: Cents, weights: &[u128]) -> Vec<Cents> {
    if weights.is_empty() {
        return Vec::new();
    }
    let total_u = total.0.max(0) as u128;
    let sum: u128 = weights.iter().sum();
    let (weights, sum): (Vec<u128>, u128) = if sum == 0 {
        (vec![1; weights.len()], weights.len() as u128)
    } else {
        (weights.to_vec(), sum)
    };
    let mut shares: Vec<u128> = weights.iter().map(|w| total_u * w / sum).collect();
    let mut order: Vec<usize> = (0..weights.len()).collect();
    order.sort_by_key(|&i| (std::cmp::Reverse(total_u * weights[i] % sum), i));
    let handed_out: u128 = shares.iter().sum();
    for &i in order.iter().take((total_u - handed_out) as usize) {
        shares[i] += 1;
    }
    shares.into_iter().map(|s| Cents(s as i64)).collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn a_total_is_split_in_whole_cents_by_weight() {
        assert_eq!(
            largest_remainder(Cents(100), &[1, 1, 1]),
            [Cents(34), Cents(33), Cents(33)]
        );
        assert_eq!(
            largest_remainder(Cents(1000), &[3, 1]),
            [Cents(750), Cents(250)]
        );
        assert_eq!(largest_remainder(Cents(10), &[0, 0]), [Cents(5), Cents(5)]);
    }

    #[test]
    fn negative_amounts_carry_one_sign_in_front() {
        assert_eq!(Cents(-1250).to_string(), "-12.50");
        assert_eq!(Cents(-550).to_string(), "-5.50");
        assert_eq!(Cents(-25).to_string(), "-0.25");
        assert_eq!(Currency::EUR.format(Cents(-25)), "-€0.25");
    }

    #[test]
    fn an_amount_is_written_with_its_currency() {
        let gbp = Currency::parse("gbp").unwrap();
        assert_eq!(gbp.format(Cents(12_000)), "£120.00");
        assert_eq!(gbp.code(), "GBP");
        assert_eq!(
            Currency::parse("CHF").unwrap().format(Cents(-1_205)),
            "-CHF 12.05"
        );
    }

    #[test]
    fn only_iso_currencies_in_hundredths_are_accepted() {
        assert_eq!(
            Currency::parse("XYZ"),
            Err(CurrencyError::Unknown("XYZ".into()))
        );
        assert!(matches!(
            Currency::parse("JPY"),
            Err(CurrencyError::NotHundredths { places: 0, .. })
        ));
        assert!(Currency::parse("").is_err());
    }

    #[test]
    fn decimals_are_read_as_exact_hundredths() {
        assert_eq!(hundredths("10"), Some(1000));
        assert_eq!(hundredths("10.5"), Some(1050));
        assert_eq!(hundredths("0.07"), Some(7));
        for bad in ["", "-1", "1.234", "1,50", "ten", "1e3", ".", "+1"] {
            assert_eq!(hundredths(bad), None, "{bad}");
        }
    }

    proptest! {
        #[test]
        fn every_amount_is_written_as_one_sign_whole_units_and_two_places(
            cents in (-i64::MAX)..=i64::MAX,
        ) {
            let written = Cents(cents).to_string();
            let digits = written.strip_prefix('-').unwrap_or(&written);
            prop_assert_eq!(written.starts_with('-'), cents < 0);
            let (whole, places) = digits.split_once('.').expect("a decimal point");
            prop_assert!(!whole.is_empty() && whole.chars().all(|c| c.is_ascii_digit()));
            prop_assert!(places.len() == 2 && places.chars().all(|c| c.is_ascii_digit()));
            prop_assert_eq!(hundredths(digits), Some(cents.abs()));
            prop_assert_eq!(
                Currency::EUR.format(Cents(cents)),
                format!("{}€{digits}", if cents < 0 { "-" } else { "" })
            );
        }

        #[test]
        fn shares_always_sum_exactly_to_the_total(
            total in 0i64..10_000_000_000,
            weights in proptest::collection::vec(0u128..1_000_000_000_000, 1..60),
        ) {
            let shares = largest_remainder(Cents(total), &weights);
            prop_assert_eq!(shares.iter().copied().sum::<Cents>(), Cents(total));
            prop_assert!(shares.iter().all(|s| s.0 >= 0));
        }

        #[test]
        fn no_share_is_more_than_a_cent_from_its_exact_value(
            total in 0i64..1_000_000_000,
            weights in proptest::collection::vec(1u128..1_000_000, 1..40),
        ) {
            let shares = largest_remainder(Cents(total), &weights);
            let sum: u128 = weights.iter().sum();
            for (s, w) in shares.iter().zip(&weights) {
                let exact = total as f64 * *w as f64 / sum as f64;
                prop_assert!((s.0 as f64 - exact).abs() < 1.0 + 1e-6);
            }
        }
    }
}
